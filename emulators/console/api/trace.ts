/**
 * Trace view: mobile requests, newest first, each with its hops (traces.ts joins them); new ones arrive on the
 * page's event stream. Near misses: every request a fake could not route, with the closest routes it has.
 *
 *   GET /api/traces[?limit=]       {status, traces:[…]} (status says why the live feed is not connected, or null);
 *                                  a request the gateway answered itself is a row with `stoppedAt: "gateway"`
 *   GET /api/traces/:id            one row with its hops joined again (a fake's journal may have caught up)
 *   GET /api/near-misses           {misses:[{fake, entry}]} from every fake's journal, newest first
 */
import { int, missing, type ApiRoute } from '../app.ts';
import { FAKES } from '../config.ts';
import type { ConsoleDeps } from '../deps.ts';
import type { JournalEntry } from '../traces.ts';

export const traceRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/traces',
    handler: async (req, deps) => ({ json: { status: deps.traces.status, traces: deps.traces.list(int(req.query.get('limit'), 'limit', 1, 500, 100)) } }),
  },
  {
    method: 'GET', path: '/api/traces/:id',
    handler: async (req, deps) => {
      const id = int(req.params.id, 'id', 1, Number.MAX_SAFE_INTEGER, 0);
      const row = deps.traces.get(id) ?? missing('trace_not_found', `no trace row ${id} (the console keeps the last 500)`);
      await deps.traces.join(row);
      return { json: row };
    },
  },
  {
    method: 'GET', path: '/api/near-misses',
    handler: async (_req, deps) => {
      const settled = await Promise.allSettled(FAKES.map((f) => deps.fakes.json<{ entries: JournalEntry[] }>(f, '/__admin/journal?nearMiss=1', { timeoutMs: 5000 })));
      const misses: { fake: string; entry: JournalEntry }[] = [];
      const problems: string[] = [];
      settled.forEach((s, i) => {
        if (s.status === 'rejected') return void problems.push((s.reason as Error).message);
        // A journal that does not know the filter answers every entry: keep only real near misses.
        for (const entry of s.value.entries) if (entry.nearMiss) misses.push({ fake: FAKES[i], entry });
      });
      misses.sort((a, b) => b.entry.time.localeCompare(a.entry.time));
      return { json: { misses: misses.slice(0, 200), problems } };
    },
  },
];
