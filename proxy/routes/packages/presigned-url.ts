/**
 * The unauthenticated proxy's gate: a URL is followed only if it is, strictly, a presigned S3 GET URL of an
 * allow-listed bucket. Parsing is done once with WHATWG URL rules (what fetch and browsers use), and anything a
 * different parser could read differently (backslashes, userinfo, IP spellings, odd ports) is refused outright.
 * Pure: no network, no DNS — the host must be an S3 name by its spelling alone.
 */
import { isIP } from 'node:net';

export interface PresignPolicy {
  allowedBuckets: string[];
  /** The configured local S3 endpoint (path style, http allowed, its port allowed). */
  localEndpoint?: string;
  maxLength: number;
  /** Epoch milliseconds. */
  now: number;
}

export interface Accepted {
  ok: true;
  url: URL;
  bucket: string;
  key: string;
  expiresAt: number;
}

export interface Refused {
  ok: false;
  status: 400 | 403;
  reason: string;
  message: string;
}

const refuse = (status: 400 | 403, reason: string, message: string): Refused => ({ ok: false, status, reason, message });

// SigV4 query authentication parameters (S3 docs, "Authenticating Requests: Using Query Parameters").
const REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
const MAX_EXPIRES_S = 604800; // 7 days, the SigV4 presign maximum
const AWS_HOST = /^(?:s3|s3[.-][a-z0-9-]+)\.amazonaws\.com$/;
const AWS_VHOST = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.(?:s3|s3[.-][a-z0-9-]+)\.amazonaws\.com$/;

export function checkPresignedUrl(raw: string | null, p: PresignPolicy): Accepted | Refused {
  if (raw === null || raw === '') return refuse(400, 'missing_presigned_url', 'query parameter presigned_url is required');
  if (raw.length > p.maxLength) return refuse(400, 'url_too_long', `presigned_url is longer than ${p.maxLength} characters`);
  if (/[\s\\\x00-\x1f\x7f]/.test(raw)) return refuse(400, 'invalid_url', 'presigned_url contains whitespace, control characters or backslashes');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(400, 'invalid_url', 'presigned_url is not an absolute URL');
  }
  if (url.username || url.password || /^[a-z]+:\/\/[^/?#]*@/i.test(raw)) return refuse(400, 'userinfo_not_allowed', 'presigned_url must not carry credentials');
  if (url.hash || raw.includes('#')) return refuse(400, 'fragment_not_allowed', 'presigned_url must not have a fragment');
  const target = locate(url, p);
  if (!target.ok) return target;
  if (!p.allowedBuckets.includes(target.bucket)) return refuse(403, 'bucket_not_allowed', `bucket ${target.bucket} is not allowed`);
  if (!target.key) return refuse(400, 'missing_key', 'presigned_url names no object');
  const expiresAt = checkSignatureParams(url.searchParams, p.now);
  if (typeof expiresAt !== 'number') return expiresAt;
  return { ok: true, url, bucket: target.bucket, key: target.key, expiresAt };
}

type Located = { ok: true; bucket: string; key: string } | Refused;

/** Which bucket and key the URL addresses: the local endpoint (path style), or S3 path or virtual-hosted style. */
function locate(url: URL, p: PresignPolicy): Located {
  const local = p.localEndpoint ? new URL(p.localEndpoint) : undefined;
  if (local && url.protocol === local.protocol && url.host === local.host) return pathStyle(url);
  if (url.protocol !== 'https:') return refuse(400, 'scheme_not_allowed', 'presigned_url must be https');
  const host = url.hostname;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return refuse(403, isLinkLocal(bare) ? 'link_local_address' : 'ip_literal_not_allowed', `presigned_url must name an S3 host, not the address ${host}`);
  if (url.port) return refuse(403, 'port_not_allowed', `port ${url.port} is not allowed`);
  if (AWS_HOST.test(host)) return pathStyle(url);
  const v = AWS_VHOST.exec(host);
  if (v) return { ok: true, bucket: v[1], key: decodeKey(url.pathname.slice(1)) };
  return refuse(403, 'host_not_allowed', `host ${host} is not an S3 endpoint`);
}

function pathStyle(url: URL): Located {
  const [, bucket = '', ...rest] = url.pathname.split('/');
  if (!bucket) return refuse(400, 'missing_bucket', 'presigned_url names no bucket');
  return { ok: true, bucket: decodeKey(bucket), key: decodeKey(rest.join('/')) };
}

function decodeKey(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** 169.254.0.0/16 (instance metadata lives at 169.254.169.254) and fe80::/10, incl. IPv4-mapped forms. */
function isLinkLocal(ip: string): boolean {
  const v4 = ip.replace(/^::ffff:/i, '');
  if (/^169\.254\./.test(v4)) return true;
  if (/^::ffff:a9fe:/i.test(ip)) return true;
  return /^fe[89ab][0-9a-f]:/i.test(ip);
}

function checkSignatureParams(q: URLSearchParams, now: number): number | Refused {
  for (const name of REQUIRED) {
    const all = q.getAll(name);
    if (all.length === 0 || all[0] === '') return refuse(400, 'missing_signature_parameter', `presigned_url lacks ${name}`);
    if (all.length > 1) return refuse(400, 'duplicate_signature_parameter', `presigned_url repeats ${name}`);
  }
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return refuse(400, 'unsupported_algorithm', 'X-Amz-Algorithm must be AWS4-HMAC-SHA256');
  if (!/^[0-9a-f]{64}$/.test(q.get('X-Amz-Signature')!)) return refuse(400, 'malformed_signature', 'X-Amz-Signature must be 64 hex digits');
  if (!q.get('X-Amz-SignedHeaders')!.split(';').includes('host')) return refuse(400, 'malformed_signature', 'X-Amz-SignedHeaders must include host');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get('X-Amz-Date')!);
  if (!date) return refuse(400, 'malformed_date', 'X-Amz-Date must be YYYYMMDDTHHMMSSZ');
  const signedAt = Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]);
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_S) return refuse(400, 'malformed_expires', `X-Amz-Expires must be 1..${MAX_EXPIRES_S} seconds`);
  // S3 refuses requests dated more than 15 minutes ahead (RequestTimeTooSkewed).
  if (signedAt > now + 15 * 60_000) return refuse(400, 'not_yet_valid', 'X-Amz-Date is in the future');
  const expiresAt = signedAt + expires * 1000;
  if (expiresAt <= now) return refuse(403, 'expired', 'the presigned URL has expired');
  return Math.floor(expiresAt / 1000);
}
