/**
 * API keys and usage plans as API Gateway (REST) applies them: on routes that require a key, `x-api-key` must
 * name an enabled key in a usage plan (else 403 {"message":"Forbidden"}); the plan's throttle is a token bucket
 * (rateLimit per second refill, burstLimit capacity) answering 429 {"message":"Too Many Requests"}, and its quota
 * per DAY/WEEK/MONTH answers 429 {"message":"Limit Exceeded"} (API Gateway developer guide: "Usage plans",
 * "Throttle API requests"). The model is here, without HTTP; the gateway step is at the bottom.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EarlyReply, Step } from './steps.ts';
import type { GatewayState } from './state.ts';

export const DEFAULT_API_KEYS_FILE = fileURLToPath(new URL('../../fixtures/gateway/api-keys.json', import.meta.url));

export interface UsagePlan {
  id: string;
  name?: string;
  throttle?: { rateLimit: number; burstLimit: number };
  quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH' };
}

export interface ApiKey {
  id: string;
  name?: string;
  value: string;
  enabled: boolean;
  usagePlanId: string;
}

export interface ApiKeysConfig {
  /** Paths that require a key; a trailing `*` matches any rest of the path. */
  routes: string[];
  usagePlans: UsagePlan[];
  apiKeys: ApiKey[];
}

export type KeyDecision = 'ok' | 'forbidden' | 'throttled' | 'quota_exceeded';

interface Usage {
  tokens: number;
  refilledAt: number;
  period: string;
  used: number;
}

export function loadApiKeys(file: string = DEFAULT_API_KEYS_FILE): ApiKeysConfig {
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as ApiKeysConfig;
  const plans = new Set(cfg.usagePlans.map((p) => p.id));
  for (const k of cfg.apiKeys) {
    // API Gateway requires key values of at least 20 characters (CreateApiKey, value).
    if (typeof k.value !== 'string' || k.value.length < 20) throw new Error(`${file}: API key ${k.id} must be at least 20 characters`);
    if (!plans.has(k.usagePlanId)) throw new Error(`${file}: API key ${k.id} names unknown usage plan ${k.usagePlanId}`);
  }
  return cfg;
}

export class ApiKeyStore {
  private usage = new Map<string, Usage>();
  private readonly patterns: RegExp[];

  constructor(readonly config: ApiKeysConfig, private readonly now: () => number = Date.now) {
    this.patterns = config.routes.map((r) => new RegExp(`^${r.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  }

  requiresKey(path: string): boolean {
    return this.patterns.some((p) => p.test(path));
  }

  /** Checks and, when allowed, counts one request. */
  check(value: string | undefined): KeyDecision {
    return this.decide(value).decision;
  }

  /** The decision, with the key (by id) and usage plan it was made for: what the gateway's journal records. */
  decide(value: string | undefined): { decision: KeyDecision; keyId?: string; usagePlanId?: string } {
    const key = value ? this.config.apiKeys.find((k) => k.value === value) : undefined;
    const of = (decision: KeyDecision) => ({ decision, keyId: key?.id, usagePlanId: key?.usagePlanId });
    if (!key || !key.enabled) return of('forbidden');
    const plan = this.config.usagePlans.find((p) => p.id === key.usagePlanId)!;
    const now = this.now();
    const u = this.usageOf(key, plan, now);
    if (plan.quota && u.used >= plan.quota.limit) return of('quota_exceeded');
    if (plan.throttle) {
      u.tokens = Math.min(plan.throttle.burstLimit, u.tokens + ((now - u.refilledAt) / 1000) * plan.throttle.rateLimit);
      u.refilledAt = now;
      if (u.tokens < 1) return of('throttled');
      u.tokens -= 1;
    }
    u.used++;
    return of('ok');
  }

  snapshot() {
    return Object.fromEntries([...this.usage].map(([id, u]) => [id, { period: u.period, used: u.used, tokens: Math.floor(u.tokens) }]));
  }

  reset(): void {
    this.usage.clear();
  }

  private usageOf(key: ApiKey, plan: UsagePlan, now: number): Usage {
    const period = periodOf(plan.quota?.period ?? 'DAY', now);
    let u = this.usage.get(key.id);
    if (!u) {
      u = { tokens: plan.throttle?.burstLimit ?? 0, refilledAt: now, period, used: 0 };
      this.usage.set(key.id, u);
    }
    if (u.period !== period) {
      u.period = period;
      u.used = 0;
    }
    return u;
  }
}

/** Quota periods start at 00:00 UTC (DAY), Monday (WEEK) or the 1st (MONTH), as API Gateway counts them. */
function periodOf(period: 'DAY' | 'WEEK' | 'MONTH', now: number): string {
  const d = new Date(now);
  if (period === 'MONTH') return d.toISOString().slice(0, 7);
  if (period === 'WEEK') {
    const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
    return `W${monday.toISOString().slice(0, 10)}`;
  }
  return d.toISOString().slice(0, 10);
}

// Bodies as API Gateway answers them (observed: 403 {"message":"Forbidden"}, 429 {"message":"Too Many Requests"},
// 429 {"message":"Limit Exceeded"} for an exhausted quota).
const REPLIES: Record<Exclude<KeyDecision, 'ok'>, EarlyReply> = {
  forbidden: { status: 403, headers: { 'x-amzn-errortype': 'ForbiddenException' }, body: { message: 'Forbidden' } },
  throttled: { status: 429, headers: { 'x-amzn-errortype': 'TooManyRequestsException' }, body: { message: 'Too Many Requests' } },
  quota_exceeded: { status: 429, headers: { 'x-amzn-errortype': 'LimitExceededException' }, body: { message: 'Limit Exceeded' } },
};

/** One store per gateway (counters must not leak between gateways in one process), from the fixture by default. */
const stores = new WeakMap<GatewayState, ApiKeyStore>();

export function apiKeyCheck(store?: ApiKeyStore): Step {
  return async (x, state) => {
    let s = store ?? stores.get(state);
    if (!s) stores.set(state, (s = new ApiKeyStore(loadApiKeys())));
    // API Gateway's CORS OPTIONS method requires no key (a browser never sends one on a preflight); the integration answers.
    if (!s.requiresKey(x.path) || x.method === 'OPTIONS') return;
    const { decision, keyId, usagePlanId } = s.decide(x.client['x-api-key']);
    x.hop.apiKey = { keyId, usagePlanId, verdict: decision };
    if (decision !== 'ok') return REPLIES[decision];
    // The proxy never needs the key; it stays at the gateway.
    delete x.forward['x-api-key'];
  };
}
