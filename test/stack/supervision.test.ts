/**
 * Each service of the stack runs in a process of its own: `kill -9` one and the others keep answering, while the
 * supervisor notices, restarts it on the same port within a second, with its state as persistence keeps it, and
 * redoes the wiring the restart undid. Repeated crashes back off; a process that stops answering is replaced.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ServiceName, ServiceStatus, Stack } from '../../emulators/stack/index.ts';
import { startStack } from '../../emulators/stack/index.ts';
import type { Logger } from '../../proxy/core/log.ts';
import { admin, call, testStack } from '../helpers/stack.ts';

const serviceOf = (stack: Stack, name: ServiceName): ServiceStatus => stack.status().find((s) => s.name === name)!;

async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether the server at `url` answers HTTP (any status; the admin API, so no fake journals the probe). */
const answers = (url: string) => fetch(`${url}/__admin/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.arrayBuffer().then(() => true), () => false);

/**
 * A restart must answer within 1 s of the exit; on a machine whose CPUs are already oversubscribed by other work
 * (load average above the core count) every process gets a share of a core, so the budget grows in proportion.
 */
const restartBudgetMs = () => Math.round(1000 * Math.max(1, os.loadavg()[0] / os.cpus().length));

/** Calls `probe` back to back until stopped: how many calls, and which failed (a failed probe may say why). */
function keepCalling(probe: () => Promise<true | string>) {
  let stopped = false;
  const seen = { calls: 0, failures: [] as string[] };
  const loop = (async () => {
    while (!stopped) {
      seen.calls++;
      const ok = await probe().catch((e: Error) => e.message);
      if (ok !== true) seen.failures.push(`call ${seen.calls}: ${ok}`);
    }
  })();
  return { stop: async () => { stopped = true; await loop; return seen; } };
}

/** kill -9 the service's process; resolves with the exit time the supervisor saw and the new process's status. */
async function killAndWait(stack: Stack, name: ServiceName, url: string): Promise<{ exitAt: number; answeredAt: number; status: ServiceStatus }> {
  const before = serviceOf(stack, name);
  const othersBefore = stack.status().filter((s) => s.name !== name).map((s) => `${s.name} pid ${s.pid} exits ${s.exits}`);
  process.kill(before.pid!, 'SIGKILL');
  const exit = await eventually(`${name}'s exit`, () => (serviceOf(stack, name).exits > before.exits ? serviceOf(stack, name).lastExit! : undefined));
  const answeredAt = await eventually(`${name} answering again`, async () => ((await answers(url)) ? Date.now() : undefined));
  // Up = its wiring redone too (the AWS edge re-seeded, the proxy rebuilt): seconds on a loaded machine.
  const status = await eventually(`${name} up again`, () => { const s = serviceOf(stack, name); return s.state === 'up' && s.pid !== before.pid ? s : undefined; }, 60_000);
  // The others never went down: the same processes, no exit.
  expect(stack.status().filter((s) => s.name !== name).map((s) => `${s.name} pid ${s.pid} exits ${s.exits}`)).to.deep.equal(othersBefore);
  return { exitAt: Date.parse(exit.at), answeredAt, status };
}

const s3For = (stack: Stack) => new S3Client({ endpoint: stack.urls.aws, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describe('supervised stack: one process per service', function () {
  this.timeout(90_000);

  describe('kill -9 of one service', () => {
    let stack: Stack;
    // No warm-up: PGlite's WebAssembly, opened on the first packages request, holds the proxy's event loop for
    // seconds, and the kept-alive connections that the fakes close meanwhile are replaced, not reset (keep-alive.ts).
    before(async () => { stack = await testStack(); });
    after(async () => { await stack?.close(); });

    it('runs every service in a process of its own, reported by status() as plain JSON', () => {
      const status = stack.status();
      expect(status.map((s) => s.name).sort()).to.deep.equal(['aws', 'cloudfront', 'console', 'customerio', 'extend', 'gateway', 'mailgun', 'proxy', 'vault']);
      const pids = status.map((s) => s.pid);
      expect(new Set(pids).size).to.equal(9);
      expect(pids).to.not.include(process.pid);
      for (const s of status) {
        expect(s.state, s.name).to.equal('up');
        expect(s.uptimeMs, s.name).to.be.a('number').at.least(0);
        expect(s.restarts).to.equal(0);
        expect(s.lastExit).to.equal(null);
      }
      expect(serviceOf(stack, 'customerio').urls).to.have.keys('customerio', 'customerio-https');
      expect(JSON.parse(JSON.stringify(status))).to.deep.equal(status);
    });

    it('the AWS edge: the gateway keeps serving, the edge answers on its port within 1 s and comes back at its seed', async () => {
      const s3 = s3For(stack);
      await s3.send(new CreateBucketCommand({ Bucket: 'before-the-kill' }));
      await s3.send(new PutObjectCommand({ Bucket: 'before-the-kill', Key: 'note.txt', Body: 'written before' }));
      // Through the gateway to a route the proxy answers itself, and to a fake: neither touches AWS.
      const client = keepCalling(async () => {
        const r = await call(stack.urls.gateway, 'GET', '/openapi.json');
        const cio = await fetch(`${stack.urls.customerio}/__admin/health`);
        return (r.status === 200 && cio.ok) || `${r.status} ${r.text.slice(0, 200)} / ${cio.status}`;
      });
      const { exitAt, answeredAt, status } = await killAndWait(stack, 'aws', stack.urls.aws);
      const seen = await client.stop();
      expect(answeredAt - exitAt, 'ms from the exit to an answer').to.be.at.most(restartBudgetMs());
      expect(status.urls.aws).to.equal(stack.urls.aws);
      expect(status.lastExit!.signal).to.equal('SIGKILL');
      expect(seen.failures, `${seen.calls} calls through the gateway`).to.deep.equal([]);
      expect(seen.calls).to.be.greaterThan(1);
      // In memory: what was written is gone, the seed is back (report files, the CloudFront key secret, tables).
      const gone = await s3.send(new GetObjectCommand({ Bucket: 'before-the-kill', Key: 'note.txt' })).then(() => 'found', (e: Error) => e.name);
      expect(gone).to.equal('NoSuchBucket');
      const seeded = await s3.send(new GetObjectCommand({ Bucket: stack.proxyEnv.REPORTS_BUCKET, Key: 'reports/DN-1001/2025/07/royalty-statement.pdf' }));
      expect(seeded.ContentType).to.equal('application/pdf');
      s3.destroy();
      // The apps that read AWS work again: the mail function signs links with the re-seeded CloudFront key.
      const key = 'local-crm-api-key-000000000000000000000000';
      const listed = await call(stack.urls.gateway, 'GET', '/reports?prefix=reports/DN-1001/', { headers: { 'x-api-key': key } });
      expect(listed.status, listed.text).to.equal(200);
    });

    it('a fake (Customer.io): the others keep serving, it answers on both ports within 1 s, back at its seed', async () => {
      const track = await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'before_the_kill', anonymous_id: 'device-2' } });
      expect(track.status).to.equal(200);
      const journal = async () => (await admin(stack.urls.customerio, '/journal')).entries.length as number;
      expect(await journal()).to.be.greaterThan(0);
      const client = keepCalling(async () => ((await fetch(`${stack.urls.extend}/__admin/health`)).ok && (await fetch(`${stack.urls.aws}/__admin/health`)).ok) || 'not ok');
      const { exitAt, answeredAt, status } = await killAndWait(stack, 'customerio', stack.urls.customerio);
      const seen = await client.stop();
      expect(answeredAt - exitAt).to.be.at.most(restartBudgetMs());
      expect(status.urls).to.deep.equal({ customerio: stack.urls.customerio, 'customerio-https': stack.urls['customerio-https'] });
      expect(seen.failures).to.deep.equal([]);
      expect(await journal()).to.equal(0);
      const again = await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'after_the_kill', anonymous_id: 'device-2' } });
      expect(again.status).to.equal(200);
    });

    it('the proxy: the fakes keep serving, it answers within 1 s, rebuilds its apps and re-opens the packages database', async () => {
      const token = await stack.gateway.mintToken('grace@example.com');
      const presign = () => call(stack.urls.gateway, 'GET', '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false', { token });
      expect((await presign()).status).to.equal(200); // the database is open (PGlite files under the state folder)
      const client = keepCalling(async () => ((await fetch(`${stack.urls.customerio}/__admin/health`)).ok && (await fetch(`${stack.urls.vault}/v1/sys/health`)).status < 500) || 'not ok');
      const { exitAt, answeredAt, status } = await killAndWait(stack, 'proxy', stack.urls.proxy);
      const seen = await client.stop();
      expect(answeredAt - exitAt).to.be.at.most(restartBudgetMs());
      expect(status.urls.proxy).to.equal(stack.urls.proxy);
      expect(seen.failures).to.deep.equal([]);
      // `up` means rebuilt: routes answer through the gateway with the keys from the state folder.
      const after = await presign();
      expect(after.status, after.text).to.equal(200);
      expect((await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'after', anonymous_id: 'device-3' } })).status).to.equal(200);
    });

    it('Mailgun: its webhooks to the gateway are registered again after a restart', async () => {
      const domain = stack.proxyEnv.MAILGUN_DOMAIN!;
      const { apiKey } = JSON.parse(readFileSync('fixtures/mailgun/seed.json', 'utf8')) as { apiKey: string };
      const auth = `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`;
      const webhooks = async () => (await (await fetch(`${stack.urls.mailgun}/v3/domains/${domain}/webhooks`, { headers: { authorization: auth } })).json()) as { webhooks: Record<string, { urls: string[] }> };
      await killAndWait(stack, 'mailgun', stack.urls.mailgun);
      expect((await webhooks()).webhooks.delivered.urls).to.deep.equal([`${stack.urls.gateway}/webhooks/mailgun`]);
    });

    it('restart(name) and reset(name): a service on request, its wiring redone', async () => {
      const before = serviceOf(stack, 'extend');
      await stack.restart('extend');
      const after = serviceOf(stack, 'extend');
      expect(after.pid).to.not.equal(before.pid);
      expect(after.restarts).to.equal(before.restarts + 1);
      expect(after.exits, 'a restart asked for is not a crash').to.equal(before.exits);
      expect(await answers(stack.urls.extend)).to.equal(true);
      await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'x', anonymous_id: 'device-4' } });
      await stack.reset('customerio');
      expect((await admin(stack.urls.customerio, '/journal')).entries).to.deep.equal([]);
    });
  });

  describe('with AWS_PERSIST_DIR', () => {
    let stack: Stack;
    before(async () => { stack = await testStack({ AWS_PERSIST_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-s3-')) }); });
    after(async () => { await stack?.close(); });

    it('an S3 object written before the kill is readable after it', async () => {
      const s3 = s3For(stack);
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'note.txt', Body: 'written before the kill' }));
      const { exitAt, answeredAt } = await killAndWait(stack, 'aws', stack.urls.aws);
      expect(answeredAt - exitAt).to.be.at.most(restartBudgetMs());
      const got = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'note.txt' }));
      expect(await got.Body!.transformToString()).to.equal('written before the kill');
      s3.destroy();
    });
  });

  describe('a service that keeps crashing', () => {
    const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = {
      debug() {}, info: (msg, fields) => lines.push({ msg, fields }), warn: (msg, fields) => lines.push({ msg, fields }),
      error: (msg, fields) => lines.push({ msg, fields }), audit() {}, addSecretValues() {},
    };
    let stack: Stack;
    before(async () => {
      const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
      stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log, restartPolicy: { initialDelayMs: 200, maxDelayMs: 800, unresponsiveMs: 5000 } });
    });
    after(async () => { await stack?.close(); });

    it('is restarted at once the first time, then after 200, 400, 800, 800 ms; each exit and restart is logged', async () => {
      const gaps: number[] = [];
      let sawBackoff = false;
      for (let i = 0; i < 5; i++) {
        const before = serviceOf(stack, 'extend');
        process.kill(before.pid!, 'SIGKILL');
        const exit = await eventually('the exit', () => (serviceOf(stack, 'extend').exits > before.exits ? serviceOf(stack, 'extend').lastExit! : undefined));
        const up = await eventually('up again', () => {
          const s = serviceOf(stack, 'extend');
          if (s.state === 'backoff') sawBackoff = true;
          return s.state === 'up' && s.pid !== before.pid ? Date.now() : undefined;
        });
        gaps.push(up - Date.parse(exit.at));
      }
      const exits = lines.filter((l) => l.msg === 'service exited' && l.fields?.service === 'extend');
      expect(exits.map((l) => l.fields!.restartInMs)).to.deep.equal([0, 200, 400, 800, 800]);
      expect(exits.every((l) => l.fields!.signal === 'SIGKILL' && l.fields!.code === null && typeof l.fields!.pid === 'number')).to.equal(true);
      expect(lines.filter((l) => l.msg === 'service restarted' && l.fields?.service === 'extend')).to.have.length(5);
      [0, 200, 400, 800, 800].forEach((delay, i) => expect(gaps[i], `restart ${i + 1}`).to.be.at.least(delay));
      expect(sawBackoff).to.equal(true);
      const s = serviceOf(stack, 'extend');
      expect(s).to.include({ restarts: 5, exits: 5, state: 'up' });
      // The rest of the stack never noticed.
      for (const other of stack.status().filter((x) => x.name !== 'extend')) expect(other.exits, `${other.name}: ${JSON.stringify(lines.filter((l) => l.fields?.service === other.name))}`).to.equal(0);
    });

    it('kills and restarts a process that stops answering (SIGSTOP), as a crashed one', async () => {
      const before = serviceOf(stack, 'vault');
      process.kill(before.pid!, 'SIGSTOP');
      const after = await eventually('vault replaced', () => { const s = serviceOf(stack, 'vault'); return s.state === 'up' && s.pid !== before.pid ? s : undefined; });
      expect(after.lastExit!.signal).to.equal('SIGKILL');
      expect(after.exits).to.equal(before.exits + 1);
      expect(lines.some((l) => l.msg === 'service unresponsive' && l.fields?.service === 'vault' && (l.fields.silentMs as number) > 5000)).to.equal(true);
      expect((await fetch(`${stack.urls.vault}/v1/sys/health`)).status).to.equal(200);
    });
  });
});
