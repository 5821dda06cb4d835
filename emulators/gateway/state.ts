/**
 * The gateway's model, no HTTP: its keys, the JWTs it issues and accepts, counters of what it did and the requests
 * it answered itself.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, errors as joseErrors, exportJWK, jwtVerify, type JWK } from 'jose';
import type { GatewayKeys } from './keys.ts';
import { Refusals } from './refusals.ts';

export const JWT_ISSUER = 'https://gateway.gatehouse.local';
export const JWT_AUDIENCE = 'gatehouse-mobile';
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export type TokenCheck = { ok: true; email: string } | { ok: false; reason: string };

interface Stats {
  forwarded: number;
  authenticated: number;
  anonymous: number;
  rejected: number;
  upstreamErrors: number;
}

interface VerifiedToken {
  email: string;
  exp: number;
  nbf?: number;
}

const MAX_REMEMBERED_TOKENS = 10_000;

const zeroStats = (): Stats => ({ forwarded: 0, authenticated: 0, anonymous: 0, rejected: 0, upstreamErrors: 0 });

export class GatewayState {
  stats = zeroStats();
  /** The requests the gateway answered itself (refusals.ts): what the proxy's trace ring never sees. */
  readonly refusals = new Refusals();
  private readonly jwtPrivate: KeyObject;
  private readonly jwtPublic: KeyObject;
  private kid?: string;
  /** Tokens that verified, by their text (bounded: the oldest is forgotten first). */
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(readonly keys: GatewayKeys, readonly upstream: URL, private readonly clock: () => number = Date.now) {
    this.jwtPrivate = createPrivateKey(keys.jwtPrivateKeyPem);
    this.jwtPublic = createPublicKey(this.jwtPrivate);
  }

  async mintToken(email: string, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS): Promise<string> {
    const iat = Math.floor(this.clock() / 1000);
    return new SignJWT({ email })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: await this.keyId() })
      .setSubject(email)
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(this.jwtPrivate);
  }

  /** RS256 only, our issuer and audience, exp required; the reason texts follow API Gateway's www-authenticate. */
  async verifyToken(token: string): Promise<TokenCheck> {
    const known = this.verified.get(token);
    if (known && this.stillValid(known)) return { ok: true, email: known.email };
    try {
      const { payload } = await jwtVerify(token, this.jwtPublic, {
        algorithms: ['RS256'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        requiredClaims: ['exp'],
        currentDate: new Date(this.clock()),
      });
      const email = typeof payload.email === 'string' ? payload.email : payload.sub;
      if (!email) return { ok: false, reason: 'the token has no email claim' };
      this.remember(token, { email, exp: payload.exp!, nbf: payload.nbf });
      return { ok: true, email };
    } catch (e) {
      return { ok: false, reason: tokenFailure(e) };
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.jwtPublic);
    return { keys: [{ ...jwk, kid: await this.keyId(), alg: 'RS256', use: 'sig' }] };
  }

  snapshot() {
    return { upstream: this.upstream.href, signingKeyId: this.keys.signing.active().keyId, signingPublicKeyPem: this.keys.signing.active().publicKeyPem, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, stats: { ...this.stats } };
  }

  reset(): void {
    this.stats = zeroStats();
    // The journal is cleared with it; its refusals go too (their numbering goes on, so a stream resumes right).
    this.refusals.clear();
  }

  /**
   * A token that verified stays good until its exp (or before its nbf): only the time claims are checked again, and
   * a token failing them is verified in full so the reason is jose's. A mobile app sends one token for an hour, so
   * this spares an RSA verification per request.
   */
  private stillValid(t: VerifiedToken): boolean {
    const now = Math.floor(this.clock() / 1000);
    return now < t.exp && (t.nbf === undefined || t.nbf <= now);
  }

  private remember(token: string, t: VerifiedToken): void {
    if (this.verified.size >= MAX_REMEMBERED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, t);
  }

  /** RFC 7638 thumbprint, so the kid changes exactly when the key does. */
  private async keyId(): Promise<string> {
    this.kid ??= await calculateJwkThumbprint(await exportJWK(this.jwtPublic));
    return this.kid;
  }
}

// Wording from API Gateway's JWT authorizer (docs: http-api-troubleshooting-jwt).
const FAILURES: [new (...a: never[]) => Error, (e: Error) => string][] = [
  [joseErrors.JWTExpired, () => 'the token has expired'],
  [joseErrors.JWTClaimValidationFailed, (e) => claimFailure((e as InstanceType<typeof joseErrors.JWTClaimValidationFailed>).claim)],
  [joseErrors.JWSSignatureVerificationFailed, () => 'the token signature is invalid'],
];

function tokenFailure(e: unknown): string {
  for (const [type, describe] of FAILURES) if (e instanceof type) return describe(e);
  return 'the token is malformed';
}

function claimFailure(claim: string): string {
  if (claim === 'aud') return 'the token does not have a valid audience';
  if (claim === 'iss') return 'the token does not have a valid issuer';
  return `the token has an invalid ${claim} claim`;
}
