/**
 * Near misses: a request no route of a fake took is journalled with the closest routes the fake declares — same
 * method and path shape, or same path other method — so a wrong URL explains itself. One case or more per fake,
 * over real HTTP (the AWS edge through the SDK), and the matching rules on their own.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { SSMClient, DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { startCustomerio } from '../../emulators/customerio/index.ts';
import { startExtend } from '../../emulators/extend/index.ts';
import { API_VERSION_MEDIA_TYPE } from '../../emulators/extend/routes.ts';
import { startMailgun } from '../../emulators/mailgun/index.ts';
import { startVault } from '../../emulators/vault/index.ts';
import { startAwsEdge } from '../../emulators/aws/edge.ts';
import type { JournalEntry } from '../../emulators/shared/journal.ts';
import { expressRouteTable, nearMissFor } from '../../emulators/shared/near-miss.ts';
import { patternRoutes } from '../../emulators/vault/route-table.ts';
import { errorOf, retarget } from '../helpers/aws.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const lastEntry = async (base: string, path: string): Promise<JournalEntry> => {
  const { entries } = (await (await fetch(`${base}/__admin/journal?path=${encodeURIComponent(path)}`)).json()) as { entries: JournalEntry[] };
  return entries.at(-1)!;
};
const nearMisses = async (base: string): Promise<JournalEntry[]> =>
  ((await (await fetch(`${base}/__admin/journal?nearMiss=1`)).json()) as { entries: JournalEntry[] }).entries;
const routesOf = (e: JournalEntry) => e.nearMiss?.closest.map((c) => `${c.method} ${c.route}`);

describe('near misses: the closest route of a request no route took', () => {
  describe('the matching rules', () => {
    const table = [
      { method: 'POST', route: '/api/v1/customers/:id/events' },
      { method: 'PUT', route: '/api/v1/customers/:id' },
      { method: 'GET', route: '/v1/secret/data/:path*' },
    ];

    it('finds a misspelt fixed segment in a route of the same method and shape', () => {
      const m = nearMissFor(table, 'POST', '/api/v1/customer/ada/events');
      expect(m.closest).to.have.length(1);
      expect(m.closest[0]).to.include({ method: 'POST', route: '/api/v1/customers/:id/events' });
      expect(m.closest[0].why).to.include('"customer" where the route has "customers"');
    });

    it('finds the same path under another method', () => {
      const m = nearMissFor(table, 'GET', '/api/v1/customers/ada');
      expect(m.closest.map((c) => `${c.method} ${c.route}`)).to.deep.equal(['PUT /api/v1/customers/:id']);
      expect(m.closest[0].why).to.match(/same path, other method: the route takes PUT, not GET/);
    });

    it('lets a rest parameter take any number of segments', () => {
      expect(nearMissFor(table, 'GET', '/v1/secrets/data/a/b/c').closest.map((c) => c.route)).to.deep.equal(['/v1/secret/data/:path*']);
    });

    it('names nothing when nothing comes close: other shape, or other words', () => {
      expect(nearMissFor(table, 'POST', '/api/v1/customers/ada/events/extra').closest).to.deep.equal([]);
      expect(nearMissFor(table, 'POST', '/api/v1/widgets/ada/gadgets').closest).to.deep.equal([]);
    });

    it('reads an Express app\'s routes, with routers under their prefix and /__admin left out', () => {
      const app = express();
      app.get(['/a/:id', '/b'], () => {});
      const r = express.Router();
      r.post('/x/:y', () => {});
      app.use('/v2', r);
      const admin = express.Router();
      admin.get('/state', () => {});
      app.use('/__admin', admin);
      expect(expressRouteTable(app)).to.deep.equal([{ method: 'GET', route: '/a/:id' }, { method: 'GET', route: '/b' }, { method: 'POST', route: '/v2/x/:y' }]);
    });

    it('turns the fake Vault\'s path patterns into routes', () => {
      expect(patternRoutes(/^data\/(?<path>.*)$/)).to.deep.equal(['data/:path*']);
      expect(patternRoutes(new RegExp('^role/(?<role_name>\\w(?:[\\w-.]*\\w)?)/secret-id/?$'))).to.deep.equal(['role/:role_name/secret-id']);
      expect(patternRoutes(/^metadata(?:\/(?<path>.*))?$/)).to.deep.equal(['metadata', 'metadata/:path*']);
    });
  });

  describe('fake Customer.io', () => {
    let cio: Awaited<ReturnType<typeof startCustomerio>>;
    before(async () => (cio = await startCustomerio({ port: 0, httpsPort: 0, tlsDir: mkdtempSync(join(tmpdir(), 'near-miss-tls-')) })));
    after(() => cio.close());

    it('journals POST /api/v1/customer/ada/events with POST /api/v1/customers/:identifier/events', async () => {
      const res = await fetch(`${cio.http.url}/api/v1/customer/ada/events`, { method: 'POST', body: '{}' });
      expect(res.status).to.equal(404);
      const e = await lastEntry(cio.http.url, '/api/v1/customer/');
      expect(routesOf(e)).to.deep.equal(['POST /api/v1/customers/:identifier/events']);
      expect(e.nearMiss!.reason).to.equal('no route matched');
    });

    it('journals GET on a PUT-only path as the same path, other method', async () => {
      await fetch(`${cio.http.url}/api/v1/customers/ada/devices`);
      const e = await lastEntry(cio.http.url, '/api/v1/customers/ada/devices');
      expect(routesOf(e)).to.include('PUT /api/v1/customers/:identifier/devices');
    });

    it('leaves requests a route took unflagged, even when the route answers 404', async () => {
      await fetch(`${cio.http.url}/v1/customers/nobody/activities`, { headers: { authorization: 'Bearer local-fake-app-api-key' } });
      const e = await lastEntry(cio.http.url, '/v1/customers/nobody/activities');
      expect(e.nearMiss).to.equal(undefined);
      expect((await nearMisses(cio.http.url)).map((x) => x.path)).to.not.include('/v1/customers/nobody/activities');
    });
  });

  describe('fake Extend', () => {
    let extend: Awaited<ReturnType<typeof startExtend>>;
    before(async () => (extend = await startExtend({ port: 0 })));
    after(() => extend.close());
    const get = (path: string, method = 'GET') => fetch(`${extend.url}${path}`, { method, headers: { accept: API_VERSION_MEDIA_TYPE } });

    it('journals GET /virtualcard/vc_1/transactions with GET /virtualcards/:id/transactions', async () => {
      expect((await get('/virtualcard/vc_1/transactions')).status).to.equal(404);
      expect(routesOf(await lastEntry(extend.url, '/virtualcard/'))).to.deep.equal(['GET /virtualcards/:id/transactions']);
    });

    it('journals DELETE /virtualcards as the same path, other method', async () => {
      await get('/virtualcards', 'DELETE');
      expect(routesOf(await lastEntry(extend.url, '/virtualcards'))).to.deep.equal(['GET /virtualcards']);
    });
  });

  describe('fake Mailgun', () => {
    let mg: Awaited<ReturnType<typeof startMailgun>>;
    before(async () => (mg = await startMailgun({ port: 0 })));
    after(() => mg.close());
    const auth = `Basic ${Buffer.from('api:key-gatehouse-local-0000000000000000').toString('base64')}`;

    it('journals POST /v3/<domain>/message with the messages route', async () => {
      const res = await fetch(`${mg.url}/v3/mg.gatehouse.local/message`, { method: 'POST', headers: { authorization: auth } });
      expect(res.status).to.equal(404);
      expect(routesOf(await lastEntry(mg.url, '/v3/mg.gatehouse.local/message'))).to.include('POST /v3/:domain/messages');
    });
  });

  describe('fake Vault', () => {
    let vault: Awaited<ReturnType<typeof startVault>>;
    before(async () => (vault = await startVault({ port: 0 })));
    after(() => vault.close());
    const req = (method: string, path: string) => fetch(`${vault.url}${path}`, { method, headers: { 'x-vault-token': 'root' } });

    it('journals a read of an unmounted path with the mount it was meant for', async () => {
      expect((await req('GET', '/v1/secrets/data/gatehouse/customerio')).status).to.equal(404);
      const e = await lastEntry(vault.url, '/v1/secrets/');
      expect(e.nearMiss!.reason).to.match(/^no handler for route/);
      expect(routesOf(e)).to.include('GET /v1/secret/data/:path*');
    });

    it('journals an unsupported operation as the same path, other method', async () => {
      expect((await req('DELETE', '/v1/auth/approle/login')).status).to.equal(405);
      const e = await lastEntry(vault.url, '/v1/auth/approle/login');
      expect(e.nearMiss!.reason).to.equal('unsupported operation');
      expect(routesOf(e)).to.include('POST /v1/auth/approle/login');
    });

    it('journals an unsupported path inside a mount with its closest pattern', async () => {
      expect((await req('GET', '/v1/secret/metdata/gatehouse')).status).to.equal(404);
      const e = await lastEntry(vault.url, '/v1/secret/metdata');
      expect(e.nearMiss!.reason).to.equal('unsupported path');
      expect(routesOf(e)).to.include('GET /v1/secret/metadata/:path*');
    });
  });

  describe('AWS edge: an X-Amz-Target naming no operation', () => {
    let edge: Awaited<ReturnType<typeof startAwsEdge>>;
    before(async () => (edge = await startAwsEdge({ port: 0, credentials: { test: 'test' } })));
    after(() => edge.close());
    const cfg = () => ({ endpoint: edge.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

    const cases = [
      { service: 'SSM', client: () => new SSMClient(cfg()), carrier: new DescribeParametersCommand({}), target: 'AmazonSSM.GetParamter', closest: 'AmazonSSM.GetParameter' },
      { service: 'SQS', client: () => new SQSClient(cfg()), carrier: new ListQueuesCommand({}), target: 'AmazonSQS.SendMesage', closest: 'AmazonSQS.SendMessage' },
      { service: 'Secrets Manager', client: () => new SecretsManagerClient(cfg()), carrier: new ListSecretsCommand({}), target: 'secretsmanager.GetSecretVale', closest: 'secretsmanager.GetSecretValue' },
      { service: 'DynamoDB', client: () => new DynamoDBClient(cfg()), carrier: new ListTablesCommand({}), target: 'DynamoDB_20120810.GetItems', closest: 'DynamoDB_20120810.GetItem' },
    ];
    for (const c of cases) {
      it(`${c.service}: ${c.target} is journalled with ${c.closest}`, async () => {
        const client = c.client() as unknown as { send(c: unknown): Promise<unknown>; destroy(): void; middlewareStack: { add: (mw: any, opts: any) => void } };
        retarget(client, c.target);
        try {
          await errorOf(client.send(c.carrier));
        } finally {
          client.destroy();
        }
        const [e] = (await nearMisses(edge.url)).filter((x) => x.headers['x-amz-target'] === c.target);
        expect(e, `${c.target} journalled as a near miss`).to.not.equal(undefined);
        expect(e.nearMiss!.reason).to.equal(`unknown operation ${c.target}`);
        expect(e.nearMiss!.closest[0].route).to.equal(`X-Amz-Target: ${c.closest}`);
      });
    }

    it('leaves a served operation unflagged', async () => {
      const ssm = new SSMClient(cfg());
      await ssm.send(new DescribeParametersCommand({}));
      ssm.destroy();
      const ops = edge.journal.list().filter((e) => e.headers['x-amz-target'] === 'AmazonSSM.DescribeParameters');
      expect(ops.length).to.be.greaterThan(0);
      expect(ops.every((e) => e.nearMiss === undefined)).to.equal(true);
    });
  });
});
