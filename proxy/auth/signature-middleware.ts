/**
 * Every request must come through the company API gateway, which signs it (draft-cavage HTTP Signatures).
 * The gateway vouches for the caller by adding `x-user-email` under its signature; anything it did not sign
 * is not an identity, so an unsigned identity header is refused rather than trusted or silently dropped.
 * A signed request is served once per container: a second arrival of the same signature inside its validity
 * window is a replay (the gateway signs every request afresh, with a request id of its own under the signature).
 */
import { ProxyError } from '../core/errors.ts';
import type { Middleware } from '../core/types.ts';
import { signatureRefusal, verifyHttpSignatureRotating, type PublicKeys } from './http-signature.ts';
import { SignatureReplayCache } from './replay-cache.ts';

/** The header the gateway injects for a caller whose JWT it verified. */
export const IDENTITY_HEADER = 'x-user-email';

export interface SignatureMiddlewareOptions {
  publicKeys: PublicKeys;
  maxSkewSeconds?: number;
  identityHeader?: string;
  /** Signatures already served; one per container (the default: one per middleware, built once per cold start). */
  replays?: SignatureReplayCache;
}

export function signatureMiddleware(opts: SignatureMiddlewareOptions): Middleware {
  const identityHeader = (opts.identityHeader ?? IDENTITY_HEADER).toLowerCase();
  const replays = opts.replays ?? new SignatureReplayCache();
  return async (req, deps) => {
    const now = deps.clock.now();
    const { signedHeaders, signature, validUntil } = await verifyHttpSignatureRotating(req, { publicKeys: opts.publicKeys, now, maxSkewSeconds: opts.maxSkewSeconds });
    const email = req.headers[identityHeader]?.trim();
    if (email !== undefined && !signedHeaders.includes(identityHeader)) {
      throw new ProxyError(401, 'identity_not_signed', `the ${identityHeader} header is present but not covered by the signature`);
    }
    // Only a request about to be served is remembered, so a forger cannot fill the cache; +1 ms: the window's last
    // millisecond still verifies.
    if (!replays.admit(signature, validUntil + 1, now)) {
      throw signatureRefusal('signature_replayed', 'this signed request was already accepted; each request must be signed afresh');
    }
    req.identity = email ? { email } : null;
  };
}
