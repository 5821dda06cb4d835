/**
 * Signers that make a mutated request pass authentication, so the fuzz reaches the code behind it: the gateway's
 * HTTP signature for requests straight to the proxy, SigV4 for the AWS edge. They sign what the model holds
 * after the `before` mutations; `after` mutations then damage the bytes on the wire.
 */
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { signRequest } from '../../../emulators/gateway/sign.ts';
import { IDENTITY_HEADER } from '../../../proxy/auth/signature-middleware.ts';
import { removeHeader, setHeader, type RequestModel } from './request.ts';

export type Signer = (m: RequestModel) => Promise<void>;

const lowerHeaders = (m: RequestModel): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of m.headers) out[k.toLowerCase()] = out[k.toLowerCase()] === undefined ? v : `${out[k.toLowerCase()]}, ${v}`;
  return out;
};

/** As the gateway signs for the proxy: Date, Digest, Signature over the request, with the caller's email when given. */
export function gatewaySigner(privateKeyPem: string): Signer {
  return async (m) => {
    // What the gateway does: drop what the client may not say about itself (and the key it checked), then sign.
    for (const h of ['date', 'digest', 'signature', 'authorization', 'x-api-key', IDENTITY_HEADER]) removeHeader(m, h);
    if (m.identity) setHeader(m, IDENTITY_HEADER, m.identity);
    const headers = lowerHeaders(m);
    const added = signRequest({ method: m.method, path: m.path, rawQuery: m.query, headers, body: m.body }, privateKeyPem);
    for (const [k, v] of Object.entries(added)) setHeader(m, k, v);
  };
}

/** SigV4 as the AWS SDK signs (S3 signs its payload hash and leaves the path unescaped). */
export function sigv4Signer(service: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): Signer {
  const s3 = service === 's3';
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256, uriEscapePath: !s3, applyChecksum: s3 });
  return async (m) => {
    for (const h of ['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']) removeHeader(m, h);
    const headers = lowerHeaders(m);
    if (s3) headers['x-amz-content-sha256'] = createHash('sha256').update(m.body).digest('hex');
    const query: Record<string, string | string[]> = {};
    for (const part of m.query ? m.query.split('&') : []) {
      const eq = part.indexOf('=');
      const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
      query[k] = query[k] === undefined ? v : ([] as string[]).concat(query[k], v);
    }
    const host = headers.host ?? '127.0.0.1';
    try {
      const signed = await signer.sign({ method: m.method, protocol: 'http:', hostname: host, path: m.path, query, headers, body: m.body });
      for (const [k, v] of Object.entries(signed.headers)) if (headers[k] !== v) setHeader(m, k, String(v));
    } catch {
      // A path or method the signer itself refuses goes out unsigned: still a fair request to throw at the edge.
    }
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}
