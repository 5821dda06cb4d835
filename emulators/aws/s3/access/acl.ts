/**
 * Access control lists (acl-overview.html): canned ACLs, the x-amz-grant-* headers, the AccessControlPolicy document,
 * and what an ACL grants a caller. Grantees are accounts (canonical id, or a 12-digit account id in a grant header as
 * the API reference's examples write them) and the AllUsers, AuthenticatedUsers and LogDelivery groups. Email
 * grantees are refused as S3 refuses them since October 2025 (405; API_PutObjectAcl.html, end of support notice).
 */
import { S3Error, errors, invalidArgument, invalidRequest } from '../errors.ts';
import { asArray, asString, asText, doc, leaf, node, parseXmlBody } from '../xml.ts';
import type { Account, Accounts } from '../accounts.ts';
import type http from 'node:http';

export type Permission = 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
const PERMISSIONS = new Set<string>(['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP']);

export type Grantee = { type: 'CanonicalUser'; id: string } | { type: 'Group'; uri: string };

export interface Grant {
  grantee: Grantee;
  permission: Permission;
}

/** Stored with a bucket or object version; absent means the default, the owner with FULL_CONTROL. */
export interface Acl {
  /** Canonical id of the owner. */
  owner: string;
  grants: Grant[];
}

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);
/** The canonical user canned `aws-exec-read` grants READ to (Amazon EC2 reading AMI bundles). */
const EC2_CANONICAL_ID = '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c';

const user = (id: string, permission: Permission): Grant => ({ grantee: { type: 'CanonicalUser', id }, permission });
const group = (uri: string, permission: Permission): Grant => ({ grantee: { type: 'Group', uri }, permission });

export const BUCKET_CANNED = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read', 'log-delivery-write', 'bucket-owner-read', 'bucket-owner-full-control'];
export const OBJECT_CANNED = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control'];

/** A canned ACL's grants ("Canned ACL" table); the bucket-owner ones are ignored on a bucket, as S3 ignores them. */
export function cannedAcl(name: string, owner: string, bucketOwner: string): Acl {
  const grants: Grant[] = [user(owner, 'FULL_CONTROL')];
  switch (name) {
    case 'public-read': grants.push(group(ALL_USERS, 'READ')); break;
    case 'public-read-write': grants.push(group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')); break;
    case 'authenticated-read': grants.push(group(AUTHENTICATED_USERS, 'READ')); break;
    case 'aws-exec-read': grants.push(user(EC2_CANONICAL_ID, 'READ')); break;
    case 'log-delivery-write': grants.push(group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')); break;
    case 'bucket-owner-read': if (bucketOwner !== owner) grants.push(user(bucketOwner, 'READ')); break;
    case 'bucket-owner-full-control': if (bucketOwner !== owner) grants.push(user(bucketOwner, 'FULL_CONTROL')); break;
  }
  return { owner, grants };
}

export const privateAcl = (owner: string): Acl => ({ owner, grants: [user(owner, 'FULL_CONTROL')] });

const GRANT_HEADERS: [string, Permission][] = [
  ['x-amz-grant-read', 'READ'], ['x-amz-grant-write', 'WRITE'], ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'], ['x-amz-grant-full-control', 'FULL_CONTROL'],
];

/** What a request's ACL headers ask for: a canned name, explicit grants, or nothing. */
export type RequestedAcl = { canned: string } | { grants: Grant[] } | undefined;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

/** x-amz-acl or x-amz-grant-* (never both: "Specifying both Canned ACLs and Header Grants is not allowed", observed). */
export function requestedAcl(headers: http.IncomingHttpHeaders, accounts: Accounts, canned: string[]): RequestedAcl {
  const name = one(headers['x-amz-acl']);
  const grantHeaders = GRANT_HEADERS.filter(([h]) => headers[h] !== undefined);
  if (name !== undefined && grantHeaders.length) throw invalidRequest('Specifying both Canned ACLs and Header Grants is not allowed');
  if (name !== undefined) {
    if (!canned.includes(name)) throw invalidArgument('', { ArgumentName: 'x-amz-acl', ArgumentValue: name });
    return { canned: name };
  }
  if (!grantHeaders.length) return undefined;
  const grants: Grant[] = [];
  for (const [h, permission] of grantHeaders) for (const grantee of parseGrantees(one(headers[h])!, accounts)) grants.push({ grantee, permission });
  return { grants };
}

/** `id="…", uri="…"`: type=value pairs, the value quoted or bare (s3-tests sends bare ids). */
function parseGrantees(value: string, accounts: Accounts): Grantee[] {
  const out: Grantee[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*([A-Za-z]+)\s*=\s*"?([^"]*)"?\s*$/.exec(part);
    if (!m) throw invalidArgument('Invalid grant header value', { ArgumentName: 'x-amz-grant', ArgumentValue: value });
    out.push(grantee(m[1].toLowerCase(), m[2], accounts));
  }
  return out;
}

function grantee(type: string, value: string, accounts: Accounts): Grantee {
  if (type === 'uri') {
    if (!GROUPS.has(value)) throw invalidArgument('Invalid group uri', { ArgumentName: 'uri', ArgumentValue: value });
    return { type: 'Group', uri: value };
  }
  if (type === 'emailaddress') throw emailGrantee();
  if (type !== 'id') throw invalidArgument('Argument format not recognized', { ArgumentName: type, ArgumentValue: value });
  const account = /^\d{12}$/.test(value) ? accounts.byAccountId(value) : accounts.byCanonicalId(value);
  // A grant to an id no account has: 400 InvalidArgument "Invalid id" (s3-tests test_bucket_acl_grant_nonexist_user).
  if (!account) throw invalidArgument('Invalid id', { ArgumentName: 'CanonicalUser/ID', ArgumentValue: value });
  return { type: 'CanonicalUser', id: account.canonicalId };
}

const emailGrantee = () => new S3Error('MethodNotAllowed', 405, 'Email grantees are no longer supported (Amazon S3 ended support for Email Grantee ACLs on October 1, 2025).');

/** The AccessControlPolicy document of PutBucketAcl/PutObjectAcl (API_AccessControlPolicy.html). */
export function parseAccessControlPolicy(body: Buffer, accounts: Accounts, owner: string): Acl {
  let root: Record<string, unknown>;
  try {
    root = parseXmlBody(body, 'AccessControlPolicy');
  } catch {
    throw malformedAcl();
  }
  const declaredOwner = asText((root.Owner as Record<string, unknown> | undefined)?.ID);
  if (declaredOwner !== undefined && declaredOwner !== owner) throw errors.AccessDenied();
  const list = root.AccessControlList as Record<string, unknown> | undefined;
  const grants = asArray(list?.Grant).map((raw): Grant => {
    const g = (raw ?? {}) as Record<string, unknown>;
    const permission = asText(g.Permission);
    const who = (g.Grantee ?? {}) as Record<string, unknown>;
    if (permission === undefined || !PERMISSIONS.has(permission) || typeof g.Grantee !== 'object') throw malformedAcl();
    // The grantee's xsi:type attribute names which child it has; the child is what identifies it.
    const id = asString(who.ID);
    const uri = asText(who.URI);
    if (asText(who.EmailAddress) !== undefined) throw emailGrantee();
    if (id !== undefined) return { grantee: grantee('id', id.trim(), accounts), permission: permission as Permission };
    if (uri !== undefined) return { grantee: grantee('uri', uri, accounts), permission: permission as Permission };
    throw malformedAcl();
  });
  // "An ACL can have up to 100 grants."
  if (grants.length > 100) throw malformedAcl();
  return { owner, grants };
}

const malformedAcl = () => new S3Error('MalformedACLError', 400, 'The XML you provided was not well-formed or did not validate against our published schema');

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export function renderAcl(acl: Acl, accounts: Accounts): string {
  const name = (id: string) => accounts.byCanonicalId(id)?.name;
  const grants = acl.grants.map((g) => {
    const who = g.grantee.type === 'CanonicalUser'
      ? `<Grantee xmlns:xsi="${XSI}" xsi:type="CanonicalUser">${leaf('ID', g.grantee.id)}${leaf('DisplayName', name(g.grantee.id))}</Grantee>`
      : `<Grantee xmlns:xsi="${XSI}" xsi:type="Group">${leaf('URI', g.grantee.uri)}</Grantee>`;
    return node('Grant', who, leaf('Permission', g.permission));
  });
  return doc('AccessControlPolicy', node('Owner', leaf('ID', acl.owner), leaf('DisplayName', name(acl.owner))), node('AccessControlList', ...grants));
}

const isPublicGrant = (g: Grant) => g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS);

/** "S3 considers a bucket or object ACL public if it grants any permissions to AllUsers or AuthenticatedUsers." */
export const isPublicAcl = (acl: Acl): boolean => acl.grants.some(isPublicGrant);

/** An ACL with public grants dropped: what IgnorePublicAcls enforces, and what GET ?acl then shows. */
export const withoutPublicGrants = (acl: Acl): Acl => ({ owner: acl.owner, grants: acl.grants.filter((g) => !isPublicGrant(g)) });

/** Whether only `owner` is granted anything, with FULL_CONTROL: what BucketOwnerEnforced still accepts. */
export const ownerOnly = (acl: Acl, owner: string): boolean => acl.grants.every((g) => g.grantee.type === 'CanonicalUser' && g.grantee.id === owner && g.permission === 'FULL_CONTROL');

/** Whether the ACL gives `account` (undefined: anonymous) `permission`, FULL_CONTROL including every permission. */
export function aclGrants(acl: Acl, account: Account | undefined, permission: Permission, ignorePublic: boolean): boolean {
  return acl.grants.some((g) => {
    if (g.permission !== permission && g.permission !== 'FULL_CONTROL') return false;
    if (g.grantee.type === 'CanonicalUser') return account !== undefined && g.grantee.id === account.canonicalId;
    if (ignorePublic && isPublicGrant(g)) return false;
    return g.grantee.uri === ALL_USERS || (g.grantee.uri === AUTHENTICATED_USERS && account !== undefined);
  });
}
