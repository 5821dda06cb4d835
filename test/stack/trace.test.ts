/**
 * One W3C trace id across every hop of the local stack: a request sent through the gateway with a `traceparent` is
 * found by that id at the gateway's journal (with its hop: API key by id, usage plan verdict, signing key), in the
 * proxy's log lines, in the proxy's trace record (function, route, status, every upstream call with headers and
 * bodies redacted as the recorder redacts them) and in the journal of every fake the route called — each upstream
 * call matched to the fake's entry by its own span id. A request without a traceparent gets a fresh one, an invalid
 * one is replaced; the live stream delivers new records.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../emulators/stack/index.ts';
import type { ProxyTrace } from '../../emulators/stack/proxy-traces.ts';
import type { JournalEntry } from '../../emulators/shared/journal.ts';
import type { Logger } from '../../proxy/core/log.ts';
import { parseTraceparent } from '../../proxy/core/trace-context.ts';
import { ApiTokenStore } from '../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../proxy/routes/cards/aws.ts';
import { seededSecretValues } from '../../scripts/lib/replay/seeds.ts';
import { call } from '../helpers/stack.ts';

const KEY = 'local-crm-api-key-000000000000000000000000';
const PARENT = '00f067aa0ba902b7';
const traceparent = (traceId: string) => `00-${traceId}-${PARENT}-01`;
const campaign = (extra: Record<string, unknown>) => ({
  to: ['ada@example.com'], subject: 'Your July statement', html: '<p>Hello!</p>', text: 'Hello!',
  from: 'Distro Nation <reports@mg.gatehouse.local>', campaign: { name: 'july-payouts', type: 'financial' }, ...extra,
});
const newId = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('one trace id across every hop of the local stack', function () {
  this.timeout(90_000);
  const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
  const keep = (msg: string, fields?: Record<string, unknown>) => void lines.push({ msg, fields });
  const log: Logger = { debug: keep, info: keep, warn: keep, error: keep, audit: (l) => keep('audit', l), addSecretValues() {} };
  let stack: Stack;
  let secrets: string[];

  before(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
    stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir, LOG_LEVEL: 'debug' }, ephemeral: true, stateDir, log });
    secrets = seededSecretValues();
  });
  after(() => stack?.close());

  const journal = async (base: string, traceId: string): Promise<JournalEntry[]> =>
    ((await (await fetch(`${base}/__admin/journal?trace=${traceId}`)).json()) as { entries: JournalEntry[] }).entries;
  const proxyTrace = async (traceId: string) => {
    const res = await fetch(`${stack.urls.proxy}/__admin/traces/${traceId}`);
    return { status: res.status, body: (await res.json()) as { requests: ProxyTrace[] } };
  };
  /** The fake each upstream name is served by in the stack. */
  const fakeOf = (upstream: string): string => {
    if (upstream.startsWith('aws-')) return stack.urls.aws;
    if (upstream.startsWith('customerio')) return stack.urls.customerio;
    return { mailgun: stack.urls.mailgun, extend: stack.urls.extend, vault: stack.urls.vault }[upstream] ?? `no fake for ${upstream}`;
  };
  // The gateway answers as soon as the proxy has; the proxy's log lines cross to the supervisor on the IPC channel.
  const until = async <T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, deadlineMs = 15_000): Promise<T> => {
    for (const end = Date.now() + deadlineMs; ;) {
      const v = await fn();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`${what}: not within ${deadlineMs} ms; last ${JSON.stringify(v).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  /** Every hop of `traceId` checked; returns the proxy's record. */
  async function everyHop(traceId: string, expected: { fn: string; route: string; status: number; upstreams: string[] }): Promise<ProxyTrace> {
    const [gateway] = await journal(stack.urls.gateway, traceId);
    expect(gateway, 'the gateway journalled the request under the trace id').to.not.equal(undefined);
    expect(gateway.status, JSON.stringify(gateway)).to.equal(expected.status);
    expect(gateway.durationMs).to.be.a('number');

    const logged = await until('the proxy\'s log lines', () => lines.filter((l) => l.fields?.traceId === traceId), (ls) => ls.some((l) => l.msg === 'request'));
    expect(logged.find((l) => l.msg === 'request')!.fields).to.include({ status: expected.status });

    const { body } = await proxyTrace(traceId);
    expect(body.requests, JSON.stringify(body).slice(0, 2000)).to.have.length(1);
    const record = body.requests[0];
    expect(record).to.include({ traceId, function: expected.fn, route: expected.route, status: expected.status, parentId: (gateway.hop as { spanId: string }).spanId });
    const names = new Set(record.upstream.map((c) => c.upstream));
    expect([...names]).to.include.members(expected.upstreams);

    for (const c of record.upstream) {
      expect(c.spanId, `${c.upstream} call has a span of its own`).to.match(/^[0-9a-f]{16}$/);
      const entries = await journal(fakeOf(c.upstream), traceId);
      const mine = entries.filter((e) => e.spanId === c.spanId);
      expect(mine, `${c.upstream} ${c.method} ${c.path}: the fake journalled the call under the trace id and its span; its entries: ${JSON.stringify(entries.map((e) => [e.method, e.path, e.spanId, e.status]))}`).to.have.length(1);
      expect(mine[0].method).to.equal(c.method);
      expect(mine[0].path).to.equal(c.path);
      expect(mine[0].status).to.equal(c.status);
    }
    const text = JSON.stringify(record);
    for (const s of secrets) expect(text, 'no seeded secret in the trace record').to.not.include(s);
    return record;
  }

  it('/send-mail with reports: the gateway, the proxy, S3, Mailgun and DynamoDB all know the trace id', async () => {
    const traceId = newId();
    const res = await call(stack.urls.gateway, 'POST', '/send-mail', {
      json: campaign({ attachReporting: true, customIds: ['DN-1001'], month: '07', year: '2025' }),
      headers: { 'x-api-key': KEY, traceparent: traceparent(traceId), tracestate: 'crm=campaign-7' },
    });
    expect(res.status, res.text).to.equal(200);
    expect(parseTraceparent(res.headers.get('traceresponse') ?? '')?.traceId, 'traceresponse names the trace').to.equal(traceId);

    const [gateway] = await journal(stack.urls.gateway, traceId);
    expect(gateway.hop).to.deep.include({ trace: 'continued', parentId: PARENT, apiKey: { keyId: 'k-crm-local', usagePlanId: 'crm-standard', verdict: 'ok' } });
    expect((gateway.hop as { signature: { keyId: string } }).signature.keyId).to.be.a('string').and.not.equal('');
    expect(JSON.stringify(gateway)).to.not.include(KEY.slice(10));

    const record = await everyHop(traceId, { fn: 'mail', route: '/send-mail', status: 200, upstreams: ['mailgun', 'aws-s3'] });
    const mailgun = record.upstream.find((c) => c.upstream === 'mailgun')!;
    expect(mailgun.request.headers.authorization, 'credentials redacted as the recorder redacts them').to.equal('Basic [REDACTED]');
    expect(mailgun.request.headers.tracestate).to.equal('crm=campaign-7');
    expect(mailgun.request.body.text).to.include('reports%2FDN-1001');
    expect(mailgun.response!.body.text).to.include('Queued');
    expect(record.request.body.text).to.include('Your July statement');
    if (process.env.TRACE_DUMP) console.log(JSON.stringify(record, null, 1));
  });

  it('a cards route: DynamoDB, SSM and Extend calls carry the trace id', async () => {
    const aws = cardsAwsClients(stack.proxyEnv);
    const token = (await new ApiTokenStore(aws.ddb, 'gatehouse-api-tokens').create('ada@example.com', Date.now())).token;
    const traceId = newId();
    const res = await call(stack.urls.gateway, 'GET', '/cards', { headers: { token, traceparent: traceparent(traceId) } });
    expect(res.status, res.text).to.equal(200);
    const record = await everyHop(traceId, { fn: 'cards', route: '/cards', status: 200, upstreams: ['aws-dynamodb', 'extend'] });
    expect(JSON.stringify(record)).to.not.include(token);
    const [gateway] = await journal(stack.urls.gateway, traceId);
    expect(gateway.hop).to.not.have.property('apiKey');
  });

  it('a request without traceparent gets a fresh valid trace id, known at every hop', async () => {
    const res = await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'app_opened', anonymous_id: 'device-9' } });
    expect(res.status).to.equal(200);
    const started = parseTraceparent(res.headers.get('traceresponse') ?? '');
    expect(started, 'traceresponse carries a valid id').to.not.equal(undefined);
    const [gateway] = await journal(stack.urls.gateway, started!.traceId);
    expect(gateway.hop).to.include({ trace: 'started' });
    await everyHop(started!.traceId, { fn: 'customerio', route: '/events', status: 200, upstreams: ['customerio-track'] });
  });

  it('an invalid traceparent is replaced by a new trace; its tracestate goes nowhere', async () => {
    const bad = newId().toUpperCase();
    const res = await call(stack.urls.gateway, 'POST', '/events', {
      json: { name: 'app_opened', anonymous_id: 'device-10' },
      headers: { traceparent: `00-${bad}-${PARENT}-01`, tracestate: 'leak=1' },
    });
    expect(res.status).to.equal(200);
    const fresh = parseTraceparent(res.headers.get('traceresponse') ?? '')!;
    expect(fresh.traceId).to.not.equal(bad.toLowerCase());
    const [gateway] = await journal(stack.urls.gateway, fresh.traceId);
    expect(gateway.hop).to.include({ trace: 'replaced' });
    const record = await everyHop(fresh.traceId, { fn: 'customerio', route: '/events', status: 200, upstreams: ['customerio-track'] });
    for (const c of record.upstream) expect(c.request.headers).to.not.have.property('tracestate');
  });

  it('a request the gateway refuses is journalled with its verdict and audited under its trace id; a JWT names its user', async () => {
    const refusedId = newId();
    const refused = await call(stack.urls.gateway, 'POST', '/send-mail', { json: campaign({}), headers: { 'x-api-key': 'not-a-key-of-this-gateway-000000', traceparent: traceparent(refusedId) } });
    expect(refused.status).to.equal(403);
    const [entry] = await journal(stack.urls.gateway, refusedId);
    expect(entry.status).to.equal(403);
    expect(entry.hop).to.deep.include({ apiKey: { verdict: 'forbidden' } });
    expect(entry.hop).to.not.have.property('signature');
    const audited = await until('the refusal in the audit trail', async () => (await (await fetch(`${stack.urls.proxy}/__admin/audit?traceId=${refusedId}`)).json()).entries as { action: string }[], (es) => es.length > 0);
    expect(audited.map((a) => a.action)).to.deep.equal(['auth.api_key_refused']);
    expect((await proxyTrace(refusedId)).status, 'the proxy never saw it').to.equal(404);

    const signedIn = newId();
    const token = await stack.gateway.mintToken('ada@example.com');
    const res = await call(stack.urls.gateway, 'POST', '/customers/ada%40example.com/events', { json: { name: 'traced' }, token, headers: { traceparent: traceparent(signedIn) } });
    expect(res.status, res.text).to.equal(200);
    expect((await journal(stack.urls.gateway, signedIn))[0].hop).to.deep.include({ jwt: { user: 'ada@example.com' } });
  });

  it('every fake journals the trace id of any request that carries one, and filters on it', async () => {
    for (const fake of ['customerio', 'extend', 'mailgun', 'vault', 'cloudfront', 'aws', 'gateway']) {
      const traceId = newId();
      const base = stack.urls[fake];
      // Any request: a route or not, a refusal or not — the journal keeps what arrived.
      await fetch(`${base}/trace-probe/${fake}`, { headers: { traceparent: traceparent(traceId) } });
      const entries = await journal(base, traceId);
      expect(entries.map((e) => e.path), `${fake} journalled the request under its trace id`).to.deep.equal([`/trace-probe/${fake}`]);
      expect(entries[0].spanId).to.equal(PARENT);
    }
  });

  it('refuses a journal filter that is not a trace id, and a trace the proxy never saw is 404', async () => {
    const bad = await fetch(`${stack.urls.mailgun}/__admin/journal?trace=nope`);
    expect(bad.status).to.equal(400);
    expect((await bad.json()).error).to.match(/trace/);
    expect((await proxyTrace(newId())).status).to.equal(404);
    expect((await fetch(`${stack.urls.proxy}/__admin/traces?limit=0`)).status).to.equal(400);
    // Through the gateway the path is the app's, as /__admin/audit is.
    expect((await call(stack.urls.gateway, 'GET', '/__admin/traces')).status).to.equal(404);
  });

  it('streams each new proxy record as a Server-Sent Event, and resumes after Last-Event-ID', async () => {
    const events: { id: string; data: ProxyTrace }[] = [];
    const req = http.get(`${stack.urls.proxy}/__admin/traces/stream`);
    const opened = new Promise<http.IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject));
    const res = await opened;
    expect(res.headers['content-type']).to.match(/^text\/event-stream/);
    let buf = '';
    res.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        if (field('event') === 'trace') events.push({ id: field('id')!, data: JSON.parse(field('data')!) });
      }
    });
    try {
      const traceId = newId();
      await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'live', anonymous_id: 'device-11' }, headers: { traceparent: traceparent(traceId) } });
      const seen = await until('the streamed record', () => events.find((e) => e.data.traceId === traceId), (e) => e !== undefined);
      expect(seen!.data.upstream.map((c) => c.upstream)).to.include('customerio-track');
      expect(Number(seen!.id)).to.equal(seen!.data.seq);

      // A client that reconnects with the last id it saw gets what it missed, oldest first.
      const missed = newId();
      await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'missed', anonymous_id: 'device-12' }, headers: { traceparent: traceparent(missed) } });
      const replay = await new Promise<string>((resolve, reject) => {
        const again = http.get(`${stack.urls.proxy}/__admin/traces/stream`, { headers: { 'last-event-id': seen!.id } }, (r) => {
          let text = '';
          r.setEncoding('utf8').on('data', (c: string) => {
            text += c;
            if (text.includes(missed)) {
              again.destroy();
              resolve(text);
            }
          });
        });
        again.on('error', reject);
      });
      expect(replay).to.include(missed).and.not.include(`"traceId":"${traceId}"`);
    } finally {
      req.destroy();
    }
  });
});
