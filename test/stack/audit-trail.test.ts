/**
 * `GET <proxy>/__admin/audit` filters: `since` is a time, whatever ISO spelling it comes in, and a value that is no
 * time is a 400 naming it rather than an empty answer.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuditTrail, serveAudit } from '../../emulators/stack/audit-trail.ts';
import { silentLogger } from '../../proxy/core/log.ts';

describe('the stack\'s audit trail endpoint', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    const trail = new AuditTrail();
    const log = trail.tee(silentLogger());
    for (const timestamp of ['2026-12-02T03:15:00.000Z', '2026-12-02T03:45:00.000Z']) {
      log.audit({ type: 'security_audit', timestamp, action: 'mail.send', actor: 'crm', resource: 'route:POST /send-mail', outcome: 'success', requestId: timestamp });
    }
    server = http.createServer((req, res) => {
      if (!serveAudit(req, res, async (f) => trail.list(f))) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/__admin/audit`;
  });
  after(() => new Promise((r) => server.close(r)));

  const since = async (value: string) => {
    const res = await fetch(`${base}?since=${encodeURIComponent(value)}`);
    return { status: res.status, body: (await res.json()) as { entries?: { requestId: string }[]; error?: { code: string; message: string } } };
  };

  it('reads since as a time: an offset or no milliseconds selects the same lines as UTC', async () => {
    for (const value of ['2026-12-02T03:30:00Z', '2026-12-02T03:30:00.000Z', '2026-12-02T04:30:00+01:00', '2026-12-01T22:30:00-05:00']) {
      const r = await since(value);
      expect([r.status, r.body.entries?.map((e) => e.requestId)], value).to.deep.equal([200, ['2026-12-02T03:45:00.000Z']]);
    }
  });

  it('answers 400 bad_filter for a since that is not a time', async () => {
    const r = await since('garbage');
    expect(r.status).to.equal(400);
    expect(r.body.error).to.include({ code: 'bad_filter' });
    expect(r.body.error!.message).to.include('"garbage"');
  });
});
