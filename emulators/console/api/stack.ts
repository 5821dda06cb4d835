/**
 * Stack view: every service with its URLs, supervisor state, health, request count and last error; reset to the
 * seed (one service or all); fault injection per fake through its own `/__admin/faults`.
 *
 *   GET    /api/stack                       {services:[…]}
 *   POST   /api/stack/reset                 {"service": name | "all"}
 *   GET    /api/stack/:service/faults       the fake's active faults
 *   POST   /api/stack/:service/faults       a FaultSpec (status, ratio, latencyMs, …), validated by the fake
 *   DELETE /api/stack/:service/faults       every fault off
 */
import { ProxyError } from '../../../proxy/core/errors.ts';
import { validateFault, type FaultSpec } from '../../shared/faults.ts';
import { bad, field, type ApiRoute } from '../app.ts';
import { FAKES, type Fake } from '../config.ts';
import type { ConsoleDeps } from '../deps.ts';
import { reason } from '../stack-client.ts';

export interface ServiceRow {
  name: string;
  urls: Record<string, string>;
  state: string;
  pid: number | null;
  restarts: number;
  exits: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  uptimeMs: number | null;
  health: { ok: boolean; error?: string };
  requests: number | null;
  lastError: string | null;
  faults: number | null;
}

const isFake = (name: string): name is Fake => (FAKES as readonly string[]).includes(name);

function fakeName(name: string): Fake {
  if (!isFake(name)) throw new ProxyError(404, 'not_a_fake', `${name.slice(0, 60)} has no /__admin API; the fakes are ${FAKES.join(', ')}`);
  return name;
}

async function row(deps: ConsoleDeps, s: Awaited<ReturnType<ConsoleDeps['stack']['status']>>[number]): Promise<ServiceRow> {
  const base: ServiceRow = { ...s, health: { ok: false }, requests: null, lastError: null, faults: null };
  if (s.lastExit) base.lastError = `exited (code ${s.lastExit.code ?? '—'}, signal ${s.lastExit.signal ?? '—'}) at ${s.lastExit.at}`;
  if (s.name === 'console') return { ...base, health: { ok: true }, requests: deps.requests() };
  if (s.name === 'proxy') {
    const h = await deps.traces.proxyHealth();
    return { ...base, health: h.health, requests: h.requests, lastError: h.lastError ?? base.lastError };
  }
  if (!isFake(s.name)) return base;
  try {
    const [health, faults] = await Promise.all([
      deps.fakes.json<{ requests?: number; lastError?: { time: string; method: string; path: string; status?: number; fault?: string } | null }>(s.name, '/__admin/health', { timeoutMs: 3000 }),
      deps.fakes.json<{ faults: unknown[] }>(s.name, '/__admin/faults', { timeoutMs: 3000 }),
    ]);
    const e = health.lastError;
    return {
      ...base,
      health: { ok: true },
      requests: health.requests ?? null,
      lastError: e ? `${e.time} ${e.method} ${e.path.slice(0, 120)} → ${e.status ?? 'dropped'}${e.fault ? ` (fault ${e.fault})` : ''}` : base.lastError,
      faults: faults.faults.length,
    };
  } catch (err) {
    return { ...base, health: { ok: false, error: (err as Error).message ?? reason(err) } };
  }
}

export const stackRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/stack',
    handler: async (_req, deps) => ({ json: { services: await Promise.all((await deps.stack.status()).map((s) => row(deps, s))) } }),
  },
  {
    method: 'POST', path: '/api/stack/reset',
    handler: async (req, deps) => {
      const service = field(req.json, 'service');
      if (typeof service !== 'string') throw bad('missing_field', 'service is required: a service name or "all"');
      const names = (await deps.stack.status()).map((s) => s.name).filter((n) => n !== 'console');
      if (service !== 'all' && !names.includes(service)) throw new ProxyError(404, 'unknown_service', `no service named ${service.slice(0, 60)}; the stack runs ${names.join(', ')}`);
      const started = Date.now();
      if (service === 'all') {
        // The fakes first, together; then the proxy (a cold start), so its caches start from the fresh seed.
        await Promise.all(names.filter((n) => n !== 'proxy').map((n) => deps.stack.reset(n)));
        if (names.includes('proxy')) await deps.stack.reset('proxy');
      } else await deps.stack.reset(service);
      deps.events.publish('stack', { reset: service });
      return { json: { reset: service === 'all' ? names : [service], ms: Date.now() - started } };
    },
  },
  {
    method: 'GET', path: '/api/stack/:service/faults',
    handler: async (req, deps) => ({ json: await deps.fakes.json(fakeName(req.params.service), '/__admin/faults') }),
  },
  {
    method: 'POST', path: '/api/stack/:service/faults',
    handler: async (req, deps) => {
      const fake = fakeName(req.params.service);
      const spec = req.json as FaultSpec;
      // Checked here too, so the page names the field before the fake is asked.
      const errs = validateFault(spec);
      if (errs.length) throw bad('invalid_fault', errs.join('; '));
      const added = await deps.fakes.json(fake, '/__admin/faults', { method: 'POST', json: spec });
      deps.events.publish('stack', { faults: fake });
      return { status: 201, json: added };
    },
  },
  {
    method: 'DELETE', path: '/api/stack/:service/faults',
    handler: async (req, deps) => {
      const fake = fakeName(req.params.service);
      await deps.fakes.json(fake, '/__admin/faults', { method: 'DELETE' });
      deps.events.publish('stack', { faults: fake });
      return { json: { ok: true } };
    },
  },
];
