/**
 * A bucket's access settings and their defaults. Since April 2023 a new bucket has Object Ownership
 * BucketOwnerEnforced (ACLs disabled) and all four Block Public Access settings on (create-bucket-faq.html,
 * about-object-ownership.html): that is what a bucket record without these fields means. A bucket whose ownership
 * controls or public access block were deleted stores `null`: no controls (ACLs enabled, objects owned by their
 * writer) and no block.
 */
import { DEFAULT_ACCOUNT_ID } from '../accounts.ts';
import type { Bucket, BucketRecord, ObjectRecord } from '../model.ts';

export type Ownership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
export const OWNERSHIPS: readonly string[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export const BLOCK_ALL: PublicAccessBlock = Object.freeze({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
const BLOCK_NONE: PublicAccessBlock = Object.freeze({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });

/** The account owning a bucket (records from before accounts existed belong to the default one). */
export const bucketOwner = (b: BucketRecord): string => b.owner ?? DEFAULT_ACCOUNT_ID;

/** Undefined when the bucket has no ownership controls. */
export const ownershipOf = (b: BucketRecord): Ownership | undefined => (b.ownership === undefined ? 'BucketOwnerEnforced' : b.ownership ?? undefined);

export const aclsEnabled = (b: BucketRecord): boolean => ownershipOf(b) !== 'BucketOwnerEnforced';

/** The settings in force (none configured: nothing blocked). */
export const blockOf = (b: BucketRecord): PublicAccessBlock => (b.publicAccessBlock === undefined ? BLOCK_ALL : b.publicAccessBlock ?? BLOCK_NONE);

/** The account owning an object: its writer's where ACLs are enabled and it was not handed over, else the bucket's. */
export function objectOwner(b: Bucket | BucketRecord, v: ObjectRecord | undefined): string {
  return v?.owner !== undefined && aclsEnabled(b) ? v.owner : bucketOwner(b);
}
