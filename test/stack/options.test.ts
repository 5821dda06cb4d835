/**
 * The stack's options reach the services across their process boundary: the proxy's log lines, the secret values
 * to redact and every service's audit lines arrive at the caller's logger, and record mode sees every outbound
 * exchange of every function.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../emulators/stack/index.ts';
import type { Exchange } from '../../proxy/core/http-client.ts';
import type { Logger } from '../../proxy/core/log.ts';
import { call } from '../helpers/stack.ts';

const MAILGUN_API_KEY = (JSON.parse(readFileSync('fixtures/mailgun/seed.json', 'utf8')) as { apiKey: string }).apiKey;

describe('stack options across the process boundary', function () {
  this.timeout(60_000);
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const secrets: string[] = [];
  const exchanges: Exchange[] = [];
  const audits: Record<string, unknown>[] = [];
  const log: Logger = {
    audit: (line) => audits.push(line),
    debug: (msg, fields) => lines.push({ level: 'debug', msg, fields }),
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
    addSecretValues: (values) => secrets.push(...values),
  };
  let stack: Stack;

  before(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
    stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log, onUpstreamExchange: (x) => exchanges.push(x) });
  });
  after(async () => { await stack?.close(); });

  it('hands the caller\'s logger the proxy\'s lines and every secret value its functions loaded', async () => {
    const res = await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'app_opened', anonymous_id: 'device-1' } });
    expect(res.status).to.equal(200);
    expect(lines.some((l) => l.msg === 'request' && l.fields?.path === '/events' && l.fields?.status === 200)).to.equal(true);
    expect(lines.some((l) => l.msg === 'secrets loaded')).to.equal(true);
    // The Customer.io keys from Vault and the Mailgun key from the store are registered for redaction.
    expect(secrets).to.include(MAILGUN_API_KEY);
    expect(secrets.length).to.be.greaterThan(3);
  });

  it('collects the audit lines of the gateway\'s and the proxy\'s processes in one trail', async () => {
    const refused = await call(stack.urls.gateway, 'POST', '/customers/ada%40example.com/events', { json: { name: 'x' }, headers: { authorization: 'Bearer not-a-jwt' } });
    expect(refused.status).to.equal(401);
    const wrongUser = await call(stack.urls.gateway, 'POST', '/customers/grace%40example.com/events', { json: { name: 'x' }, token: await stack.gateway.mintToken('ada@example.com') });
    expect(wrongUser.status).to.equal(403);
    const actions = () => audits.map((a) => a.action);
    for (let i = 0; i < 100 && !(actions().includes('auth.jwt_refused') && actions().includes('auth.identity_mismatch')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(actions()).to.include.members(['auth.jwt_refused', 'auth.identity_mismatch']);
    const served = (await (await fetch(`${stack.urls.proxy}/__admin/audit`)).json()) as { entries: { action: string }[] };
    expect(served.entries.map((e) => e.action)).to.include.members(['auth.jwt_refused', 'auth.identity_mismatch']);
    expect(stack.auditTrail.list({ action: 'auth.jwt_refused' })).to.have.length.greaterThan(0);
  });

  it('record mode: every outbound exchange arrives with its bytes and readers', async () => {
    exchanges.length = 0;
    const res = await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'recorded', anonymous_id: 'device-2' } });
    expect(res.status).to.equal(200);
    // The exchange crosses on the IPC channel, the answer on its socket: wait for the former briefly.
    const find = () => exchanges.find((e) => e.request.upstream.startsWith('customerio') && e.request.method === 'POST');
    for (let i = 0; i < 100 && !find(); i++) await new Promise((r) => setTimeout(r, 20));
    const x = find();
    expect(x, JSON.stringify(exchanges.map((e) => e.request.upstream))).to.not.equal(undefined);
    expect(JSON.parse(String(x!.request.body)).name).to.equal('recorded');
    expect(x!.response!.status).to.equal(200);
    expect(Buffer.isBuffer(x!.response!.body)).to.equal(true);
    expect(x!.response!.text()).to.equal(x!.response!.body.toString('utf8'));
    expect(x!.durationMs).to.be.a('number');
  });
});
