/**
 * The AWS pact's example requests carry the consumer's fake SigV4 signature and a fixed date, which the edge
 * refuses (it enforces SigV4, as AWS does). The verifier's request filter signs each one again with the edge's
 * credentials, over the same headers a provider relies on, for the service named in the example's credential scope.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingMessage } from 'node:http';

export interface Credentials { accessKeyId: string; secretAccessKey: string }

/** Signed and nothing else: headers a proxy in between may rewrite (connection, content-length) stay out. */
const SIGNED = ['host', 'content-type', 'x-amz-target', 'x-amz-content-sha256'];

const scopeService = (authorization: string) => /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);

function queryOf(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k of new Set(search.keys())) {
    const all = search.getAll(k);
    out[k] = all.length === 1 ? all[0] : all;
  }
  return out;
}

// Query-string authentication (a presigned URL): these carry the signature; the rest of the query is signed by it.
const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'];

/**
 * A presigned example (the S3 proxy's probe) is presigned again: same method, path, other query parameters and
 * lifetime, the edge's credentials and the current time — the URL in `req.url` is replaced.
 */
async function represign(req: IncomingMessage, credentials: Credentials, now: Date): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const scope = /^[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request$/.exec(url.searchParams.get('X-Amz-Credential') ?? '');
  if (!scope) return;
  const [, region, service] = scope;
  const expiresIn = Number(url.searchParams.get('X-Amz-Expires') ?? 300);
  // The payload hash goes in as the header S3's presigner sets (the signer hoists it into the query), not as a query value.
  const payload = url.searchParams.get('X-Amz-Content-Sha256');
  for (const p of [...PRESIGN_PARAMS, 'X-Amz-Content-Sha256']) url.searchParams.delete(p);
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: service !== 's3', applyChecksum: false });
  const signed = await signer.presign({
    method: req.method ?? 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port) || undefined,
    path: decodeURIComponent(url.pathname), query: queryOf(url.searchParams), headers: { host: url.host, ...(payload ? { 'x-amz-content-sha256': payload } : {}) },
  }, { signingDate: now, expiresIn });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) for (const one of Array.isArray(v) ? v : [v]) if (one !== null) query.append(k, one);
  req.url = `${url.pathname}?${query.toString()}`;
}

/** Re-signs `req` in place; a request without a SigV4 header or presigned query (the verifier's state calls) is left alone. */
export async function resignSigV4(req: IncomingMessage & { body?: unknown }, credentials: Credentials, now = new Date()): Promise<void> {
  const auth = req.headers.authorization;
  if (auth === undefined && /[?&]X-Amz-Signature=/.test(req.url ?? '')) return represign(req, credentials, now);
  const scope = typeof auth === 'string' && auth.startsWith('AWS4-HMAC-SHA256 ') ? scopeService(auth) : null;
  if (!scope) return;
  const [, region, service] = scope;
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const headers: Record<string, string> = {};
  for (const h of SIGNED) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
  if (service === 's3') headers['x-amz-content-sha256'] = Buffer.from(await digest(body)).toString('hex');
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: service !== 's3', applyChecksum: false });
  const signed = await signer.sign({
    method: req.method ?? 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port) || undefined,
    path: decodeURIComponent(url.pathname), query: queryOf(url.searchParams), headers, body,
  }, { signingDate: now });
  req.headers.authorization = signed.headers.authorization;
  req.headers['x-amz-date'] = signed.headers['x-amz-date'];
  if (headers['x-amz-content-sha256']) req.headers['x-amz-content-sha256'] = headers['x-amz-content-sha256'];
}

async function digest(body: Buffer): Promise<Uint8Array> {
  const h = new Sha256();
  h.update(body);
  return h.digest();
}
