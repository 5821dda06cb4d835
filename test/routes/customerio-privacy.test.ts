/**
 * "Forget me" through gateway → proxy → fake Customer.io and the AWS edge: suppress, unsuppress and delete of a
 * signed-in user's own profile, Gatehouse's own records of them removed (Extend session, API tokens, mail
 * delivery rows, Customer.io webhook events) and named in the answer, others' records untouched, the audit lines.
 */
import { expect } from 'chai';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { seedAws } from '../../emulators/aws/seed.ts';
import type { Stack } from '../../emulators/stack/index.ts';
import { cardsAwsClients, type CardsAws } from '../../proxy/routes/cards/aws.ts';
import { ApiTokenStore } from '../../proxy/routes/cards/api-tokens.ts';
import type { AuditLine } from '../../proxy/core/audit.ts';
import { admin, call, testStack } from '../helpers/stack.ts';
import { eventually } from '../helpers/steady-load.ts';

const ADA = 'ada@example.com';
const KEY = 'local-crm-api-key-000000000000000000000000';


describe('Customer.io privacy routes (forget me)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let gw: string;
  let cio: string;
  let jwt: string;
  let aws: CardsAws;

  before(async () => {
    stack = await testStack();
    gw = stack.urls.gateway;
    cio = stack.urls.customerio;
    jwt = await stack.gateway.mintToken(ADA);
    aws = cardsAwsClients(stack.proxyEnv);
  });
  after(() => stack?.close());
  beforeEach(async () => {
    await admin(cio, '/reset', { method: 'POST' });
    await admin(stack.urls.aws, '/faults', { method: 'DELETE' });
  });

  const person = (id: string) => fetch(`${cio}/__admin/people/${encodeURIComponent(id)}`).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const journal = async (prefix: string) => (await admin(cio, `/journal?path=${encodeURIComponent(prefix)}`)).entries as { method: string; path: string }[];
  const audits = async (action: string, since: string) =>
    ((await (await fetch(`${stack.urls.proxy}/__admin/audit?action=${action}&since=${encodeURIComponent(since)}`)).json()) as { entries: AuditLine[] }).entries;
  const scan = async (table: string) => ((await aws.ddb.send(new ScanCommand({ TableName: table }))).Items ?? []) as Record<string, unknown>[];
  /** The fake's webhooks all delivered (they write to the AWS edge too; a fault must not be consumed by them). */
  const webhooksSettled = () => eventually(async () => ((await admin(cio, '/webhooks')).backlog.length === 0 ? true : undefined));

  describe('POST /customers/{id}/suppress and /unsuppress', () => {
    it('suppresses the caller at Customer.io, which then accepts and ignores their events and attributes', async () => {
      const since = new Date().toISOString();
      const res = await call(gw, 'POST', `/customers/${ADA}/suppress`, { token: jwt });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ customer: ADA, suppressed: true });
      expect((await person(ADA)).body).to.include({ suppressed: true, deleted: true });
      expect((await journal('/api/v1/customers/ada%40example.com/suppress')).map((e) => e.method)).to.deep.equal(['POST']);
      // Customer.io answers 200 and drops them (Track API "Suppress a person": later calls are ignored).
      expect((await call(gw, 'POST', `/customers/${ADA}/events`, { token: jwt, json: { name: 'after' } })).status).to.equal(200);
      expect((await call(gw, 'PUT', `/customers/${ADA}/attributes`, { token: jwt, json: { plan: 'x' } })).status).to.equal(200);
      const state = await admin(cio, '/state');
      expect(state.events.filter((e: { name: string }) => e.name === 'after')).to.deep.equal([]);
      expect(state.people.filter((p: { email?: string; deleted: boolean }) => p.email === ADA && !p.deleted)).to.deep.equal([]);
      const [line] = await audits('gdpr.suppress', since);
      expect(line).to.include({ actor: ADA, resource: 'customer:self', outcome: 'success' });
    });

    it('unsuppresses the caller: their identifier may be used again', async () => {
      await call(gw, 'POST', `/customers/${ADA}/suppress`, { token: jwt });
      const since = new Date().toISOString();
      const res = await call(gw, 'POST', `/customers/${ADA}/unsuppress`, { token: jwt });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ customer: ADA, suppressed: false });
      expect((await call(gw, 'PUT', `/customers/${ADA}/attributes`, { token: jwt, json: { plan: 'back' } })).status).to.equal(200);
      expect((await person(ADA)).body).to.deep.include({ email: ADA, deleted: false, suppressed: false, attributes: { plan: 'back' } });
      expect((await audits('gdpr.unsuppress', since))[0]).to.include({ actor: ADA, outcome: 'success' });
    });

    it('refuses another person\'s profile (403) and anonymous callers (401), calling nothing', async () => {
      for (const path of [`/customers/grace@example.com/suppress`, `/customers/grace@example.com/unsuppress`]) {
        const res = await call(gw, 'POST', path, { token: jwt });
        expect(res.status).to.equal(403);
        expect(res.body.error.code).to.equal('identity_mismatch');
      }
      const anonymous = await call(gw, 'POST', `/customers/${ADA}/suppress`);
      expect(anonymous.status).to.equal(401);
      expect(anonymous.body.error.code).to.equal('login_required');
      expect(await journal('/api/v1')).to.deep.equal([]);
      expect((await person('grace@example.com')).body).to.include({ suppressed: false, deleted: false });
    });

    it('maps Customer.io failing to a 502 and audits the failure', async () => {
      const since = new Date().toISOString();
      await admin(cio, '/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 500, match: { path: '/api/v1/customers/ada%40example.com/suppress' } }) });
      const res = await call(gw, 'POST', `/customers/${ADA}/suppress`, { token: jwt });
      expect(res.status).to.equal(502);
      expect((await audits('gdpr.suppress', since))[0]).to.deep.include({ outcome: 'failure', details: { code: 'upstream_error' } });
    });
  });

  describe('DELETE /customers/{id}', () => {
    /** Ada's records in every table Gatehouse keeps, and one of grace's in each that must survive. */
    async function seedRecords() {
      // An Extend session (cards sign-in caches it) and two API tokens for ada, one for grace.
      const tokens = new ApiTokenStore(aws.ddb, 'gatehouse-api-tokens');
      const adaToken = (await tokens.create(ADA, Date.now())).token;
      await tokens.create(ADA, Date.now());
      const graceToken = (await tokens.create('grace@example.com', Date.now())).token;
      expect((await call(gw, 'GET', '/cards', { headers: { token: adaToken } })).status).to.equal(200);
      // A campaign to ada and grace: one delivery row each.
      const sent = await call(gw, 'POST', '/send-mail', { headers: { 'x-api-key': KEY }, json: {
        to: [ADA, 'grace@example.com'], subject: 'Forget', html: '<p>x</p>', text: 'x', from: 'reports@mg.gatehouse.local', campaign: { name: 'forget', type: 'newsletter' } } });
      expect(sent.status, sent.text).to.equal(200);
      // A transactional email: the fake reports sent + delivered, stored as Customer.io webhook events about ada.
      expect((await call(gw, 'POST', '/send/email', { token: jwt, json: { transactional_message_id: 1, identifiers: { email: ADA } } })).status).to.equal(200);
      await eventually(async () => ((await scan('gatehouse-customerio-webhook-events')).filter((e) => e.customer === ADA).length >= 2 ? true : undefined));
      // And one event about grace, written directly.
      await aws.ddb.send(new PutCommand({ TableName: 'gatehouse-customerio-webhook-events', Item: { eventId: `grace-${Date.now()}`, customer: 'grace@example.com', metric: 'opened', objectType: 'email', timestamp: 1 } }));
      await webhooksSettled();
      return { adaToken, graceToken };
    }

    it('deletes the profile at Customer.io and every Gatehouse record naming the caller, and says what went where', async () => {
      const { adaToken, graceToken } = await seedRecords();
      const before = { tokens: await scan('gatehouse-api-tokens'), deliveries: await scan('gatehouse-mail-deliveries'), events: await scan('gatehouse-customerio-webhook-events') };
      const count = (items: Record<string, unknown>[], attr: string) => items.filter((i) => i[attr] === ADA).length;
      const cioId = (await person(ADA)).body.cioId;
      const since = new Date().toISOString();

      const res = await call(gw, 'DELETE', `/customers/${ADA}`, { token: jwt });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.include({ customer: ADA, deleted: true });
      expect(res.body.removed.dynamodb).to.deep.equal({
        'gatehouse-extend-tokens': 1,
        'gatehouse-api-tokens': count(before.tokens, 'email'),
        'gatehouse-mail-deliveries': count(before.deliveries, 'recipient'),
        'gatehouse-customerio-webhook-events': count(before.events, 'customer'),
      });
      expect(res.body.removed.dynamodb['gatehouse-api-tokens']).to.equal(2);
      expect(res.body.retained).to.be.a('string');

      // Gatehouse: nothing of ada's left, grace's untouched.
      expect((await aws.ddb.send(new GetCommand({ TableName: 'gatehouse-extend-tokens', Key: { email: ADA } }))).Item).to.equal(undefined);
      for (const [table, attr] of [['gatehouse-api-tokens', 'email'], ['gatehouse-mail-deliveries', 'recipient'], ['gatehouse-customerio-webhook-events', 'customer']] as const) {
        const items = await scan(table);
        expect(items.filter((i) => i[attr] === ADA), table).to.deep.equal([]);
        expect(items.filter((i) => i[attr] === 'grace@example.com').length, table).to.be.greaterThan(0);
      }
      expect((await call(gw, 'GET', '/cards', { headers: { token: adaToken } })).status).to.equal(401);
      expect((await call(gw, 'GET', '/cards', { headers: { token: graceToken } })).status).to.equal(200);

      // Customer.io: profile, devices, events and activity forgotten; the identifier free for a new person.
      expect((await person(ADA)).status).to.equal(404);
      const state = await admin(cio, '/state');
      const tombstone = state.people.find((p: { cioId: string }) => p.cioId === cioId);
      expect(tombstone).to.deep.include({ deleted: true, attributes: {}, devices: [] });
      expect(tombstone).not.to.have.property('email');
      expect(state.events.filter((e: { cioId: string }) => e.cioId === cioId)).to.deep.equal([]);
      expect(state.activities.filter((a: { cioId: string }) => a.cioId === cioId)).to.deep.equal([]);
      expect(JSON.stringify(state.deliveries)).not.to.include(ADA);

      const [line] = await audits('gdpr.delete', since);
      expect(line).to.include({ actor: ADA, resource: 'customer:self', outcome: 'success' });
      expect(line.details).to.deep.equal({ removed: res.body.removed.dynamodb });
      expect((await audits('api_token.revoke', since))[0]).to.deep.include({ actor: ADA, details: { count: 2, reason: 'gdpr.delete' } });
    });

    it('finds mail sent to the caller\'s address in another case: one delivery row, removed by the delete', async () => {
      const sent = await call(gw, 'POST', '/send-mail', { headers: { 'x-api-key': KEY }, json: {
        to: ['Ada@Example.COM'], subject: 'Case', html: '<p>x</p>', text: 'x', from: 'reports@mg.gatehouse.local', campaign: { name: 'case', type: 'newsletter' } } });
      expect(sent.status, sent.text).to.equal(200);
      const id = sent.body.messages[0].id as string;
      // Mailgun's own `delivered` webhook arrives: the recipient is one row that moved on, not a second row.
      const state = await eventually(async () => {
        const r = await call(gw, 'GET', `/send-mail/${encodeURIComponent(id)}`, { headers: { 'x-api-key': KEY } });
        return r.body?.summary?.delivered === 1 ? r.body : undefined;
      });
      expect(state.summary).to.include({ recipients: 1, pending: 0, delivered: 1 });
      const res = await call(gw, 'DELETE', `/customers/${ADA}`, { token: jwt });
      expect(res.status, res.text).to.equal(200);
      expect((await scan('gatehouse-mail-deliveries')).filter((i) => String(i.recipient).toLowerCase() === ADA)).to.deep.equal([]);
    });

    it('is idempotent: deleting again removes nothing more and still answers 200', async () => {
      await call(gw, 'DELETE', `/customers/${ADA}`, { token: jwt });
      await webhooksSettled();
      const again = await call(gw, 'DELETE', `/customers/${ADA}`, { token: jwt });
      expect(again.status).to.equal(200);
      expect(Object.values(again.body.removed.dynamodb)).to.deep.equal([0, 0, 0, 0]);
    });

    it('touches no table when Customer.io fails (502), so a retry starts from the same place', async () => {
      await seedRecords();
      const tokens = (await scan('gatehouse-api-tokens')).length;
      await admin(cio, '/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 503, match: { method: 'DELETE', path: '/api/v1/customers/ada%40example.com' } }) });
      const res = await call(gw, 'DELETE', `/customers/${ADA}`, { token: jwt });
      expect(res.status).to.equal(502);
      expect((await scan('gatehouse-api-tokens')).length).to.equal(tokens);
      expect((await person(ADA)).status).to.equal(200);
    });

    it('answers 503 deletion_incomplete naming what was and was not removed when a table fails, and a retry finishes', async () => {
      await seedRecords();
      // One table unavailable (gone): the others are cleared, it is named, and the answer says to retry.
      await aws.ddb.send(new DeleteTableCommand({ TableName: 'gatehouse-mail-deliveries' }));
      const res = await call(gw, 'DELETE', `/customers/${ADA}`, { token: jwt });
      expect(res.status, res.text).to.equal(503);
      expect(res.body.error.code).to.equal('deletion_incomplete');
      expect(res.headers.get('retry-after')).to.equal('5');
      expect(res.body.error.details.failed).to.deep.equal({ 'gatehouse-mail-deliveries': 'ResourceNotFoundException' });
      expect(res.body.error.details.removed.dynamodb['gatehouse-api-tokens']).to.be.at.least(2);
      expect((await scan('gatehouse-api-tokens')).filter((i) => i.email === ADA)).to.deep.equal([]);
      // The table is back (seeding is idempotent: it re-creates what is missing); the retry finishes the job.
      await seedAws(stack.proxyEnv.AWS_ENDPOINT_URL!, { accessKeyId: 'test', secretAccessKey: 'test' }, stack.proxyEnv.AWS_REGION!);
      await aws.ddb.send(new PutCommand({ TableName: 'gatehouse-mail-deliveries', Item: { messageId: 'm-1', recipient: ADA, status: 'delivered', at: 1 } }));
      const retry = await call(gw, 'DELETE', `/customers/${ADA}`, { token: jwt });
      expect(retry.status, retry.text).to.equal(200);
      for (const [table, attr] of [['gatehouse-api-tokens', 'email'], ['gatehouse-mail-deliveries', 'recipient'], ['gatehouse-customerio-webhook-events', 'customer']] as const) {
        expect((await scan(table)).filter((i) => i[attr] === ADA), table).to.deep.equal([]);
      }
    });

    it('refuses another person\'s profile and anonymous callers', async () => {
      expect((await call(gw, 'DELETE', '/customers/grace@example.com', { token: jwt })).status).to.equal(403);
      expect((await call(gw, 'DELETE', `/customers/${ADA}`)).status).to.equal(401);
      expect((await person('grace@example.com')).status).to.equal(200);
    });
  });
});
