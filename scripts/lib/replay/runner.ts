/**
 * Replays entries against a target: hosts rewritten to the target, credentials re-minted, values an earlier answer
 * handed out swapped for the target's (correlate.ts), webhooks signed afresh (webhooks.ts), each user's requests in
 * recorded order on one lane while up to `concurrency` lanes run at once, an optional overall rate, and every live
 * answer brought into the recording's redacted form and compared with the recorded one; a read whose route rule
 * says `eventually` is asked again until it matches or its time is up.
 */
import http from 'node:http';
import { keepAliveAgent, sendKeptAlive } from '../../../proxy/core/keep-alive.ts';
import { Correlator } from './correlate.ts';
import { compareResponses, type Difference, type Observed } from './diff.ts';
import type { ReplayEntry } from './har.ts';
import { freshCredentials, gatewayRefusedToken, type Credentials, type IdentityMap } from './identity.ts';
import type { Redactor } from './redaction.ts';
import { rulesFor, type CompareRules } from './rules.ts';
import { WebhookSigner } from './webhooks.ts';

export interface ReplayOptions {
  /** Base URL every recorded host is rewritten to (the gateway). */
  target: string;
  concurrency?: number;
  /** Overall requests per second (unlimited when absent). */
  rate?: number;
  /** Glob over the path, or over "METHOD /path" (`*` one segment, `**` any rest). */
  only?: string;
  rules: CompareRules;
  redact: Redactor;
  identities: IdentityMap;
  credentials: Credentials;
  onResult?(r: EntryResult, done: number, total: number): void;
}

export interface EntryResult {
  entry: ReplayEntry;
  lane: string;
  verdict: 'pass' | 'fail' | 'error';
  diffs: Difference[];
  error?: string;
  ms: number;
}

export function globMatcher(glob: string): (method: string, path: string) => boolean {
  const m = /^([A-Za-z]+)\s+(\S+)$/.exec(glob.trim());
  const pathGlob = m ? m[2] : glob.trim();
  const re = new RegExp(`^${pathGlob.split(/(\*\*|\*|\?)/).map((s) => (s === '**' ? '.*' : s === '*' ? '[^/]*' : s === '?' ? '[^/]' : s.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return (method, path) => (!m || m[1].toUpperCase() === method) && re.test(path);
}

/** Lanes by user, each in recorded order (a stable sort: some exporters do not write entries in time order). */
export function lanesOf(entries: ReplayEntry[], identities: IdentityMap): Map<string, ReplayEntry[]> {
  const lanes = new Map<string, ReplayEntry[]>();
  const sorted = [...entries].sort((a, b) => a.startedAt - b.startedAt || a.index - b.index);
  for (const e of sorted) {
    const lane = identities.identityOf(e) ?? 'anonymous';
    let list = lanes.get(lane);
    if (!list) lanes.set(lane, (list = []));
    list.push(e);
  }
  return lanes;
}

// Dropped before sending: connection-level, recomputed, or capture-only fields.
const DROP = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'upgrade', 'te', 'proxy-connection']);

export async function replay(entries: ReplayEntry[], opts: ReplayOptions): Promise<EntryResult[]> {
  const only = opts.only ? globMatcher(opts.only) : undefined;
  const picked = only ? entries.filter((e) => only(e.method, e.url.pathname)) : entries;
  const lanes = [...lanesOf(picked, opts.identities)];
  const target = new URL(opts.target);
  const agent = keepAliveAgent(target.protocol, { maxSockets: Math.max(1, opts.concurrency ?? 8) });
  const results: EntryResult[] = [];
  const pace = pacer(opts.rate);
  const run: RunState = { correlate: new Correlator(opts.redact), webhooks: new WebhookSigner(opts.credentials.webhookKeys ?? {}) };
  let next = 0;
  const worker = async () => {
    while (next < lanes.length) {
      const [lane, list] = lanes[next++];
      for (const entry of list) {
        await pace();
        const r = await replayOne(entry, lane, target, agent, opts, run);
        results.push(r);
        opts.onResult?.(r, results.length, picked.length);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
  } finally {
    agent.destroy();
  }
  return results.sort((a, b) => a.entry.index - b.entry.index);
}

function pacer(rate: number | undefined): () => Promise<void> {
  if (!rate || rate <= 0) return async () => {};
  const gap = 1000 / rate;
  let slot = performance.now();
  return async () => {
    const now = performance.now();
    const at = Math.max(slot, now);
    slot = at + gap;
    const wait = at - now;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
}

/** What one replay run learns as it goes: the target's values for recorded ones, the webhooks it signed. */
interface RunState { correlate: Correlator; webhooks: WebhookSigner }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function replayOne(entry: ReplayEntry, lane: string, target: URL, agent: http.Agent, opts: ReplayOptions, run: RunState): Promise<EntryResult> {
  const t0 = performance.now();
  const ids = opts.identities;
  try {
    const email = lane === 'anonymous' ? undefined : ids.resolve(lane);
    const recordedBody = entry.expected.body.toString('utf8');
    const refusedToken = gatewayRefusedToken(entry.expected.status, recordedBody);
    const headers = await freshCredentials(entry.headers, email, opts.credentials, opts.redact.rules.marker, { refusedToken });
    for (const k of Object.keys(headers)) if (DROP.has(k)) delete headers[k];
    const textual = /json|text|x-www-form-urlencoded|xml/i.test(headers['content-type'] ?? '');
    const body = textual ? Buffer.from(ids.forward(run.correlate.apply(entry.body.toString('utf8')))) : entry.body;
    const path = ids.forward(run.correlate.apply(entry.url.pathname + entry.url.search));
    const expected: Observed = {
      status: entry.expected.status,
      headers: opts.redact.headers(entry.expected.headers),
      body: opts.redact.body(recordedBody, entry.expected.headers['content-type']),
    };
    const { eventuallyMs } = rulesFor(opts.rules, entry.method, entry.url.pathname);
    const deadline = Date.now() + (eventuallyMs ?? 0);
    for (;;) {
      const out = run.webhooks.sign({ path, headers, body }, { status: entry.expected.status, body: recordedBody });
      const live = await send(target, agent, entry.method, out.path, out.headers, out.body);
      const actual: Observed = {
        status: live.status,
        headers: Object.fromEntries(Object.entries(live.headers).map(([k, v]) => [k, opts.redact.header(k, ids.backward(v))])),
        body: opts.redact.body(ids.backward(live.body.toString('utf8')), live.headers['content-type']),
      };
      const diffs = compareResponses(opts.rules, entry.method, entry.url.pathname, expected, actual);
      // A read showing asynchronous work (the restore worker, Mailgun's own webhooks) may need a moment longer.
      if (diffs.length && eventuallyMs !== undefined && Date.now() < deadline) {
        await sleep(200);
        continue;
      }
      if (/json/i.test(live.headers['content-type'] ?? '')) run.correlate.learn(recordedBody, live.body.toString('utf8'));
      return { entry, lane, verdict: diffs.length ? 'fail' : 'pass', diffs, ms: performance.now() - t0 };
    }
  } catch (e) {
    return { entry, lane, verdict: 'error', diffs: [], error: opts.redact.string((e as Error).message), ms: performance.now() - t0 };
  }
}

async function send(target: URL, agent: http.Agent, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const base = target.pathname.replace(/\/$/, '');
  // Each exchange, answer included, within 30 s; a pooled connection the target closed is replaced (keep-alive.ts).
  const signal = AbortSignal.timeout(30_000);
  try {
    const res = await sendKeptAlive({ protocol: target.protocol, hostname: target.hostname, port: target.port, path: base + path, method, agent, headers: { ...headers, 'content-length': String(body.length) }, body, signal });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) };
  } catch (e) {
    throw signal.aborted ? new Error(`no answer from ${target.origin} within 30 s`) : e;
  }
}
