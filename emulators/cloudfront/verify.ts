/**
 * Verification of CloudFront signed URLs and signed cookies, canned and custom policy. Pure functions: the wire
 * layer hands in what it parsed (the URLs the request may stand for, the signing values, client IP, clock).
 *
 * Checks, in order: Key-Pair-Id present → signature and policy present → key trusted → signature decodable →
 * policy well-formed → RSA signature over the policy JSON → DateLessThan → DateGreaterThan → IpAddress →
 * Resource. The signature is RSA-SHA1 (SHA256 when `Hash-Algorithm=SHA256`, as the signer SDKs emit it).
 */
import { verify as rsaVerify, type KeyObject } from 'node:crypto';
import { denial, type Denial } from './errors.ts';
import { cannedPolicyJson, decodeCloudFrontBase64, ipAllowed, parsePolicy, resourceMatches, type PolicyStatement } from './policy.ts';

/** The names signing values travel under in a query string. */
export const SIGNING_PARAMS = ['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm'] as const;
type SigningName = (typeof SIGNING_PARAMS)[number];
export type SigningValues = Partial<Record<SigningName, string>>;

export interface SignedRequest {
  /** Viewer URLs the request may have been signed for (scheme://host/path?query), signing parameters removed. */
  urls: string[];
  credentials: SigningValues;
  via: 'url' | 'cookie';
  clientIp: string;
  /** Unix time, seconds. */
  now: number;
}

export type Verdict =
  | { ok: true; keyPairId: string; policy: 'canned' | 'custom'; via: 'url' | 'cookie'; resource?: string }
  | { ok: false; denial: Denial; via: 'url' | 'cookie' };

/** Split a raw query string into the signing values and the rest (kept raw, in order, for the resource URL). */
export function splitSigningParams(rawQuery: string): { values: SigningValues; rest: string } {
  const values: SigningValues = {};
  const rest: string[] = [];
  for (const pair of rawQuery.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    if ((SIGNING_PARAMS as readonly string[]).includes(name)) values[name as SigningName] = safeDecode(eq < 0 ? '' : pair.slice(eq + 1));
    else rest.push(pair);
  }
  return { values, rest: rest.join('&') };
}

/** Signing values from the `CloudFront-*` cookies ("Set signed cookies using a canned/custom policy"). */
export function cookieSigningValues(cookies: Record<string, string>): SigningValues {
  const values: SigningValues = {};
  for (const name of SIGNING_PARAMS) {
    const v = cookies[`CloudFront-${name}`];
    if (v !== undefined) values[name] = v;
  }
  return values;
}

/** Whether a query string carries a signed URL's values (then cookies are not consulted). */
export function hasUrlSignature(values: SigningValues): boolean {
  return ['Expires', 'Policy', 'Signature', 'Key-Pair-Id'].some((k) => values[k as SigningName] !== undefined);
}

/** Verify a signed request against the trusted keys (`keyFor` returns the public key, PEM or parsed, for a key-pair id). */
export function verifySignedRequest(req: SignedRequest, keyFor: (keyPairId: string) => string | KeyObject | undefined): Verdict {
  const deny = (reason: Parameters<typeof denial>[0]): Verdict => ({ ok: false, denial: denial(reason), via: req.via });
  const c = req.credentials;
  const keyPairId = c['Key-Pair-Id'];
  if (!keyPairId) return deny('missing-key-pair-id');
  if (!c.Signature) return deny('missing-signature');
  if (c.Policy === undefined && c.Expires === undefined) return deny('missing-policy');
  const publicKey = keyFor(keyPairId);
  if (!publicKey) return deny('unknown-key');
  const signature = decodeCloudFrontBase64(c.Signature);
  if (!signature) return deny('malformed-signature');
  const algorithm = c['Hash-Algorithm'] === 'SHA256' ? 'sha256' : 'sha1';
  if (c['Hash-Algorithm'] !== undefined && c['Hash-Algorithm'] !== 'SHA1' && c['Hash-Algorithm'] !== 'SHA256') return deny('malformed-signature');
  const signedBy = (json: string) => checkSignature(algorithm, json, publicKey, signature);

  let statement: PolicyStatement;
  let kind: 'canned' | 'custom';
  if (c.Policy !== undefined) {
    const json = decodeCloudFrontBase64(c.Policy)?.toString('utf8');
    const parsed = json === undefined ? undefined : parsePolicy(json);
    if (!json || !parsed) return deny('malformed-policy');
    if (!signedBy(json)) return deny('bad-signature');
    statement = parsed;
    kind = 'custom';
  } else {
    const expires = c.Expires as string;
    if (!/^\d{1,12}$/.test(expires)) return deny('malformed-policy');
    // The canned policy names the exact URL; a URL that verifies is the resource (no wildcard step needed).
    const resource = req.urls.find((u) => signedBy(cannedPolicyJson(u, expires)));
    if (resource === undefined) return deny('bad-signature');
    statement = { resource, dateLessThan: Number(expires) };
    kind = 'canned';
  }
  const failed = checkConditions(statement, req);
  if (failed) return deny(failed);
  return { ok: true, keyPairId, policy: kind, via: req.via, resource: statement.resource };
}

/** The policy's conditions against the request; the first that fails, or undefined. */
function checkConditions(s: PolicyStatement, req: SignedRequest): 'expired' | 'not-yet-valid' | 'ip-not-allowed' | 'resource-mismatch' | undefined {
  if (req.now >= s.dateLessThan) return 'expired';
  if (s.dateGreaterThan !== undefined && req.now <= s.dateGreaterThan) return 'not-yet-valid';
  if (s.sourceIp !== undefined && !ipAllowed(s.sourceIp, req.clientIp)) return 'ip-not-allowed';
  if (!resourceMatches(s.resource, req.urls)) return 'resource-mismatch';
  return undefined;
}

function checkSignature(algorithm: 'sha1' | 'sha256', policyJson: string, publicKey: string | KeyObject, signature: Buffer): boolean {
  try {
    return rsaVerify(algorithm, Buffer.from(policyJson, 'utf8'), publicKey, signature);
  } catch {
    return false;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
