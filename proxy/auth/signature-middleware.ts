/**
 * Every request must come through the company API gateway, which signs it (draft-cavage HTTP Signatures).
 * The gateway vouches for the caller by adding `x-user-email` under its signature; anything it did not sign
 * is not an identity, so an unsigned identity header is refused rather than trusted or silently dropped.
 */
import { ProxyError } from '../core/errors.ts';
import type { Middleware } from '../core/types.ts';
import { verifyHttpSignatureRotating, type PublicKeys } from './http-signature.ts';

/** The header the gateway injects for a caller whose JWT it verified. */
export const IDENTITY_HEADER = 'x-user-email';

export interface SignatureMiddlewareOptions {
  publicKeys: PublicKeys;
  maxSkewSeconds?: number;
  identityHeader?: string;
}

export function signatureMiddleware(opts: SignatureMiddlewareOptions): Middleware {
  const identityHeader = (opts.identityHeader ?? IDENTITY_HEADER).toLowerCase();
  return async (req, deps) => {
    const { signedHeaders } = await verifyHttpSignatureRotating(req, { publicKeys: opts.publicKeys, now: deps.clock.now(), maxSkewSeconds: opts.maxSkewSeconds });
    const email = req.headers[identityHeader]?.trim();
    if (email === undefined) {
      req.identity = null;
      return;
    }
    if (!signedHeaders.includes(identityHeader)) {
      throw new ProxyError(401, 'identity_not_signed', `the ${identityHeader} header is present but not covered by the signature`);
    }
    req.identity = email ? { email } : null;
  };
}
