/**
 * The other direction of the Customer.io webhook contract: the fake Customer.io is the consumer of
 * `POST /webhooks/customerio`, so the requests it really sends must be ones the mobile pact's webhook interactions
 * allow (same method, path, headers by rule, and a body with exactly the pact's fields under its matchers —
 * scripts/lib/replay/pact-check.ts, the check the recorded upstream fixtures pass). It is made to report what the
 * interactions describe: a transactional email's sent and delivered, a bounce, a subscription change.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCustomerio } from '../../emulators/customerio/index.ts';
import { checkFixtures, type CheckResult, type PactInteraction } from '../../scripts/lib/replay/pact-check.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import type { UpstreamInteraction } from '../../scripts/lib/replay/upstream.ts';
import { customerioWorkspace } from './fakes.ts';

/** The webhooks the fake sends for those happenings, each checked against the pact's webhook interactions. */
export async function checkFakeCustomerioWebhooks(mobilePactFile: string): Promise<CheckResult[]> {
  const interactions = (JSON.parse(readFileSync(mobilePactFile, 'utf8')).interactions as PactInteraction[]).filter((i) => i.request.path === '/webhooks/customerio');
  const captured = await captureFakeWebhooks();
  return checkFixtures(captured, interactions, new Redactor());
}

export async function captureFakeWebhooks(): Promise<UpstreamInteraction[]> {
  const got: UpstreamInteraction[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => ['content-type', 'x-cio-timestamp', 'x-cio-signature'].includes(k))) as Record<string, string>;
      got.push({ upstream: 'customerio-webhook', request: { method: req.method ?? 'POST', path: req.url ?? '/', query: '', headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }, response: { status: 200, headers: {} } });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const fake = await startCustomerio({ port: 0, httpsPort: 0, tlsDir: mkdtempSync(join(tmpdir(), 'gatehouse-pact-cio-hooks-')) });
  try {
    fake.webhooks.configure({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/customerio` });
    const ws = customerioWorkspace();
    const call = (method: string, path: string, auth: string, body: unknown) =>
      fetch(fake.http.url + path, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const app = `Bearer ${ws.appApiKey}`;
    const track = 'Basic ' + Buffer.from(`${ws.siteId}:${ws.trackApiKey}`).toString('base64');
    const { delivery_id } = await call('POST', '/v1/send/email', app, { transactional_message_id: 1, identifiers: { email: 'ada@example.com' }, to: 'ada@example.com' });
    fake.state.reportDelivery(delivery_id, 'bounced', { reason: '550 5.1.1 mailbox unavailable' });
    await call('PUT', '/api/v1/customers/ada@example.com', track, { unsubscribed: true });
    const until = Date.now() + 10_000;
    while (got.length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (got.length < 4) throw new Error(`the fake sent ${got.length} of 4 webhooks`);
    return got;
  } finally {
    await fake.close();
    receiver.closeAllConnections();
    receiver.close();
  }
}
