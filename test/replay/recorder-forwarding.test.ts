/**
 * The recording proxy forwards to its gateway and nowhere else, by the gateway's forwarding rule: a `//host:port`
 * path or an absolute-form target used to send the app's request, Authorization and all, to that host.
 */
import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startRecorder } from '../../scripts/lib/replay/recorder-proxy.ts';
import type { CapturedExchange } from '../../scripts/lib/replay/har-write.ts';

/** A listener that keeps the request targets it was sent. */
async function listener(): Promise<{ url: string; port: number; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, seen, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** One request with this exact request target, over a raw socket; the status line's code. */
function rawRequest(port: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer the-apps-jwt\r\nConnection: close\r\n\r\n`));
    let got = '';
    s.on('data', (c) => { got += c.toString('latin1'); });
    s.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    s.on('error', reject);
  });
}

describe('npm run record: the recording proxy forwards only to its gateway', () => {
  it('sends //host:port paths and absolute-form targets to the gateway, never to the host they name', async () => {
    const gateway = await listener();
    const other = await listener();
    const recorded: CapturedExchange[] = [];
    const recorder = await startRecorder({ target: gateway.url, arrive: () => (x) => recorded.push(x) });
    try {
      expect(await rawRequest(recorder.port, `//127.0.0.1:${other.port}/steal`)).to.equal(200);
      expect(await rawRequest(recorder.port, `http://127.0.0.1:${other.port}/abs?x=1`)).to.equal(200);
      expect(await rawRequest(recorder.port, `127.0.0.1:${other.port}`)).to.equal(400);
      expect(other.seen).to.deep.equal([]);
      expect(gateway.seen).to.deep.equal([`/127.0.0.1:${other.port}/steal`, '/abs?x=1']);
      expect(recorded.map((x) => new URL(x.url).pathname + new URL(x.url).search)).to.deep.equal([`/127.0.0.1:${other.port}/steal`, '/abs?x=1']);
    } finally {
      await recorder.close();
      await gateway.close();
      await other.close();
    }
  });
});
