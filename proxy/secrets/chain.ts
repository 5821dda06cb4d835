/**
 * The secret chain: providers are asked in order (environment → a secret store, Vault KV v2 or AWS Secrets
 * Manager → the Vault Lambda extension's file) at cold start; the first provider that knows a name wins. Every
 * provider's `finish` runs afterwards whatever the chain asked of it, so the extension's file is always deleted.
 *
 * The store can be read again while the container runs (`refresh`): when values are older than the refresh
 * interval (checked lazily on `get`, since a Lambda container has no reliable timers) or on demand, when a caller
 * sees the old value refused (an upstream 401, an unknown signing keyId, a webhook no key verifies). The
 * environment and the file are fixed for the container's life. Values live only in memory and are registered
 * with the logger so none can be printed; messages name secrets and where they were looked for, never a value.
 */
import type { Logger } from '../core/log.ts';
import { scheduleReads, type ReadSchedule } from './schedule.ts';

export interface SecretProvider {
  readonly name: string;
  /** Where the provider looks, for messages: "Vault secret/gatehouse/customerio". Never a value. */
  readonly where: string;
  /** Load whatever this provider holds for the wanted names. Missing names are simply absent. */
  load(wanted: readonly string[]): Promise<Record<string, string>>;
  /** A store that can be read again in a running container (Vault, Secrets Manager). */
  readonly refreshable?: boolean;
  /** Runs once after the chain ran, whatever it supplied (the extension file is deleted here). */
  finish?(): Promise<void>;
  /** The versions last read ("secret/gatehouse/customerio" → 3), for logs and audit lines. */
  versions?(): Record<string, string | number>;
}

/** One name, or alternatives of which any one suffices (`API_GATEWAY_PUBLIC_KEYS` or the single `…_KEY`). */
export type Requirement = string | readonly string[];

export interface SecretEvent {
  action: 'secret_load' | 'secret_refresh';
  outcome: 'success' | 'changed' | 'unchanged' | 'failure';
  /** Secret names (never values) and where they came from. */
  names: string[];
  reason?: string;
  sources?: Record<string, string>;
  versions?: Record<string, string | number>;
  error?: string;
}

export interface ChainOptions {
  log?: Logger;
  /** Names that must be present after the chain (default: none); a missing one fails the cold start by name. */
  required?: readonly Requirement[];
  now?: () => number;
  /** Re-read the store when its values are older than this many ms (0: only on demand). */
  refreshAfterMs?: number;
  /** Two store reads never start closer than this many ms (unauthenticated callers can ask for re-reads). */
  minRefreshIntervalMs?: number;
  /** Every load and refresh, for the security audit trail. */
  onEvent?: (e: SecretEvent) => void;
}

export interface Secrets {
  get(name: string): string | undefined;
  /** Which provider supplied a name (for the start-up table; never the value). */
  source(name: string): string | undefined;
  names(): string[];
  values(): string[];
  /**
   * Re-read the store with a read that starts after this call (joined by every caller until it starts), and
   * resolve to the names whose value changed. A failed read keeps the old values and resolves to [].
   */
  refresh(reason: string): Promise<string[]>;
  /** The chain has a store to re-read (false: `refresh` can never change anything). */
  readonly refreshable: boolean;
  /** Called with the changed names after a refresh changed something; returns the unsubscribe function. */
  onChange(listener: (changed: string[]) => void): () => void;
}

export class SecretChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretChainError';
  }
}

type Layer = { provider: SecretProvider; values: Record<string, string> };

export async function loadSecrets(providers: SecretProvider[], wanted: readonly string[], opts: ChainOptions | Logger = {}): Promise<Secrets> {
  const o: ChainOptions = 'info' in opts ? { log: opts } : opts;
  const now = o.now ?? Date.now;
  const layers: Layer[] = [];
  try {
    for (const provider of providers) {
      const missing = wanted.filter((n) => !layers.some((l) => n in l.values));
      if (missing.length === 0) break;
      layers.push({ provider, values: await loadFrom(provider, missing) });
    }
  } catch (e) {
    o.onEvent?.({ action: 'secret_load', outcome: 'failure', names: [...wanted], error: (e as Error).message });
    throw e;
  } finally {
    // Whatever happened above: a provider that holds secrets outside memory (the extension's file) lets go of them.
    for (const p of providers) await p.finish?.().catch((e) => o.log?.warn('secret provider cleanup failed', { provider: p.where, error: (e as Error).message }));
  }
  const missing = unmet(o.required ?? [], merge(layers).values);
  if (missing.length) {
    const where = providers.map((p) => p.where).join(', ');
    const error = `missing secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: not found in ${where}`;
    o.onEvent?.({ action: 'secret_load', outcome: 'failure', names: missing, error });
    throw new SecretChainError(error);
  }
  return liveSecrets(layers, wanted, o, now);
}

/** One provider's answer, its values filtered to non-empty strings; a failure names what was wanted and where. */
async function loadFrom(provider: SecretProvider, names: readonly string[]): Promise<Record<string, string>> {
  let got: Record<string, string>;
  try {
    got = await provider.load(names);
  } catch (e) {
    throw new SecretChainError(`could not load ${names.join(', ')} from ${provider.where}: ${(e as Error).message}`);
  }
  const out: Record<string, string> = {};
  for (const n of names) if (typeof got[n] === 'string' && got[n] !== '') out[n] = got[n];
  return out;
}

function merge(layers: Layer[]): { values: Map<string, string>; sources: Map<string, string> } {
  const values = new Map<string, string>();
  const sources = new Map<string, string>();
  for (const { provider, values: v } of layers) {
    for (const [k, val] of Object.entries(v)) {
      if (values.has(k)) continue;
      values.set(k, val);
      sources.set(k, provider.name);
    }
  }
  return { values, sources };
}

const unmet = (required: readonly Requirement[], values: Map<string, string>): string[] =>
  required.filter((r) => (typeof r === 'string' ? !values.has(r) : !r.some((n) => values.has(n)))).map((r) => (typeof r === 'string' ? r : r.join(' or ')));

function versionsOf(layers: Layer[]): Record<string, string | number> {
  return Object.assign({}, ...layers.map((l) => l.provider.versions?.() ?? {}));
}

function liveSecrets(initial: Layer[], wanted: readonly string[], o: ChainOptions, now: () => number): Secrets {
  let layers = initial;
  let { values, sources } = merge(layers);
  const listeners = new Set<(changed: string[]) => void>();
  o.log?.addSecretValues(values.values());
  o.log?.info('secrets loaded', { sources: Object.fromEntries(sources), versions: versionsOf(layers) });
  o.onEvent?.({ action: 'secret_load', outcome: 'success', names: [...values.keys()], sources: Object.fromEntries(sources), versions: versionsOf(layers) });

  // A store is re-read only for the names no fixed provider ahead of it (the environment) already holds.
  const stores = layers.filter((l) => l.provider.refreshable);
  const reread = async (reason: string): Promise<string[]> => {
    try {
      const next: Layer[] = [];
      for (const l of layers) {
        if (!l.provider.refreshable) {
          next.push(l);
          continue;
        }
        const fixedAhead = new Set(next.filter((x) => !x.provider.refreshable).flatMap((x) => Object.keys(x.values)));
        next.push({ provider: l.provider, values: await loadFrom(l.provider, wanted.filter((n) => !fixedAhead.has(n))) });
      }
      const merged = merge(next);
      const lost = unmet(o.required ?? [], merged.values);
      if (lost.length) throw new SecretChainError(`the store no longer holds ${lost.join(', ')}; keeping the values loaded before`);
      const changed = [...new Set([...values.keys(), ...merged.values.keys()])].filter((k) => values.get(k) !== merged.values.get(k));
      layers = next;
      ({ values, sources } = merged);
      o.log?.addSecretValues(values.values());
      o.log?.info('secrets refreshed', { reason, changed, versions: versionsOf(layers) });
      o.onEvent?.({ action: 'secret_refresh', outcome: changed.length ? 'changed' : 'unchanged', names: changed, reason, versions: versionsOf(layers) });
      if (changed.length) for (const fn of listeners) fn(changed);
      return changed;
    } catch (e) {
      o.log?.warn('secret refresh failed; keeping the values loaded before', { reason, error: (e as Error).message });
      o.onEvent?.({ action: 'secret_refresh', outcome: 'failure', names: [], reason, error: (e as Error).message });
      return [];
    }
  };
  const schedule: ReadSchedule<string[]> | undefined = stores.length
    ? scheduleReads(reread, { now, minIntervalMs: o.minRefreshIntervalMs ?? 1000 })
    : undefined;
  const refreshAfterMs = o.refreshAfterMs ?? 0;

  return {
    get(name) {
      // Stale-while-revalidate: this caller gets the current value; a read in the background brings the next.
      if (schedule && refreshAfterMs > 0 && now() - schedule.lastStart() > refreshAfterMs && !schedule.pending()) void schedule.request('ttl');
      return values.get(name);
    },
    source: (n) => sources.get(n),
    names: () => [...values.keys()],
    values: () => [...values.values()],
    refresh: (reason) => (schedule ? schedule.request(reason) : Promise.resolve([])),
    refreshable: schedule !== undefined,
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** A fixed set of secrets (tests, scripts): nothing to refresh. */
export const staticSecrets = (obj: Record<string, string>): Secrets => {
  const values = new Map(Object.entries(obj));
  return {
    get: (n) => values.get(n),
    source: (n) => (values.has(n) ? 'static' : undefined),
    names: () => [...values.keys()],
    values: () => [...values.values()],
    refresh: async () => [],
    refreshable: false,
    onChange: () => () => {},
  };
};
