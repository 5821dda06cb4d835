/**
 * Runs the cases of one surface against the stack, a bounded number at a time, and sorts every outcome: answers
 * by status class, requests left without an answer, error answers outside the surface's promised shape, and the
 * servers that stopped answering (probed after every batch).
 */
import { exchange, type Outcome } from './client.ts';
import { makeCase, type Case } from './generator.ts';
import type { MutationContext } from './mutations.ts';
import { endpointOf, type Surface } from './surfaces.ts';
import type { Death, Target } from './target.ts';

export interface Example {
  case: string;
  mutations: string[];
  signed: boolean;
  line: string;
  status?: number;
  detail: string;
}

export interface SurfaceResult {
  surface: string;
  requests: number;
  signed: number;
  byClass: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number>;
  /** Requests without an answer, by why: hung-up (the fuzzer hung up on purpose), closed, reset, timeout, refused. */
  noAnswer: Record<string, number>;
  fiveXX: Example[];
  offShape: Example[];
  offShapeCount: number;
  /** Requests the server neither answered nor closed within the timeout (a slow path, or a request it waits on forever). */
  timeouts: Example[];
  deaths: Death[];
  /** Latencies of answered requests, in ms. */
  latencies: number[];
  /** Requests the listener that must never be reached received while this surface ran. */
  reachedElsewhere: number;
  /** Cases the generator failed to build (a fuzzer bug, not a finding). */
  generatorErrors: string[];
}

export interface RunOptions {
  count: number;
  seed: string;
  concurrency: number;
  /** Cases between two health probes. */
  batch: number;
  timeoutMs: number;
  onProgress?: (surface: string, done: number) => void;
}

const MAX_EXAMPLES = 8;

export async function runSurface(surface: Surface, target: Target, ctx: MutationContext & { elsewhereHits(): number }, opts: RunOptions): Promise<SurfaceResult> {
  const r: SurfaceResult = {
    surface: surface.name, requests: 0, signed: 0, byClass: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    noAnswer: {}, fiveXX: [], offShape: [], offShapeCount: 0, timeouts: [], deaths: [], latencies: [], reachedElsewhere: 0, generatorErrors: [],
  };
  const to = endpointOf(surface.url);
  const elsewhereBefore = ctx.elsewhereHits();
  for (let start = 0; start < opts.count && target.alive(); start += opts.batch) {
    const end = Math.min(opts.count, start + opts.batch);
    let next = start;
    const worker = async () => {
      while (next < end && target.alive()) {
        const i = next++;
        let c: Case;
        try {
          c = await makeCase(surface, opts.seed, i, ctx);
        } catch (e) {
          // A generator bug must not end the run; it is reported as such.
          r.generatorErrors.push(`${surface.name}#${i}: ${(e as Error).message}`);
          continue;
        }
        record(r, surface, c, await exchange(to, c.request, opts.timeoutMs));
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    opts.onProgress?.(surface.name, end);
    r.deaths.push(...(await target.check(`${surface.name} cases ${start}-${end - 1}`)));
  }
  r.reachedElsewhere = ctx.elsewhereHits() - elsewhereBefore;
  return r;
}

function record(r: SurfaceResult, surface: Surface, c: Case, o: Outcome): void {
  r.requests++;
  if (c.signed) r.signed++;
  const example = (detail: string, status?: number): Example => ({ case: `${c.surface}#${c.index}`, mutations: c.mutations, signed: c.signed, line: c.line, status, detail });
  if (o.kind === 'none') {
    r.noAnswer[o.reason] = (r.noAnswer[o.reason] ?? 0) + 1;
    if (o.reason === 'timeout' && r.timeouts.length < MAX_EXAMPLES) r.timeouts.push(example('no answer within the timeout'));
    return;
  }
  r.latencies.push(o.ms);
  const cls = `${Math.floor(o.status / 100)}xx` as keyof SurfaceResult['byClass'];
  if (cls in r.byClass) r.byClass[cls]++;
  const snippet = o.body.toString('utf8').slice(0, 240).replace(/\s+/g, ' ');
  if (o.status >= 500 && r.fiveXX.length < MAX_EXAMPLES) r.fiveXX.push(example(snippet, o.status));
  if (o.status >= 400 && !c.request.noBody) {
    const why = surface.shape(c)({ status: o.status, headers: o.headers, body: o.body });
    if (why !== undefined) {
      r.offShapeCount++;
      if (r.offShape.length < MAX_EXAMPLES) r.offShape.push(example(`${why}: ${o.headers['content-type'] ?? ''} ${snippet}`, o.status));
    }
  }
}

/** The p-th percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
