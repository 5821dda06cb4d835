/**
 * Whether a caller may do an S3 action on a bucket or object, as S3 decides it for an account's root user or an
 * anonymous caller (troubleshoot-403-errors.html, access-policy-language-overview.html, acl-overview.html):
 *   1. an explicit Deny in the bucket policy refuses (except the owner's root managing the policy itself);
 *   2. the resource's owner is allowed (the bucket's for bucket actions and writes into it, the object's for the rest;
 *      the bucket owner may also delete any object);
 *   3. an Allow in the bucket policy allows — unless the policy is public and RestrictPublicBuckets is on and the caller
 *      is not the bucket owner, and only for objects the bucket owner owns;
 *   4. with ACLs enabled, a grant in the bucket's or object's ACL allows (public grants ignored under IgnorePublicAcls);
 *   5. anything else is 403 AccessDenied.
 * A read of a missing key is 404 only to a caller who may list the bucket, 403 otherwise (API_GetObject.html).
 */
import { errors, S3Error } from '../errors.ts';
import { memo } from '../../sigv4.ts';
import { header, type Caller, type S3Request } from '../request.ts';
import { OWNER_ALWAYS, WRITES_INTO_BUCKET, aclPermissionFor } from './actions.ts';
import { parsePolicy, evaluatePolicy, type Policy } from './policy.ts';
import { aclGrants, privateAcl } from './acl.ts';
import { aclsEnabled, blockOf, bucketOwner, objectOwner } from './settings.ts';
import type { RequestValues } from './patterns.ts';
import type { Accounts, Account } from '../accounts.ts';
import type { Bucket, ObjectVersion, Tags } from '../model.ts';
import type { S3State } from '../state.ts';

/** What else a check needs to know about the request. */
export interface CheckOptions {
  /** The version the action names (GetObject ?versionId=…). */
  versionId?: string;
  /** Tags the request sets (x-amz-tagging, a PutObjectTagging body): s3:RequestObjectTag/<key>. */
  requestTags?: Tags;
  /** The header naming the bucket's expected owner (a copy's source has its own). */
  expectedOwnerHeader?: string;
}

export class Access {
  constructor(private readonly state: S3State, private readonly accounts: Accounts, private readonly now: () => number) {}

  /** The bucket's policy, parsed once per distinct document. */
  private readonly policies = memo<Policy>(256);

  policyOf(b: Bucket): Policy | undefined {
    return b.policy === undefined ? undefined : this.policies(`${b.name}\n${b.policy}`, () => parsePolicy(Buffer.from(b.policy!), b.name, this.accounts));
  }

  /**
   * Throw 403 AccessDenied unless the request's caller may do `action` (lower-cased `s3:…`) on the bucket, or on
   * `key` in it. A bucket that does not exist passes: the operation answers NoSuchBucket, as S3 does.
   */
  check(req: S3Request, action: string, bucketName: string, key?: string, opts: CheckOptions = {}): void {
    const b = this.state.buckets.get(bucketName);
    if (!b) return;
    checkExpectedOwner(header(req, opts.expectedOwnerHeader ?? 'x-amz-expected-bucket-owner'), b);
    const account = req.caller.account;
    // The common case, answered without building anything: the owner of a bucket with no policy and ACLs disabled.
    if (account !== undefined && account.id === bucketOwner(b) && b.policy === undefined && !aclsEnabled(b)) return;
    const version = key === undefined || WRITES_INTO_BUCKET.has(action) ? undefined : target(b, key, opts.versionId);
    if (key !== undefined && !WRITES_INTO_BUCKET.has(action) && version === undefined && isRead(action)) {
      // A missing key: 404 to whoever may list the bucket, 403 to anyone else.
      if (!this.allowed(req, 's3:listbucket', b, undefined, undefined, opts)) throw errors.AccessDenied();
      return;
    }
    if (!this.allowed(req, action, b, key, version, opts)) throw errors.AccessDenied();
  }

  /** Whether the caller may do `action`; explicit denies answer false. */
  allowed(req: S3Request, action: string, b: Bucket, key: string | undefined, version: ObjectVersion | undefined, opts: CheckOptions = {}): boolean {
    const account = req.caller.account;
    const owner = bucketOwner(b);
    const policy = this.policyOf(b);
    const resource = key === undefined ? `arn:aws:s3:::${b.name}` : `arn:aws:s3:::${b.name}/${key}`;
    const decision = policy ? evaluatePolicy(policy, { account, action, resource, values: new RequestContext(req, account, this.now, version, opts) }) : 'none';
    const ownerRoot = account?.id === owner;
    if (decision === 'deny' && !(ownerRoot && OWNER_ALWAYS.has(action))) return false;
    const resourceOwner = key === undefined || WRITES_INTO_BUCKET.has(action) ? owner : objectOwner(b, version);
    if (account?.id === resourceOwner) return true;
    if (ownerRoot && (action === 's3:deleteobject' || action === 's3:deleteobjectversion')) return true;
    if (decision === 'allow') {
      const restricted = policy!.public && blockOf(b).RestrictPublicBuckets && !ownerRoot;
      // "Allow statements in a bucket policy apply only to objects that are owned by the same bucket-owning account."
      if (!restricted && resourceOwner === owner) return true;
    }
    if (aclsEnabled(b)) {
      const grant = aclPermissionFor(action);
      if (grant) {
        const ignorePublic = blockOf(b).IgnorePublicAcls;
        const acl = grant.on === 'bucket' ? b.acl ?? privateAcl(this.canonical(owner)) : version?.acl ?? privateAcl(this.canonical(resourceOwner));
        if (aclGrants(acl, account, grant.permission, ignorePublic)) return true;
      }
    }
    return false;
  }

  /** The canonical id of an account id (an unknown one, from a removed configuration, keeps a placeholder). */
  canonical(accountId: string): string {
    return this.accounts.byAccountId(accountId)?.canonicalId ?? `unknown-account-${accountId}`;
  }
}

const READS = new Set(['s3:getobject', 's3:getobjectversion', 's3:getobjectattributes', 's3:getobjectversionattributes', 's3:getobjecttagging', 's3:getobjectversiontagging', 's3:getobjectacl', 's3:getobjectversionacl']);
const isRead = (action: string) => READS.has(action);

/** The version an object action names: the current one (not a delete marker), or the one named by id. */
function target(b: Bucket, key: string, versionId: string | undefined): ObjectVersion | undefined {
  const list = b.objects.get(key);
  if (!list) return undefined;
  const v = versionId === undefined ? list[0] : list.find((x) => x.versionId === versionId);
  return v && !v.deleteMarker ? v : undefined;
}

/**
 * x-amz-expected-bucket-owner: another account's bucket is 403 AccessDenied; a value that is not an account id is
 * 400 InvalidBucketOwnerAWSAccountID (LocalStack's recordings against S3).
 */
export function checkExpectedOwner(expected: string | undefined, b: Bucket): void {
  if (expected === undefined) return;
  if (!/^\d{12}$/.test(expected)) throw new S3Error('InvalidBucketOwnerAWSAccountID', 400, `The value of the expected bucket owner parameter must be an AWS Account ID... [${expected}]`);
  if (expected !== bucketOwner(b)) throw errors.AccessDenied();
}

/** The condition keys a request supplies (policy-conditions.ts lists which). */
class RequestContext implements RequestValues {
  constructor(private readonly req: S3Request, private readonly account: Account | undefined, private readonly now: () => number,
    private readonly version: ObjectVersion | undefined, private readonly opts: CheckOptions) {}

  get(key: string): string | string[] | undefined {
    const { req, account } = this;
    const caller: Caller = req.caller;
    switch (key) {
      case 'aws:securetransport': return String(caller.secure);
      case 'aws:sourceip': return caller.remoteAddress?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
      case 'aws:currenttime': return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
      case 'aws:epochtime': return String(Math.floor(this.now() / 1000));
      case 'aws:principalaccount': return account?.id;
      case 'aws:principalarn': return account?.arn;
      case 'aws:principaltype': return account ? 'Account' : 'Anonymous';
      case 'aws:userid': return account ? account.id : 'anonymous';
      case 'aws:username': return undefined; // a root user has none
      case 'aws:referer': return header(req, 'referer');
      case 'aws:useragent': return header(req, 'user-agent');
      case 's3:prefix': return req.query.get('prefix');
      case 's3:delimiter': return req.query.get('delimiter');
      case 's3:max-keys': return req.query.get('max-keys');
      case 's3:versionid': return req.query.get('versionId');
      case 's3:authtype': return account ? caller.authType : undefined;
      case 's3:signatureversion': return account ? 'AWS4-HMAC-SHA256' : undefined;
      case 's3:requestobjecttagkeys': return this.opts.requestTags?.map(([k]) => k);
    }
    if (key.startsWith('s3:existingobjecttag/')) return tagValue(this.version?.tags, key.slice('s3:existingobjecttag/'.length));
    if (key.startsWith('s3:requestobjecttag/')) return tagValue(this.opts.requestTags, key.slice('s3:requestobjecttag/'.length));
    if (key.startsWith('s3:x-amz-') || key === 's3:if-match' || key === 's3:if-none-match') {
      const v = header(req, key.slice(3));
      // s3:x-amz-copy-source is matched without its leading slash (s3-tests test_bucket_policy_put_obj_copy_source).
      return key === 's3:x-amz-copy-source' && v ? decodeURIComponentSafe(v.replace(/^\//, '')) : v;
    }
    return undefined;
  }
}

/** Tag keys in condition keys keep their case; only the key name before the slash is case-insensitive. */
function tagValue(tags: Tags | undefined, lowerKey: string): string | undefined {
  return tags?.find(([k]) => k.toLowerCase() === lowerKey)?.[1];
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
