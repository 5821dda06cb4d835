/**
 * The security audit trail: one `security_audit` line per audited action, through the real stack (gateway →
 * proxy → fakes), read back from the stack's trail at `<proxy>/__admin/audit`; and the line's format from the
 * logger itself (level-independent, redacted, no one's identifier but the actor's).
 */
import { expect } from 'chai';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHmac, randomBytes } from 'node:crypto';
import { audit, subjectRef, type AuditLine } from '../../proxy/core/audit.ts';
import { createLogger } from '../../proxy/core/log.ts';
import type { Stack } from '../../emulators/stack/index.ts';
import { localMailgunSigningKey } from '../../contracts/provider/mail-states.ts';
import { call, testStack } from '../helpers/stack.ts';

describe('security audit trail', function () {
  this.timeout(60_000);

  describe('the line', () => {
    const capture = (level: 'debug' | 'error' = 'error') => {
      const lines: string[] = [];
      return { lines, log: createLogger({ level, name: 'customerio', sink: (l) => lines.push(l) }) };
    };

    it('is one JSON line with type, timestamp, action, actor, resource, outcome and requestId, whatever LOG_LEVEL says', () => {
      const { lines, log } = capture('error');
      audit({ log, clock: { now: () => Date.parse('2025-08-01T12:00:00Z') } }, { action: 'gdpr.delete', actor: 'ada@example.com', resource: 'customer:self', outcome: 'success', requestId: 'r-1', details: { removed: 3 } });
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0])).to.deep.equal({
        type: 'security_audit', timestamp: '2025-08-01T12:00:00.000Z', action: 'gdpr.delete', actor: 'ada@example.com', resource: 'customer:self',
        outcome: 'success', requestId: 'r-1', details: { removed: 3 }, logger: 'customerio',
      });
    });

    it('passes through the logger\'s redaction: a loaded secret or a sensitive field never reaches the line', () => {
      const { lines, log } = capture();
      log.addSecretValues(['s3cr3t-signing-key']);
      audit({ log }, { action: 'webhook.signature_refused', actor: 'anonymous', resource: 'route:POST /webhooks/customerio', outcome: 'denied', details: { note: 'key s3cr3t-signing-key', signature: 'abc', password: 'x' } });
      expect(lines[0]).not.to.include('s3cr3t-signing-key');
      expect(JSON.parse(lines[0]).details).to.deep.equal({ note: 'key [REDACTED]', signature: '[REDACTED]', password: '[REDACTED]' });
    });

    it('names someone other than the actor by a SHA-256 reference, the same for any spelling of the address', () => {
      expect(subjectRef('Linus@Example.com ')).to.equal(subjectRef('linus@example.com')).and.to.match(/^sha256:[0-9a-f]{16}$/);
      expect(subjectRef('linus@example.com')).not.to.include('linus');
    });

    it('never throws, even when the sink does', () => {
      const log = createLogger({ sink: () => { throw new Error('disk full'); } });
      expect(() => audit({ log }, { action: 'mail.send', actor: 'crm', resource: 'campaign:x', outcome: 'success' })).not.to.throw();
    });
  });

  describe('through the stack', () => {
    let stack: Stack;
    let gw: string;
    let ada: string;
    before(async () => {
      stack = await testStack();
      gw = stack.urls.gateway;
      ada = await stack.gateway.mintToken('ada@example.com');
    });
    after(() => stack?.close());

    /** The lines of one action written since `since`, read from the stack's admin endpoint. */
    const lines = async (action: string, since: string): Promise<AuditLine[]> => {
      const res = await fetch(`${stack.urls.proxy}/__admin/audit?action=${action}&since=${encodeURIComponent(since)}`);
      expect(res.status).to.equal(200);
      return ((await res.json()) as { entries: AuditLine[] }).entries;
    };
    const now = () => new Date().toISOString();
    const KEY = 'local-crm-api-key-000000000000000000000000';

    it('serves the trail on the proxy\'s port only, never through the gateway', async () => {
      expect((await fetch(`${stack.urls.proxy}/__admin/audit`)).status).to.equal(200);
      const viaGateway = await call(gw, 'GET', '/__admin/audit');
      expect(viaGateway.status).to.equal(404);
    });

    it('leaves a path that URL parsing would read as another host to the app: its 404, not a 500 (found by npm run fuzz)', async () => {
      const raw = await new Promise<string>((resolve) => {
        const u = new URL(stack.urls.proxy);
        let out = '';
        const c = net.connect(Number(u.port), u.hostname, () => c.write('POST //%D0%96%D0%/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
        c.on('data', (d) => (out += d));
        c.on('close', () => resolve(out));
      });
      expect(raw).to.match(/^HTTP\/1\.1 404 /);
      expect(raw).to.include('"route_not_found"');
    });

    it('auth.signature_refused: a request that did not come through the gateway', async () => {
      const since = now();
      const res = await call(stack.urls.proxy, 'POST', '/customers/ada@example.com/events', { json: { name: 'x' } });
      expect(res.status).to.equal(401);
      const [line] = await lines('auth.signature_refused', since);
      expect(line).to.include({ type: 'security_audit', actor: 'anonymous', resource: 'route:POST /customers/:identifier/events', outcome: 'denied' });
      expect(line.details).to.deep.equal({ code: res.body.error.code, status: 401 });
      expect(line.requestId).to.be.a('string');
    });

    it('auth.identity_mismatch: ada naming grace, resource by route pattern (grace\'s address is not in the line)', async () => {
      const since = now();
      expect((await call(gw, 'POST', '/customers/grace@example.com/events', { token: ada, json: { name: 'x' } })).status).to.equal(403);
      const [line] = await lines('auth.identity_mismatch', since);
      expect(line).to.include({ actor: 'ada@example.com', resource: 'route:POST /customers/:identifier/events', outcome: 'denied' });
      expect(JSON.stringify(line)).not.to.include('grace');
    });

    it('auth.api_key_refused and auth.jwt_refused: the gateway\'s refusals', async () => {
      const since = now();
      expect((await call(gw, 'POST', '/send-mail', { headers: { 'x-api-key': 'wrong' }, json: {} })).status).to.equal(403);
      expect((await call(gw, 'GET', '/customers/ada@example.com/activities', { token: 'not.a.jwt' })).status).to.equal(401);
      expect((await lines('auth.api_key_refused', since))[0]).to.include({ actor: 'anonymous', resource: 'route:POST /send-mail', outcome: 'denied' });
      const [jwt] = await lines('auth.jwt_refused', since);
      expect(jwt).to.include({ actor: 'anonymous', resource: 'route:GET /customers', outcome: 'denied' });
      expect(JSON.stringify(jwt)).not.to.include('ada@');
    });

    it('auth.api_token_refused: an unknown cards token', async () => {
      const since = now();
      expect((await call(gw, 'GET', '/cards', { headers: { token: 'no-such-token' } })).status).to.equal(401);
      const [line] = await lines('auth.api_token_refused', since);
      expect(line).to.include({ actor: 'anonymous', resource: 'route:GET /cards', outcome: 'denied' });
      expect(JSON.stringify(line)).not.to.include('no-such-token');
    });

    it('auth.permission_refused: a user without a role on the dataset', async () => {
      const since = now();
      const mallory = await stack.gateway.mintToken('mallory@example.com');
      const res = await call(gw, 'GET', '/packages/cloudfront/sign?dataset_id=N:dataset:123&package_id=N:package:456&path=data.parquet', { token: mallory });
      expect(res.status).to.equal(403);
      expect((await lines('auth.permission_refused', since))[0]).to.include({ actor: 'mallory@example.com', resource: 'route:GET /packages/cloudfront/sign' });
    });

    it('mail.send: recipients counted, not named; webhook.signature_refused and webhook.replay_refused for Mailgun', async () => {
      const since = now();
      const sent = await call(gw, 'POST', '/send-mail', { headers: { 'x-api-key': KEY }, json: {
        to: ['linus@example.com', 'grace@example.com'], subject: 'Audit', html: '<p>x</p>', text: 'x', from: 'reports@mg.gatehouse.local', campaign: { name: 'audit-check', type: 'newsletter' } } });
      expect(sent.status, sent.text).to.equal(200);
      const [line] = await lines('mail.send', since);
      expect(line).to.include({ actor: 'crm', resource: 'campaign:audit-check', outcome: 'success' });
      expect(line.details).to.deep.include({ recipients: 2 });
      expect(JSON.stringify(line)).not.to.match(/linus|grace/);

      const signingKey = localMailgunSigningKey(stack.proxyEnv);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const token = randomBytes(25).toString('hex');
      const body = {
        signature: { timestamp, token, signature: createHmac('sha256', signingKey).update(timestamp + token).digest('hex') },
        'event-data': { id: 'e1', event: 'delivered', timestamp: Date.now() / 1000, recipient: 'linus@example.com', message: { headers: { 'message-id': sent.body.messages[0].id.slice(1, -1) } } },
      };
      expect((await call(gw, 'POST', '/webhooks/mailgun', { json: body })).status).to.equal(200);
      expect((await call(gw, 'POST', '/webhooks/mailgun', { json: body })).status).to.equal(406);
      expect((await call(gw, 'POST', '/webhooks/mailgun', { json: { ...body, signature: { ...body.signature, signature: 'f'.repeat(64) } } })).status).to.equal(406);
      expect((await lines('webhook.replay_refused', since))[0]).to.include({ resource: 'route:POST /webhooks/mailgun', outcome: 'denied' });
      expect((await lines('webhook.signature_refused', since))[0].details).to.deep.equal({ code: 'webhook_bad_signature', status: 406 });
    });

    it('packages.restore: the editor and what was accepted', async () => {
      const since = now();
      const grace = await stack.gateway.mintToken('grace@example.com');
      const res = await call(gw, 'POST', '/packages/restore?dataset_id=N:dataset:123', { token: grace, json: { nodeIds: ['N:package:999'] } });
      expect(res.status, res.text).to.equal(200);
      const [line] = await lines('packages.restore', since);
      expect(line).to.include({ actor: 'grace@example.com', resource: 'dataset:N:dataset:123', outcome: 'failure' });
      expect(line.details).to.deep.equal({ accepted: [], refused: ['N:package:999'] });
    });

    it('api_token.create: the create-token script writes its line to stderr, stdout keeps only the token', async () => {
      const aws = stack.proxyEnv;
      // Asynchronously: the AWS edge the script calls runs in this process.
      const out = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/create-token.ts', 'ada@example.com'], {
        encoding: 'utf8', env: { ...process.env, AWS_ENDPOINT_URL: aws.AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID: aws.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: aws.AWS_SECRET_ACCESS_KEY, AWS_REGION: aws.AWS_REGION },
      });
      const token = out.stdout.trim();
      expect(token).to.match(/^[\w-]{40,}$/);
      const line = out.stderr.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).find((l) => l?.type === 'security_audit');
      expect(line).to.include({ action: 'api_token.create', actor: 'operator', resource: `customer:${subjectRef('ada@example.com')}`, outcome: 'success' });
      expect(out.stderr).not.to.include(token);
    });

    it('no line names an email other than its actor\'s', async () => {
      const res = await fetch(`${stack.urls.proxy}/__admin/audit`);
      const all = ((await res.json()) as { entries: AuditLine[] }).entries;
      expect(all.length).to.be.greaterThan(5);
      for (const l of all) {
        // Message ids (`<…@domain>`) look like addresses but name no one.
        const emails = JSON.stringify(l).replace(/<[^<>]*>/g, '').match(/[\w.+-]+@[\w-]+\.[\w.]+/g) ?? [];
        for (const e of emails) expect(e, JSON.stringify(l)).to.equal(l.actor);
      }
    });
  });
});
