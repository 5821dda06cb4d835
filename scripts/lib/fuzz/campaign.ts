/**
 * One fuzz campaign from start to end, for `npm run fuzz` and for the seeded run in `npm test`: a listener nothing
 * may forward to, the stack in its own process, live credentials, then each chosen surface in turn.
 */
import http from 'node:http';
import { formatReport, verdict, type Verdict } from './report.ts';
import { runSurface, type SurfaceResult } from './runner.ts';
import { prepareCredentials } from './setup.ts';
import { buildSurfaces, type Credentials, type Surface } from './surfaces.ts';
import { launchStack, type Death, type Target } from './target.ts';
import type { MutationContext } from './mutations.ts';

export interface CampaignOptions {
  count: number;
  seed: string;
  concurrency: number;
  /** Surface names; all when empty. */
  surfaces?: string[];
  onProgress?: (surface: string, done: number) => void;
}

export interface CampaignResult {
  results: SurfaceResult[];
  deaths: Death[];
  handlerErrors: string[];
  verdict: Verdict;
  report: string;
  /** The stack's last lines of output when something died. */
  output: string[];
}

export type Context = MutationContext & { elsewhereHits(): number };

/** Start what a campaign needs and hand it to `use`; everything is stopped afterwards, whatever happens. */
export async function withFuzzTarget<T>(use: (target: Target, surfaces: Surface[], ctx: Context, creds: Credentials) => Promise<T>): Promise<T> {
  let hits = 0;
  const elsewhere = http.createServer((_req, res) => {
    hits++;
    res.end('reached');
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  const ctx: Context = { elsewhere: `127.0.0.1:${(elsewhere.address() as { port: number }).port}`, elsewhereHits: () => hits };
  try {
    const target = await launchStack();
    try {
      const creds = await prepareCredentials(target.urls, target.stateDir);
      return await use(target, buildSurfaces(target.urls, creds), ctx, creds);
    } finally {
      await target.close();
    }
  } finally {
    elsewhere.close();
  }
}

export async function runCampaign(target: Target, surfaces: Surface[], ctx: Context, creds: Credentials, opts: CampaignOptions, header: string): Promise<CampaignResult> {
  const chosen = opts.surfaces?.length ? surfaces.filter((s) => opts.surfaces!.includes(s.name)) : surfaces;
  const results: SurfaceResult[] = [];
  for (const s of chosen) {
    if (!target.alive()) break;
    await creds.refresh();
    results.push(await runSurface(s, target, ctx, { count: opts.count, seed: opts.seed, concurrency: opts.concurrency, batch: 500, timeoutMs: 20_000, onProgress: opts.onProgress }));
  }
  const v = verdict(results, target.handlerErrors);
  if (!target.alive() && !target.deaths.length) v.failures.push('the stack is not running');
  return {
    results,
    deaths: target.deaths,
    handlerErrors: target.handlerErrors,
    verdict: { ok: v.ok && target.alive(), failures: v.failures },
    report: formatReport(results, target.handlerErrors, header),
    output: target.deaths.length ? target.output().slice(-60) : [],
  };
}
