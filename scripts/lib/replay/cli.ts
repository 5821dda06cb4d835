/**
 * `npm run replay -- <file.har> [--target URL] [--concurrency N] [--rate R] [--junit out.xml] [--only GLOB]
 * [--reset [--admin URL] [--force]]` as a function over argv and streams, so tests run it in-process and the script
 * stays a thin entry point. Exit code: 0 all matched, 1 any difference or error, 2 bad usage, an unreadable HAR or a
 * refused or failed reset.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { localCredentials } from './credentials.ts';
import { HarError, parseHar, type ReplayEntry } from './har.ts';
import { IdentityMap, type Credentials } from './identity.ts';
import { Redactor, loadRedactionRules } from './redaction.ts';
import { junitXml, mismatchReport, progressPrinter, summaryTable } from './report.ts';
import { loadCompareRules } from './rules.ts';
import { resetRefusal, resetStack } from './reset.ts';
import { replay, type EntryResult } from './runner.ts';
import { seededEmails, seededSecretValues } from './seeds.ts';

export const USAGE = 'usage: npm run replay -- <file.har> [--target URL] [--concurrency N] [--rate R] [--junit out.xml] [--only GLOB] [--state-dir DIR] [--aws URL] [--reset [--admin URL] [--force]]';

export interface ReplayArgs {
  file: string;
  target: string;
  concurrency: number;
  rate?: number;
  junit?: string;
  only?: string;
  stateDir: string;
  aws?: string;
  /** Put the target back to its seed first (the stack's `POST /__admin/reset` at `admin`). */
  reset: boolean;
  /** The local stack's admin endpoint: its proxy's port. */
  admin: string;
  /** Allow `--reset` against a target that is not on this machine. */
  force: boolean;
}

const FLAGS: Record<string, keyof ReplayArgs> = { '--target': 'target', '--concurrency': 'concurrency', '--rate': 'rate', '--junit': 'junit', '--only': 'only', '--state-dir': 'stateDir', '--aws': 'aws', '--admin': 'admin' };
const SWITCHES: Record<string, keyof ReplayArgs> = { '--reset': 'reset', '--force': 'force' };

export function parseReplayArgs(argv: string[], env: Record<string, string | undefined> = process.env): ReplayArgs {
  const out: Record<string, string | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s) : [argv[i]];
    const key = FLAGS[flag];
    if (SWITCHES[flag]) {
      if (inline !== undefined) throw new Error(`${flag} takes no value`);
      out[SWITCHES[flag] as string] = 'true';
    } else if (key) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      out[key as string] = v;
    } else if (flag.startsWith('-')) throw new Error(`unknown option ${flag}`);
    else if (out.file) throw new Error(`unexpected argument "${flag}" (one HAR file at a time)`);
    else out.file = flag;
  }
  if (!out.file) throw new Error('a HAR file is required');
  const num = (name: string, v: unknown, min: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${v}"`);
    return n;
  };
  return {
    file: out.file,
    target: String(out.target ?? `http://127.0.0.1:${env.GATEWAY_PORT ?? 8080}`),
    concurrency: out.concurrency === undefined ? 8 : Math.floor(num('concurrency', out.concurrency, 1)),
    rate: out.rate === undefined ? undefined : num('rate', out.rate, 0.001),
    junit: out.junit as string | undefined,
    only: out.only as string | undefined,
    stateDir: String(out.stateDir ?? env.GATEHOUSE_STATE_DIR ?? '.state'),
    aws: (out.aws as string | undefined) ?? env.AWS_ENDPOINT_URL ?? `http://127.0.0.1:${env.AWS_PORT ?? 4566}`,
    reset: out.reset === 'true',
    admin: String(out.admin ?? `http://127.0.0.1:${env.PROXY_PORT ?? 3000}`),
    force: out.force === 'true',
  };
}

export interface RunIo {
  out: (s: string) => void;
  err: (s: string) => void;
  tty: boolean;
  /** Credentials to use instead of ones made from the state directory (tests). */
  credentials?: Credentials;
}

export async function runReplayCli(argv: string[], io: RunIo): Promise<{ code: number; results: EntryResult[] }> {
  let args: ReplayArgs;
  let entries;
  try {
    args = parseReplayArgs(argv);
    entries = parseHar(readFileSync(args.file, 'utf8'), basename(args.file));
  } catch (e) {
    const msg = e instanceof HarError || !(e as NodeJS.ErrnoException).code ? (e as Error).message : `cannot read ${(e as NodeJS.ErrnoException).path}: ${(e as NodeJS.ErrnoException).code}`;
    io.err(`replay: ${msg}\n${e instanceof HarError ? '' : `${USAGE}\n`}`);
    return { code: 2, results: [] };
  }
  if (args.reset) {
    const refused = resetRefusal({ target: args.target, admin: args.admin }, args.force);
    if (refused) {
      io.err(`replay: ${refused}\n`);
      return { code: 2, results: [] };
    }
    try {
      const r = await resetStack(args.admin);
      io.out(`reset to the seed in ${r.ms} ms: ${r.reset.join(', ')}${r.external.length ? ` (re-seeded only, not run by the stack: ${r.external.join(', ')})` : ''}\n`);
    } catch (e) {
      io.err(`replay: --reset failed: ${(e as Error).message}\n`);
      return { code: 2, results: [] };
    }
  }
  const { code, results } = await replayCapture(entries, args, io);
  if (args.junit) writeFileSync(args.junit, junitXml(results, basename(args.file)));
  return { code, results };
}

/**
 * A parsed capture replayed and reported: progress, every mismatch with its differences, the summary table — what
 * `npm run replay` prints, and what the local console shows (it calls this with its own `io`).
 */
export async function replayCapture(
  entries: ReplayEntry[],
  args: Pick<ReplayArgs, 'target' | 'concurrency' | 'rate' | 'only' | 'stateDir' | 'aws'>,
  io: RunIo & { onResult?: (r: EntryResult, done: number, total: number) => void },
): Promise<{ code: number; results: EntryResult[] }> {
  const redact = new Redactor(loadRedactionRules(), seededSecretValues());
  const progress = progressPrinter(io.out, io.tty);
  const results = await replay(entries, {
    target: args.target,
    concurrency: args.concurrency,
    rate: args.rate,
    only: args.only,
    rules: loadCompareRules(),
    redact,
    identities: new IdentityMap(redact, seededEmails()),
    credentials: io.credentials ?? localCredentials({ stateDir: args.stateDir, awsEndpoint: args.aws }),
    onResult: (r, done, total) => {
      progress(r, done, total);
      io.onResult?.(r, done, total);
    },
  });
  const report = mismatchReport(results);
  if (report) io.out(`\n${report}\n`);
  io.out(`\n${summaryTable(results)}\n`);
  return { code: results.every((r) => r.verdict === 'pass') ? 0 : 1, results };
}
