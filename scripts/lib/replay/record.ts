/**
 * `npm run record`: a recording proxy in front of a gateway, writing a redacted HAR. By default it starts its own
 * stack (so it also knows the secret chain's loaded values, can resolve API tokens to users and can record the
 * proxy's upstream calls with --upstream); `--attach URL` records in front of a gateway that is already running.
 * `--scenario NAME` sends that seed system's built-in traffic through the recorder and exits (fixtures/recordings).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type http from 'node:http';
import { decodeJwt } from 'jose';
import { startStack, type Stack } from '../../../emulators/stack/index.ts';
import { createLogger, type Logger } from '../../../proxy/core/log.ts';
import { loadApiKeys } from '../../../emulators/gateway/api-keys.ts';
import { apiTokenStore } from './credentials.ts';
import { HarWriter } from './har-write.ts';
import { startRecorder } from './recorder-proxy.ts';
import { Redactor, loadRedactionRules } from './redaction.ts';
import { SCENARIOS, type ScenarioRequest } from './scenarios.ts';
import { seededSecretValues } from './seeds.ts';
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

export interface Recording { url: string; stack?: Stack; writer: HarWriter; upstream?: UpstreamRecorder; close(): Promise<void> }

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
    url: recorder.url, stack, writer, upstream,
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
  for (const r of requests) {
    const headers: Record<string, string> = {};
    if (r.user && rec.stack) headers.authorization = `Bearer ${await rec.stack.gateway.mintToken(r.user)}`;
    if (r.tokenUser && tokens) headers.token = (await tokens.create(r.tokenUser, Date.now(), 3600)).token;
    if (r.apiKey) headers['x-api-key'] = key;
    if (r.json !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(rec.url + r.path, { method: r.method, headers, body: r.json === undefined ? undefined : JSON.stringify(r.json) });
    await res.arrayBuffer();
  }
}
