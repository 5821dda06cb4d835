/**
 * CloudFront policy statements: the canned policy rebuilt from a URL, custom policies parsed and checked, the
 * URL-safe base64 CloudFront uses, wildcard resources and source-IP ranges. Pure functions, no HTTP.
 */
import { BlockList, isIPv4 } from 'node:net';
import { wildcardRegExp } from './distribution.ts';

export interface PolicyStatement {
  /** Absent: any object of any distribution trusting the key (docs: Resource is optional but recommended). */
  resource?: string;
  dateLessThan: number;
  dateGreaterThan?: number;
  /** IPv4 CIDR, e.g. `192.0.2.0/24`. */
  sourceIp?: string;
}

/**
 * The canned policy CloudFront rebuilds from a signed URL and verifies the signature against — byte for byte as
 * the signers serialise it ("Create a signed URL using a canned policy"; botocore's CloudFrontSigner and
 * @aws-sdk/cloudfront-signer both emit this compact key order).
 */
export function cannedPolicyJson(resource: string, expires: string | number): string {
  return `{"Statement":[{"Resource":${JSON.stringify(resource)},"Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
}

/** CloudFront's URL-safe base64: `+`→`-`, `=`→`_`, `/`→`~` (docs: "characters that are invalid in a URL query string"). */
export function encodeCloudFrontBase64(data: Buffer | string): string {
  return Buffer.from(data).toString('base64').replace(/[+=/]/g, (c) => ({ '+': '-', '=': '_', '/': '~' })[c] as string);
}

/** The bytes behind a CloudFront base64 value, or undefined when it holds characters outside that alphabet. */
export function decodeCloudFrontBase64(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9\-_~]+$/.test(s)) return undefined;
  const std = s.replace(/[-_~]/g, (c) => ({ '-': '+', _: '=', '~': '/' })[c] as string);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(std)) return undefined;
  const out = Buffer.from(std, 'base64');
  return out.length ? out : undefined;
}

/**
 * A custom policy's statement, or undefined when it is not one CloudFront accepts: exactly one statement
 * ("You can include only one statement"), DateLessThan required, only the documented condition keys.
 */
export function parsePolicy(json: string): PolicyStatement | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return undefined;
  }
  const statements = isObject(doc) ? doc.Statement : undefined;
  if (!Array.isArray(statements) || statements.length !== 1 || !isObject(statements[0])) return undefined;
  const { Resource, Condition } = statements[0];
  if (Resource !== undefined && typeof Resource !== 'string') return undefined;
  if (!isObject(Condition) || Object.keys(Condition).some((k) => !CONDITIONS.has(k))) return undefined;
  const dateLessThan = epoch(Condition.DateLessThan);
  if (dateLessThan === undefined) return undefined;
  const statement: PolicyStatement = { dateLessThan, resource: Resource };
  if (Condition.DateGreaterThan !== undefined) {
    statement.dateGreaterThan = epoch(Condition.DateGreaterThan);
    if (statement.dateGreaterThan === undefined) return undefined;
  }
  if (Condition.IpAddress !== undefined) {
    const ip = isObject(Condition.IpAddress) ? Condition.IpAddress['AWS:SourceIp'] : undefined;
    if (typeof ip !== 'string' || !parseCidr(ip)) return undefined;
    statement.sourceIp = ip;
  }
  return statement;
}

const CONDITIONS = new Set(['DateLessThan', 'DateGreaterThan', 'IpAddress']);

/** `{"AWS:EpochTime": <integer seconds>}` — docs: "Do not enclose the value in quotation marks". */
function epoch(v: unknown): number | undefined {
  const t = isObject(v) ? v['AWS:EpochTime'] : undefined;
  return typeof t === 'number' && Number.isInteger(t) && t >= 0 ? t : undefined;
}

/** IPv4 `a.b.c.d/n` (a bare address means /32); IPv6 ranges are not supported in policies (docs). */
function parseCidr(cidr: string): { net: string; prefix: number } | undefined {
  const [net, mask = '32', extra] = cidr.split('/');
  if (extra !== undefined || !isIPv4(net) || !/^\d{1,2}$/.test(mask) || Number(mask) > 32) return undefined;
  return { net, prefix: Number(mask) };
}

/** Whether the client address is inside the policy's range (IPv4-mapped IPv6 addresses count as IPv4). */
export function ipAllowed(cidr: string, clientIp: string): boolean {
  const range = parseCidr(cidr);
  const ip = clientIp.replace(/^::ffff:/i, '');
  if (!range || !isIPv4(ip)) return false;
  const list = new BlockList();
  list.addSubnet(range.net, range.prefix, 'ipv4');
  return list.check(ip, 'ipv4');
}

/** Whether a policy's Resource (with `*` and `?` wildcards) names one of the URLs the request may stand for. */
export function resourceMatches(resource: string | undefined, urls: string[]): boolean {
  if (resource === undefined) return true;
  const re = wildcardRegExp(resource);
  return urls.some((u) => re.test(u));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
