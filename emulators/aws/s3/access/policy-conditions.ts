/**
 * A bucket policy's Condition block: operators from the IAM reference (reference_policies_elements_condition_operators
 * .html) with `…IfExists` and the `ForAnyValue:`/`ForAllValues:` set prefixes, applied to the condition keys this edge
 * can give a value for. Every operator is served; keys are:
 * - evaluated: those in EVALUATED below (the request supplies them: TLS, peer address, caller, headers, tags …);
 * - refused with 501 NotImplemented: keys S3 defines whose value this edge has no source for (VPCs, organizations,
 *   principal tags, object lock, KMS, access points …) — a policy relying on one is never stored and half-applied;
 * - refused with 400 MalformedPolicy "Policy has an invalid condition key": anything else that is not an `aws:` key
 *   (S3 accepts unknown `aws:` keys, observed by Scality's arsenal, so those are NotImplemented here too).
 */
import { BlockList, isIP } from 'node:net';
import { S3Error } from '../errors.ts';
import { glob, expandVariables, malformedPolicy, substituteVariables, type RequestValues } from './patterns.ts';

type Base = 'StringEquals' | 'StringNotEquals' | 'StringEqualsIgnoreCase' | 'StringNotEqualsIgnoreCase' | 'StringLike' | 'StringNotLike'
  | 'NumericEquals' | 'NumericNotEquals' | 'NumericLessThan' | 'NumericLessThanEquals' | 'NumericGreaterThan' | 'NumericGreaterThanEquals'
  | 'DateEquals' | 'DateNotEquals' | 'DateLessThan' | 'DateLessThanEquals' | 'DateGreaterThan' | 'DateGreaterThanEquals'
  | 'Bool' | 'BinaryEquals' | 'IpAddress' | 'NotIpAddress' | 'ArnEquals' | 'ArnLike' | 'ArnNotEquals' | 'ArnNotLike' | 'Null';

const BASES = new Set<string>(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null']);

/** Operators that hold when the key does not match (and so when the request lacks it). */
const NEGATED = new Set<Base>(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike']);

export interface Condition {
  base: Base;
  set?: 'any' | 'all';
  ifExists: boolean;
  /** Lower-cased: "Context key names are not case-sensitive". */
  key: string;
  values: string[];
  /** IpAddress / NotIpAddress: the CIDRs as a block list. */
  cidrs?: BlockList;
}

/** Keys with a value source here; `s3:existingobjecttag/…` and `s3:requestobjecttag/…` take any tag key. */
const EVALUATED = new Set(['aws:securetransport', 'aws:sourceip', 'aws:currenttime', 'aws:epochtime', 'aws:principalaccount',
  'aws:principalarn', 'aws:principaltype', 'aws:userid', 'aws:username', 'aws:referer', 'aws:useragent',
  's3:prefix', 's3:delimiter', 's3:max-keys', 's3:x-amz-acl', 's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-customer-algorithm', 's3:x-amz-storage-class', 's3:x-amz-copy-source',
  's3:x-amz-metadata-directive', 's3:x-amz-content-sha256', 's3:x-amz-website-redirect-location', 's3:x-amz-grant-read',
  's3:x-amz-grant-write', 's3:x-amz-grant-read-acp', 's3:x-amz-grant-write-acp', 's3:x-amz-grant-full-control',
  's3:authtype', 's3:signatureversion', 's3:versionid', 's3:requestobjecttagkeys', 's3:if-match', 's3:if-none-match']);

const TAG_KEYS = /^s3:(existingobjecttag|requestobjecttag)\/.+/;

/** S3's other condition keys (Service Authorization Reference): valid in AWS, with no value source on this edge. */
const S3_NOT_EVALUATED = /^s3:(accessgrantsinstancearn|accesspointnetworkorigin|dataaccesspointaccount|dataaccesspointarn|existingjoboperation|existingjobpriority|inventoryaccessibleoptionalfields|jobsuspendedcause|locationconstraint|objectcreationoperation|requestjoboperation|requestjobpriority|resourceaccount|tlsversion|signatureage|object-lock-[a-z-]+|x-amz-object-ownership|x-amz-server-side-encryption-aws-kms-key-id|x-amz-server-side-encryption-context|buckettag\/.+)$/;

export function parseCondition(operator: string, rawKey: string, rawValues: unknown): Condition {
  let name = operator;
  let set: Condition['set'];
  if (name.startsWith('ForAnyValue:')) [set, name] = ['any', name.slice('ForAnyValue:'.length)];
  else if (name.startsWith('ForAllValues:')) [set, name] = ['all', name.slice('ForAllValues:'.length)];
  const ifExists = name.endsWith('IfExists') && name !== 'IfExists';
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  // Operator names are exact (S3 refused `stringequals`); Null takes no IfExists.
  if (!BASES.has(name) || (ifExists && name === 'Null')) throw malformedPolicy(`Invalid Condition type : ${operator}`);
  const key = rawKey.toLowerCase();
  if (!EVALUATED.has(key) && !TAG_KEYS.test(key)) {
    if (key.startsWith('aws:') || S3_NOT_EVALUATED.test(key)) {
      throw new S3Error('NotImplemented', 501, `The condition key ${rawKey} is not evaluated by this emulator (supported: ${[...EVALUATED].join(', ')}, s3:ExistingObjectTag/<key>, s3:RequestObjectTag/<key>)`);
    }
    throw malformedPolicy('Policy has an invalid condition key');
  }
  // "Quotation marks are optional for numeric and Boolean values."
  const list = Array.isArray(rawValues) ? rawValues : [rawValues];
  if (list.length === 0 || !list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) throw malformedPolicy('Invalid policy syntax.');
  const values = list.map(String);
  const c: Condition = { base: name as Base, set, ifExists, key, values };
  checkValues(c);
  return c;
}

function checkValues(c: Condition): void {
  const bad = () => malformedPolicy(`Invalid value in Conditions for operator ${c.base}`);
  if (c.base === 'Bool' || c.base === 'Null') {
    if (!c.values.every((v) => /^(true|false)$/i.test(v))) throw bad();
  } else if (c.base.startsWith('Numeric')) {
    if (!c.values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)))) throw bad();
  } else if (c.base.startsWith('Date')) {
    if (!c.values.every((v) => !Number.isNaN(dateOf(v)))) throw bad();
  } else if (c.base === 'IpAddress' || c.base === 'NotIpAddress') {
    c.cidrs = new BlockList();
    for (const v of c.values) {
      const cidr = parseCidr(v);
      if (!cidr) throw malformedPolicy('Invalid IP address in Conditions');
      c.cidrs.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
  }
}

function parseCidr(v: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address, p] = v.trim().split('/');
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  // "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value of /32."
  const prefix = p === undefined ? max : /^\d+$/.test(p) ? Number(p) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** ISO 8601 or epoch seconds. */
function dateOf(v: string): number {
  return /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
}

/** Whether a condition holds for a request (its values ORed; a key the request lacks as the reference says). */
export function conditionHolds(c: Condition, values: RequestValues, variables: boolean): boolean {
  const present = values.get(c.key);
  if (c.base === 'Null') return (present === undefined) === (c.values[0].toLowerCase() === 'true');
  if (present === undefined) {
    if (c.ifExists) return true;
    if (c.set === 'all') return true; // "It also returns true if there are no context keys in the request."
    if (c.set === 'any') return false;
    return NEGATED.has(c.base);
  }
  const list = Array.isArray(present) ? present : [present];
  const one = (v: string) => holdsFor(c, v, values, variables);
  if (c.set === 'all') return list.every(one);
  return list.some(one);
}

function holdsFor(c: Condition, requestValue: string, values: RequestValues, variables: boolean): boolean {
  const negated = NEGATED.has(c.base);
  const matched = c.values.some((pv) => matches(c, requestValue, pv, values, variables));
  return negated ? !matched : matched;
}

function matches(c: Condition, rv: string, pv: string, values: RequestValues, variables: boolean): boolean {
  switch (c.base) {
    case 'StringEquals': case 'StringNotEquals': case 'ArnEquals': case 'ArnNotEquals': case 'BinaryEquals':
      return variables && pv.includes('${') ? substituteVariables(pv, values) === rv : rv === pv;
    case 'StringEqualsIgnoreCase': case 'StringNotEqualsIgnoreCase':
      return rv.toLowerCase() === pv.toLowerCase();
    case 'StringLike': case 'StringNotLike': case 'ArnLike': case 'ArnNotLike':
      return (variables && pv.includes('${') ? expandVariables(pv, values) : glob(pv))?.test(rv) ?? false;
    case 'Bool':
      return rv.toLowerCase() === pv.toLowerCase();
    case 'IpAddress': case 'NotIpAddress': {
      const family = isIP(rv);
      return family !== 0 && c.cidrs!.check(rv, family === 4 ? 'ipv4' : 'ipv6');
    }
    default:
      return compare(c.base, rv, pv);
  }
}

function compare(base: Base, rv: string, pv: string): boolean {
  const numeric = base.startsWith('Numeric');
  const a = numeric ? Number(rv) : dateOf(rv);
  const b = numeric ? Number(pv) : dateOf(pv);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  const op = base.replace(/^(Numeric|Date)/, '');
  switch (op) {
    case 'Equals': return a === b;
    case 'NotEquals': return a === b; // negated by the caller
    case 'LessThan': return a < b;
    case 'LessThanEquals': return a <= b;
    case 'GreaterThan': return a > b;
    case 'GreaterThanEquals': return a >= b;
    default: return false;
  }
}

/**
 * Whether a condition confines a statement to fixed callers, making it non-public: fixed values (no wildcard or
 * variable) of a principal or source key, or `aws:SourceIp` ranges no broader than /8 (IPv4) or /32 (IPv6)
 * (access-control-block-public-access.html, "The meaning of public").
 */
export function fixesSource(c: Condition): boolean {
  if (c.ifExists || c.set === 'all') return false;
  if (c.key === 'aws:sourceip') {
    return c.base === 'IpAddress' && c.values.every((v) => {
      const cidr = parseCidr(v);
      return cidr !== undefined && cidr.prefix >= (cidr.family === 'ipv4' ? 8 : 32);
    });
  }
  if (!['aws:principalaccount', 'aws:principalarn', 'aws:userid'].includes(c.key)) return false;
  const fixed = c.values.every((v) => !/[*?]|\$\{/.test(v));
  return fixed && ['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike'].includes(c.base);
}
