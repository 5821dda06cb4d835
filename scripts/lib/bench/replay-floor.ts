/**
 * The floor of the stack's architecture, for `bench:replay --floor`: the same three HTTP hops and the same crypto
 * the stack does per request, and nothing else. A bare node:http gateway checks the JWT (GatewayState, cached as
 * the stack's is), signs with RSA-2048 (signRequestAsync, the stack's code) and forwards; a bare proxy verifies the
 * signature (verifyHttpSignature, the proxy's code), refuses a foreign profile (403 identity_mismatch) and forwards
 * to an upstream that parses the JSON and answers `{}`. No Express, routing, validation, journal, logs or state.
 * The replay engine's rate against this chain is the most the stack could reach on the machine, whatever its code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayState, loadGatewayKeys } from '../../../emulators/gateway/index.ts';
import { GATEWAY_KEY_ID, signRequestAsync } from '../../../emulators/gateway/sign.ts';
import { verifyHttpSignature } from '../../../proxy/auth/http-signature.ts';

export interface FloorChain {
  /** The chain's entry, in place of the stack's gateway. */
  url: string;
  close(): Promise<void>;
}

type Answer = { status: number; body: string };

const readBody = (req: http.IncomingMessage) => new Promise<Buffer>((resolve, reject) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks)));
  req.on('error', reject);
});

const flat = (h: http.IncomingHttpHeaders) => {
  const out: Record<string, string> = {};
  for (const k in h) if (h[k] !== undefined) out[k] = String(h[k]);
  return out;
};

function post(agent: http.Agent, port: number, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, body: b.toString('utf8') }), reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function serve(handle: (req: http.IncomingMessage, body: Buffer) => Promise<Answer>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    readBody(req).then((body) => handle(req, body)).then(
      (a) => { res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8' }); res.end(a.body); },
      () => { res.writeHead(502, { 'content-type': 'application/json' }); res.end('{"message":"Bad Gateway"}'); },
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (s: http.Server) => (s.address() as AddressInfo).port;
const MISMATCH = JSON.stringify({ error: { code: 'identity_mismatch', message: 'an authorized user may only access their own profile' } });

export async function startFloorChain(keyDir: string): Promise<FloorChain> {
  const keys = loadGatewayKeys({ keyDir, env: {} });
  const state = new GatewayState(keys, new URL('http://127.0.0.1/'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  const upstream = await serve(async (_req, body) => {
    JSON.parse(body.toString('utf8') || '{}');
    return { status: 200, body: '{}' };
  });

  const proxy = await serve(async (req, body) => {
    const [path, rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const headers = flat(req.headers);
    verifyHttpSignature({ method: req.method ?? 'GET', path, rawQuery, headers, body }, { publicKeys: { [GATEWAY_KEY_ID]: keys.signingPublicKeyPem }, now: Date.now() });
    const inPath = /^\/customers\/([^/]+)\//.exec(path)?.[1];
    if (inPath && headers['x-user-email'] !== decodeURIComponent(inPath)) return { status: 403, body: MISMATCH };
    return post(agent, portOf(upstream), 'POST', `/api/v1${path}`, { 'content-type': 'application/json', authorization: 'Basic c2l0ZTprZXk=' }, body);
  });

  const gateway = await serve(async (req, body) => {
    const headers = flat(req.headers);
    const forward: Record<string, string> = { 'content-type': headers['content-type'] ?? 'application/json', host: `127.0.0.1:${portOf(proxy)}` };
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    if (bearer) {
      const check = await state.verifyToken(bearer);
      if (!check.ok) return { status: 401, body: '{"message":"Unauthorized"}' };
      forward['x-user-email'] = check.email;
    }
    const [path, rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s);
    Object.assign(forward, await signRequestAsync({ method: req.method ?? 'GET', path, rawQuery, headers: forward, body }, keys.signingPrivateKeyPem, { keyId: GATEWAY_KEY_ID }));
    return post(agent, portOf(proxy), req.method ?? 'GET', req.url ?? '/', forward, body);
  });

  const servers = [gateway, proxy, upstream];
  return {
    url: `http://127.0.0.1:${portOf(gateway)}`,
    close: async () => {
      agent.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
    },
  };
}
