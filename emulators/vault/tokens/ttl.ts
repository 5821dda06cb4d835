/**
 * How long a token (or lease) lives, computed as sdk/framework.CalculateTTL does: a period wins (capped by the max),
 * otherwise the increment, the backend's TTL or the mount's default; and never past the start time plus the
 * effective max (mount max, lowered by the backend's and the explicit max). Warnings carry Vault's wording.
 */
import { coreError } from '../errors.ts';
import { goDuration } from '../duration.ts';

/** Vault's system default and maximum lease TTL: 768h (32 days) unless configured. */
export const SYSTEM_TTL = 768 * 3600;

export interface MountTtls {
  /** The mount's tuned default_lease_ttl, or 0 for the system's. */
  defaultTtl: number;
  maxTtl: number;
}

export interface TtlInput {
  mount: MountTtls;
  increment?: number;
  backendTtl?: number;
  period?: number;
  backendMaxTtl?: number;
  explicitMaxTtl?: number;
  /** Seconds since the epoch the lease started (its issue time). */
  start: number;
  now: number;
}

export function calculateTtl(i: TtlInput): { ttl: number; warnings: string[] } {
  const warnings: string[] = [];
  const now = Math.floor(i.now);
  const start = Math.floor(i.start);
  let maxTtl = i.mount.maxTtl || SYSTEM_TTL;
  if (i.backendMaxTtl && i.backendMaxTtl > 0 && i.backendMaxTtl < maxTtl) maxTtl = i.backendMaxTtl;
  if (i.explicitMaxTtl && i.explicitMaxTtl > 0 && i.explicitMaxTtl < maxTtl) maxTtl = i.explicitMaxTtl;
  let ttl: number;
  let maxValid: number | undefined;
  if (i.period && i.period > 0) {
    let period = i.period;
    if (period > maxTtl) {
      warnings.push(`period of ${JSON.stringify(goDuration(period))} exceeded the effective max_ttl of ${JSON.stringify(goDuration(maxTtl))}; period value is capped accordingly`);
      period = maxTtl;
    }
    ttl = period;
    if (i.explicitMaxTtl && i.explicitMaxTtl > 0) maxValid = start + i.explicitMaxTtl;
  } else {
    ttl = i.increment && i.increment > 0 ? i.increment : i.backendTtl && i.backendTtl > 0 ? i.backendTtl : i.mount.defaultTtl || SYSTEM_TTL;
    maxValid = start + maxTtl;
  }
  if (maxValid !== undefined) {
    const left = maxValid - now;
    // framework/lease.go: past the max there is nothing left to give.
    if (left <= 0) throw coreError('past the max TTL, cannot renew', 500);
    if (left < ttl) {
      warnings.push(`TTL of ${JSON.stringify(goDuration(ttl))} exceeded the effective max_ttl of ${JSON.stringify(goDuration(left))}; TTL value is capped accordingly`);
      ttl = left;
    }
  }
  return { ttl, warnings };
}
