/**
 * The edge's model (no HTTP): the distribution, the keys it trusts, its cache and what it has refused. The wire
 * layer (routes.ts) asks it which behaviour applies, whether a signed request passes, and what is cached.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { behaviorFor, trustedKey, type CacheBehavior, type Distribution } from './distribution.ts';
import { EdgeCache } from './cache.ts';
import type { DenialReason } from './errors.ts';
import { verifySignedRequest, type SignedRequest, type Verdict } from './verify.ts';

export interface EdgeStateOptions {
  distribution: Distribution;
  /** Public keys that replace the committed ones by id (a locally generated pair; see keys.ts). */
  keyOverrides?: Record<string, string>;
  /** Epoch milliseconds. */
  now?: () => number;
}

interface DenialRecord {
  time: string;
  path: string;
  via: 'url' | 'cookie';
  reason: DenialReason;
}

export class EdgeState {
  readonly distribution: Distribution;
  readonly cache = new EdgeCache();
  readonly now: () => number;
  private readonly overrides: Record<string, string>;
  /** Parsed public keys by id: parsing a PEM costs more than the RSA check itself. */
  private readonly parsed = new Map<string, KeyObject>();
  private requests = 0;
  private denials: DenialRecord[] = [];
  private denialCounts: Partial<Record<DenialReason, number>> = {};

  constructor(o: EdgeStateOptions) {
    this.distribution = o.distribution;
    this.overrides = o.keyOverrides ?? {};
    this.now = o.now ?? Date.now;
  }

  behavior(path: string): CacheBehavior {
    return behaviorFor(this.distribution, path);
  }

  /** The public key trusted for a key-pair id, if any key group holds it (a key that does not parse trusts nothing). */
  publicKey(keyPairId: string): KeyObject | undefined {
    const committed = trustedKey(this.distribution, keyPairId);
    if (committed === undefined) return undefined;
    let key = this.parsed.get(keyPairId);
    if (!key) {
      try {
        key = createPublicKey(this.overrides[keyPairId] ?? committed);
      } catch {
        return undefined;
      }
      this.parsed.set(keyPairId, key);
    }
    return key;
  }

  /** Check a signed request and remember a refusal (reason only: never the signature). */
  admit(path: string, req: Omit<SignedRequest, 'now'>): Verdict {
    this.requests++;
    const verdict = verifySignedRequest({ ...req, now: Math.floor(this.now() / 1000) }, (id) => this.publicKey(id));
    if (!verdict.ok) this.recordDenial(path, verdict.via, verdict.denial.reason);
    return verdict;
  }

  countRequest(): void {
    this.requests++;
  }

  /** Cache back to empty and counters to zero; the distribution and keys are configuration and stay. */
  reset(): void {
    this.cache.clear();
    this.requests = 0;
    this.denials = [];
    this.denialCounts = {};
  }

  snapshot() {
    const d = this.distribution;
    return {
      distribution: {
        id: d.id,
        domainName: d.domainName,
        aliases: d.aliases,
        origin: d.origin,
        trustedKeyGroups: d.keyGroups.map((g) => ({ id: g.id, name: g.name, publicKeyIds: g.publicKeys.map((k) => k.id) })),
        defaultCacheBehavior: d.defaultCacheBehavior,
        cacheBehaviors: d.cacheBehaviors,
      },
      requests: this.requests,
      cache: { ...this.cache.stats(), keys: this.cache.keys() },
      denials: { counts: this.denialCounts, recent: this.denials },
    };
  }

  private recordDenial(path: string, via: 'url' | 'cookie', reason: DenialReason): void {
    this.denialCounts[reason] = (this.denialCounts[reason] ?? 0) + 1;
    this.denials.push({ time: new Date(this.now()).toISOString(), path, via, reason });
    if (this.denials.length > 100) this.denials.shift();
  }
}
