/**
 * The fake Customer.io on free ports with official customerio-node clients aimed at it (over HTTPS with the
 * fake's CA, as customerio-node always speaks HTTPS), plus raw and admin calls for what the client cannot send.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APIClient, TrackClient } from 'customerio-node';
import { startCustomerio, type RunningCustomerio } from '../../emulators/customerio/index.ts';

export const SITE = 'local-fake-site-id';
export const TRACK_KEY = 'local-fake-track-api-key';
export const APP_KEY = 'local-fake-app-api-key';

export const basic = (user: string, pass: string): string => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

export interface CioHarness {
  cio: RunningCustomerio;
  /** Seconds added to the fake's clock (unix seconds); tests move it forward. */
  clockOffset: number;
  ca: string;
  /** Where the fake's CA and certificates are cached (a temp directory, removed on close). */
  tlsDir: string;
  track(site?: string, key?: string): TrackClient;
  api(key?: string): APIClient;
  /** A request as is, for bodies and headers the client library will not send. */
  raw(method: string, p: string, body?: unknown, auth?: string): Promise<{ status: number; headers: Headers; body: any }>;
  admin(p: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startCioHarness(): Promise<CioHarness> {
  const tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cio-tls-'));
  const clock = { offset: 0 };
  const cio = await startCustomerio({ port: 0, httpsPort: 0, tlsDir, now: () => Math.floor(Date.now() / 1000) + clock.offset });
  const ca = fs.readFileSync(path.join(tlsDir, 'ca.pem'), 'utf8');
  // customerio-node takes Node request options beside `url`: the port and the CA to trust.
  const overHttps = () => ({ port: cio.https.port, ca });
  const admin: CioHarness['admin'] = (p, init) =>
    fetch(`${cio.http.url}/__admin${p}`, { method: init?.method ?? 'GET', headers: { 'content-type': 'application/json' }, body: init?.body === undefined ? undefined : JSON.stringify(init.body) })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  return {
    cio,
    get clockOffset() {
      return clock.offset;
    },
    set clockOffset(v: number) {
      clock.offset = v;
    },
    ca,
    tlsDir,
    track: (site = SITE, key = TRACK_KEY) => new TrackClient(site, key, { url: `${cio.https.url}/api/v1`, ...overHttps() }),
    api: (key = APP_KEY) => new APIClient(key, { url: `${cio.https.url}/v1`, ...overHttps() }),
    async raw(method, p, body, auth = basic(SITE, TRACK_KEY)) {
      const res = await fetch(cio.http.url + p, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (an export file): keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    admin,
    reset: async () => void (await admin('/reset', { method: 'POST' })),
    async close() {
      await cio.close();
      fs.rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

/** The error a rejected customerio-node call raised, checked for its HTTP status. */
export async function expectRejected(p: Promise<unknown>, status: number): Promise<Error & { statusCode: number }> {
  const err = await p.then(
    () => undefined,
    (e: Error & { statusCode: number }) => e,
  );
  expect(err, `expected HTTP ${status}`).to.be.instanceOf(Error);
  expect(err!.statusCode).to.equal(status);
  return err!;
}
