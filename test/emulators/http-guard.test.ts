/**
 * The guard every server gets from `listen()`: Node's parser refusals answered in the server's error shape, and
 * a handler that throws (synchronously or by a rejected promise) answered 500 for that request alone.
 */
import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { jsonShape } from '../../emulators/shared/http-guard.ts';

/** Send raw bytes, half-close, and resolve with the whole answer. */
export function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const c = net.connect(port, '127.0.0.1', () => c.write(bytes));
    c.on('data', (d) => (out += d.toString('latin1')));
    c.on('close', () => resolve(out));
    c.on('error', () => {});
    c.setTimeout(5000, () => c.destroy());
  });
}

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
const bodyOf = (raw: string) => raw.slice(raw.indexOf('\r\n\r\n') + 4);

describe('listen(): parser refusals and throwing handlers (issue 13, findings 1 and 7)', () => {
  let server: Listening;
  const logged: Record<string, unknown>[] = [];

  before(async () => {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void> => {
      if (req.url === '/throw') throw new Error('boom');
      if (req.url === '/reject') return Promise.reject(new Error('async boom'));
      if (req.url === '/throw-late') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        throw new Error('late boom');
      }
      if (req.url === '/early') {
        // Answers from the head alone, as a 404 for an unknown path does, before the body (here: bad chunking) is read.
        const body = JSON.stringify({ pad: 'x'.repeat(8 * 1024 * 1024) });
        res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        return;
      }
      // Answer after the whole body, so a body the parser refuses is refused before any answer.
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    };
    server = await listen(handler as http.RequestListener, 0, {
      errors: jsonShape((p) => ({ fault: { code: p.code, text: p.message } })),
      log: (msg, fields) => logged.push({ msg, ...fields }),
    });
  });
  after(() => server.close());

  it('answers a synchronous throw with 500 in the server\'s shape, logged with the request id it returns', async () => {
    const r = await fetch(`${server.url}/throw`);
    expect(r.status).to.equal(500);
    const id = r.headers.get('x-request-id');
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(await r.json()).to.deep.equal({ fault: { code: 'internal_error', text: `an internal error occurred (request id ${id})` } });
    expect(logged.at(-1)).to.include({ msg: 'unhandled error in request handler', requestId: id, error: 'boom', path: '/throw' });
    expect((await fetch(`${server.url}/ok`)).status).to.equal(200);
  });

  it('answers a rejected promise with 500, keeping the client\'s request id', async () => {
    const r = await fetch(`${server.url}/reject`, { headers: { 'x-request-id': 'req-123' } });
    expect(r.status).to.equal(500);
    expect(r.headers.get('x-request-id')).to.equal('req-123');
    expect(logged.at(-1)).to.include({ requestId: 'req-123', error: 'async boom' });
    expect((await fetch(`${server.url}/ok`)).status).to.equal(200);
  });

  it('cuts the connection when the answer had already started, and serves the next request', async () => {
    const raw = await rawExchange(server.port, 'GET /throw-late HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw).to.not.include('0\r\n\r\n'); // never completed as if it had succeeded
    expect(raw).to.not.include(' 500 '); // nor a second status line after the first
    expect((await fetch(`${server.url}/ok`)).status).to.equal(200);
  });

  it('lets an answer given before a bad body arrives reach the client whole, then closes (found by npm run fuzz)', async () => {
    const raw = await rawExchange(server.port, 'POST /early HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    expect(statusOf(raw)).to.equal(404);
    expect(JSON.parse(bodyOf(raw)).pad).to.have.length(8 * 1024 * 1024);
    expect((await fetch(`${server.url}/ok`)).status).to.equal(200);
  });

  const refusals: [string, string, number, string][] = [
    ['a duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 400, 'bad_request'],
    ['CR inside a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', 400, 'bad_request'],
    ['an unknown method', 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'bad_request'],
    ['bad chunking', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400, 'bad_request'],
    ['Content-Length beside Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', 400, 'bad_request'],
    ['headers over 16 KB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`, 431, 'header_too_large'],
    ['a request line that is not HTTP', 'GET /a b c\r\n\r\n', 400, 'bad_request'],
  ];
  for (const [what, bytes, status, code] of refusals) {
    it(`answers ${what} with ${status} in the server's shape instead of Node's empty body`, async () => {
      const raw = await rawExchange(server.port, bytes);
      expect(statusOf(raw), raw).to.equal(status);
      expect(raw).to.match(/\r\ncontent-type: application\/json\r\n/);
      const body = JSON.parse(bodyOf(raw));
      expect(body.fault.code).to.equal(code);
      expect(body.fault.text).to.be.a('string').and.not.empty;
    });
  }

  it('answers in Gatehouse\'s own {"error":{code,message}} when a server names no shape (the proxy\'s port)', async () => {
    const plain = await listen(http.createServer((_req, res) => res.end('ok')), 0);
    try {
      const raw = await rawExchange(plain.port, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(statusOf(raw)).to.equal(400);
      expect(JSON.parse(bodyOf(raw))).to.deep.equal({ error: { code: 'bad_request', message: 'malformed HTTP request: unknown method' } });
    } finally {
      await plain.close();
    }
  });
});
