/**
 * One Lambda function as the runtime runs it: the bundle is imported on the first invocation (a cold start, with
 * its init duration measured), the instance is reused while warm, and a timeout discards it so the next request
 * starts cold again, as Lambda replaces an environment whose invocation timed out.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createContext, newLogStreamName, type LambdaContext } from './context.ts';
import type { EnvOverlay } from './env.ts';

type Handler = (event: unknown, context: LambdaContext, callback?: (err: unknown, result?: unknown) => void) => unknown;

export interface FunctionSpec {
  name: string;
  /** Directory holding index.mjs (default dist/lambda/<name>). */
  bundleDir?: string;
  env?: Record<string, string>;
  pathPrefix?: string;
  /** Default 3000, Lambda's default function timeout. */
  timeoutMs?: number;
  memoryMb?: number;
}

export interface FunctionStats {
  name: string;
  coldStarts: number;
  invocations: number;
  errors: number;
  timeouts: number;
  /** Import of the bundle + the first invocation (where the app is built); null until the first cold start. */
  lastInitDurationMs: number | null;
  lastImportMs: number | null;
  lastDurationMs: number | null;
}

export type InvokeOutcome = { kind: 'ok'; result: unknown } | { kind: 'error'; error: Error } | { kind: 'timeout' };

export const DEFAULT_BUNDLE_ROOT = resolve(import.meta.dirname, '../../dist/lambda');
let instanceSeq = 0;

export interface RuntimeHooks {
  log(line: string): void;
  onColdStart?(initDurationMs: number): void;
}

interface Instance { handler: Handler; importMs: number; logStreamName: string; cold: boolean }

export class LambdaFunction {
  readonly name: string;
  readonly timeoutMs: number;
  private readonly mjs: string;
  private instance: Instance | undefined;
  stats: FunctionStats;

  constructor(private readonly spec: FunctionSpec, private readonly env: EnvOverlay, private readonly hooks: RuntimeHooks) {
    this.name = spec.name;
    this.timeoutMs = spec.timeoutMs ?? 3000;
    this.mjs = join(spec.bundleDir ?? join(DEFAULT_BUNDLE_ROOT, spec.name), 'index.mjs');
    this.stats = emptyStats(spec.name);
  }

  resetStats(): void {
    this.stats = emptyStats(this.name);
  }

  async invoke(event: unknown): Promise<InvokeOutcome> {
    this.env.apply(this.spec.env);
    let inst: Instance;
    try {
      inst = this.instance ??= await this.load();
    } catch (e) {
      this.stats.errors++;
      this.hooks.log(`ERROR\tInit Error\t${JSON.stringify({ errorType: 'Runtime.ImportModuleError', errorMessage: (e as Error).message })}`);
      return { kind: 'error', error: e as Error };
    }
    const started = performance.now();
    const ctx = createContext({ name: this.name, memoryMb: this.spec.memoryMb ?? 128, logStreamName: inst.logStreamName }, Date.now() + this.timeoutMs);
    this.stats.invocations++;
    this.hooks.log(`START RequestId: ${ctx.awsRequestId} Version: $LATEST`);
    const outcome = await withTimeout(callHandler(inst.handler, event, ctx), this.timeoutMs);
    const ms = performance.now() - started;
    this.record(outcome, inst, ctx.awsRequestId, ms);
    return outcome;
  }

  private async load(): Promise<Instance> {
    const started = performance.now();
    // A fresh URL per cold start gives a fresh module instance (ESM caches by URL), like a new environment.
    const mod = (await import(`${pathToFileURL(this.mjs).href}?instance=${++instanceSeq}`)) as { handler?: unknown };
    if (typeof mod.handler !== 'function') throw new Error(`${this.mjs} does not export a handler function`);
    return { handler: mod.handler as Handler, importMs: performance.now() - started, logStreamName: newLogStreamName(), cold: true };
  }

  private record(outcome: InvokeOutcome, inst: Instance, requestId: string, ms: number): void {
    const s = this.stats;
    s.lastDurationMs = ms;
    if (outcome.kind === 'timeout') {
      s.timeouts++;
      this.instance = undefined;
      this.hooks.log(`${new Date().toISOString()} ${requestId} Task timed out after ${(this.timeoutMs / 1000).toFixed(2)} seconds`);
    } else if (outcome.kind === 'error') {
      s.errors++;
      this.hooks.log(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: outcome.error.name, errorMessage: outcome.error.message })}`);
    }
    let init = '';
    if (inst.cold) {
      inst.cold = false;
      s.coldStarts++;
      s.lastImportMs = inst.importMs;
      s.lastInitDurationMs = inst.importMs + ms;
      this.hooks.onColdStart?.(s.lastInitDurationMs);
      init = `\tInit Duration: ${s.lastInitDurationMs.toFixed(2)} ms`;
    }
    const mem = Math.round(process.memoryUsage().rss / 1024 / 1024);
    this.hooks.log(`END RequestId: ${requestId}`);
    // The runtime's REPORT line (docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html); Init Duration only when cold.
    this.hooks.log(`REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.ceil(ms)} ms\tMemory Size: ${this.spec.memoryMb ?? 128} MB\tMax Memory Used: ${mem} MB${init}`);
  }
}

function emptyStats(name: string): FunctionStats {
  return { name, coldStarts: 0, invocations: 0, errors: 0, timeouts: 0, lastInitDurationMs: null, lastImportMs: null, lastDurationMs: null };
}

/** Async handlers return a promise; callback-style handlers (three parameters) answer through the callback. */
function callHandler(handler: Handler, event: unknown, ctx: LambdaContext): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const callback = (err: unknown, result?: unknown) => (err ? reject(toError(err)) : resolvePromise(result));
    try {
      const ret = handler(event, ctx, callback);
      if (handler.length < 3 || (ret && typeof (ret as Promise<unknown>).then === 'function')) Promise.resolve(ret).then(resolvePromise, (e) => reject(toError(e)));
    } catch (e) {
      reject(toError(e));
    }
  });
}

const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e)));

async function withTimeout(work: Promise<unknown>, ms: number): Promise<InvokeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<InvokeOutcome>((r) => { timer = setTimeout(() => r({ kind: 'timeout' }), ms); });
  const done = work.then((result): InvokeOutcome => ({ kind: 'ok', result }), (error: Error): InvokeOutcome => ({ kind: 'error', error }));
  try {
    return await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
