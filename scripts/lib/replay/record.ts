/**
 * `npm run record`: a recording proxy in front of a gateway, writing a redacted HAR. By default it starts its own
 * stack (so it also knows the secret chain's loaded values, can resolve API tokens to users and can record the
 * proxy's upstream calls with --upstream); `--attach URL` records in front of a gateway that is already running.
 * `--scenario NAME` sends that seed system's built-in traffic through the recorder and exits (fixtures/recordings).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import { decodeJwt } from 'jose';
import { startStack, type Stack } from '../../../emulators/stack/index.ts';
import { createLogger, type Logger } from '../../../proxy/core/log.ts';
import { SIGNATURE_HEADER, signCustomerioWebhook, TIMESTAMP_HEADER } from '../../../proxy/auth/customerio-webhook.ts';
import { loadApiKeys } from '../../../emulators/gateway/api-keys.ts';
import { apiTokenStore } from './credentials.ts';
import { HarWriter } from './har-write.ts';
import { startRecorder } from './recorder-proxy.ts';
import { Redactor, loadRedactionRules } from './redaction.ts';
import { SCENARIOS, type Answers, type ScenarioRequest } from './scenarios.ts';
import { seededSecretValues, webhookSigningKeys } from './seeds.ts';
import { UpstreamRecorder } from './upstream.ts';

export interface RecordArgs { out: string; attach?: string; port: number; upstream?: string; scenario?: string; upstreamDir?: string }

export function parseRecordArgs(argv: string[]): RecordArgs {
  const a: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (!['--out', '--attach', '--port', '--upstream', '--scenario', '--upstream-dir'].includes(flag)) throw new Error(`unknown argument ${argv[i]}`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    a[flag.slice(2)] = v;
  }
  if (!a.out) throw new Error('--out <file.har> is required');
  if (a.scenario && !SCENARIOS[a.scenario]) throw new Error(`unknown scenario "${a.scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  if (a.upstream && a.attach) throw new Error('--upstream needs the recorder\'s own stack (it hooks the proxy\'s outbound client), not --attach');
  // Another folder than fixtures/upstream: re-record one provider's fixtures without touching the others'.
  if (a['upstream-dir'] && !a.upstream) throw new Error('--upstream-dir needs --upstream NAME');
  const port = Number(a.port ?? (a.scenario ? 0 : 8081));
  if (!Number.isInteger(port) || port < 0) throw new Error(`--port must be a port number, got "${a.port}"`);
  return { out: a.out, attach: a.attach, port, upstream: a.upstream, scenario: a.scenario, upstreamDir: a['upstream-dir'] };
}

export interface Recording {
  /** The recorder: what a client points at. */
  url: string;
  /** The gateway it records in front of (a scenario's unrecorded waits ask it directly). */
  target: string;
  stack?: Stack;
  writer: HarWriter;
  upstream?: UpstreamRecorder;
  close(): Promise<void>;
}

/** `proxyLog`: the recorder's own stack logs there (default: warnings and errors to stdout). */
export async function startRecording(args: RecordArgs, log: (s: string) => void, opts: { proxyLog?: Logger } = {}): Promise<Recording> {
  const redact = new Redactor(loadRedactionRules(), seededSecretValues());
  const upstream = args.upstream ? new UpstreamRecorder(redact) : undefined;
  let stack: Stack | undefined;
  if (!args.attach) {
    const stateDir = args.scenario ? mkdtempSync(join(tmpdir(), 'gatehouse-record-')) : undefined;
    const proxyLog = opts.proxyLog ?? createLogger({ name: 'proxy', level: 'warn' });
    const addSecrets = proxyLog.addSecretValues.bind(proxyLog);
    // Every value the secret chain loads is also a value the recording must never contain.
    proxyLog.addSecretValues = (values) => { const list = [...values]; redact.addSecretValues(list); addSecrets(list); };
    stack = await startStack({ env: { ...process.env, ...(stateDir ? { GATEHOUSE_STATE_DIR: stateDir } : {}) }, ephemeral: Boolean(args.scenario), stateDir, log: proxyLog, onUpstreamExchange: upstream?.hook });
  }
  const target = args.attach ?? stack!.gateway.url;
  const tokens = stack ? apiTokenStore(stack.urls.aws) : undefined;
  const identify = async (h: http.IncomingHttpHeaders): Promise<string | undefined> => {
    const jwt = /^Bearer\s+(\S+)/i.exec(String(h.authorization ?? ''))?.[1];
    if (jwt) { try { const c = decodeJwt(jwt); return String(c.email ?? c.sub ?? '') || undefined; } catch { return undefined; } }
    if (typeof h.token === 'string' && tokens) return tokens.emailFor(h.token, Date.now());
    return undefined;
  };
  const writer = new HarWriter(args.out, redact);
  const recorder = await startRecorder({ target, port: args.port, arrive: () => writer.arrive(), identify });
  log(`recording ${recorder.url} → ${target} into ${args.out}${stack ? ' (own stack)' : ' (attached)'}\n`);
  return {
    url: recorder.url, target, stack, writer, upstream,
    close: async () => {
      await recorder.close();
      writer.flush();
      if (upstream && args.upstream) for (const f of upstream.save(args.upstream, args.upstreamDir)) log(`upstream fixtures: ${f}\n`);
      await stack?.close();
    },
  };
}

/** Sends a scenario through the recorder, one request after another (arrival order is the recorded order). */
export async function driveScenario(rec: Recording, requests: ScenarioRequest[]): Promise<void> {
  const key = loadApiKeys().apiKeys.find((k) => k.enabled && k.usagePlanId === 'crm-standard')!.value;
  const tokens = rec.stack ? apiTokenStore(rec.stack.urls.aws) : undefined;
  const signing = webhookSigningKeys();
  const answers: Answers = {};
  for (const r of requests) {
    const build = async () => {
      const headers: Record<string, string> = { ...(r.headers ?? {}) };
      if (r.user && rec.stack) headers.authorization = `Bearer ${await rec.stack.gateway.mintToken(r.user, r.expired ? -60 : undefined)}`;
      if (r.tokenUser && tokens) headers.token = (await tokens.create(r.tokenUser, Date.now(), 3600)).token;
      if (r.apiKey) headers['x-api-key'] = key;
      const json = typeof r.json === 'function' ? (r.json as (a: Answers) => unknown)(answers) : r.json;
      let body = json === undefined ? undefined : JSON.stringify(json);
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (r.webhook && body !== undefined) ({ body } = signWebhook(r.webhook, body, headers, signing));
      return { path: typeof r.path === 'function' ? r.path(answers) : r.path, headers, body };
    };
    if (r.waitFor) await waitUntil(rec.target, r, build, r.waitFor);
    const req = await build();
    const res = await fetch(rec.url + req.path, { method: r.method, headers: req.headers, body: req.body, redirect: 'manual' });
    const text = await res.text();
    if (r.name) answers[r.name] = { status: res.status, body: parse(text) };
  }
}

const parse = (text: string): unknown => { try { return JSON.parse(text); } catch { return text; } };

/** Asks the gateway directly (nothing recorded) until the answer passes, for at most 60 s. */
async function waitUntil(target: string, r: ScenarioRequest, build: () => Promise<{ path: string; headers: Record<string, string>; body?: string }>, ok: NonNullable<ScenarioRequest['waitFor']>): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const req = await build();
    const res = await fetch(target + req.path, { method: r.method, headers: req.headers, body: req.body, redirect: 'manual' });
    const answer = { status: res.status, body: parse(await res.text()) };
    if (ok(answer)) return;
    if (Date.now() > until) throw new Error(`scenario: ${r.method} ${req.path} never reached the state it waits for; last answer ${res.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** A webhook as its provider signs it: Mailgun's signature block in the body, Customer.io's headers over the bytes. */
function signWebhook(w: NonNullable<ScenarioRequest['webhook']>, body: string, headers: Record<string, string>, keys: { mailgun?: string; customerio?: string }): { body: string } {
  const key = w.forged ? 'a-key-that-is-not-the-providers' : keys[w.provider];
  if (!key) throw new Error(`scenario: no ${w.provider} webhook signing key`);
  const timestamp = String(Math.floor(Date.now() / 1000));
  if (w.provider === 'customerio') {
    headers[TIMESTAMP_HEADER] = timestamp;
    headers[SIGNATURE_HEADER] = signCustomerioWebhook(key, timestamp, body);
    return { body };
  }
  const token = randomBytes(25).toString('hex');
  const signature = { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') };
  return { body: JSON.stringify({ signature, ...JSON.parse(body) }) };
}
