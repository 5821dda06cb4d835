import { expect } from 'chai';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { JWT_AUDIENCE, JWT_ISSUER, loadGatewayKeys, startGateway, type Gateway } from '../../emulators/gateway/index.ts';
import { verifyHttpSignature } from '../../proxy/auth/http-signature.ts';
import { IDENTITY_HEADER, signatureMiddleware } from '../../proxy/auth/signature-middleware.ts';
import { expressAdapter } from '../../proxy/adapters/express.ts';
import { createApp } from '../../proxy/core/app.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { systemClock, type Deps } from '../../proxy/core/types.ts';

interface Seen {
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Upstream stand-in for the proxy: records what arrives; /status/<n> answers with that status and extra headers. */
async function startEcho(): Promise<Listening & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [p, rawQuery = ''] = (req.url ?? '').split(/\?(.*)/s);
      seen.push({ method: req.method!, path: p, rawQuery, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      const status = /^\/status\/(\d{3})$/.exec(p);
      if (status) {
        res.writeHead(Number(status[1]), { 'content-type': 'text/plain', 'x-upstream': 'echo', 'set-cookie': ['a=1', 'b=2'] });
        return res.end('teapot body \u2615');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  return Object.assign(await listen(server, 0), { seen });
}

const verifyForwarded = (s: Seen, publicKeyPem: string) =>
  verifyHttpSignature({ method: s.method, path: s.path, rawQuery: s.rawQuery, headers: s.headers, body: s.body }, { publicKeys: { 'gatehouse-gateway': publicKeyPem }, now: Date.now() });

describe('gateway emulator', () => {
  let keyDir: string;
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let gw: Gateway;

  before(async () => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-keys-'));
    echo = await startEcho();
    gw = await startGateway({ port: 0, upstream: echo.url, keyDir });
  });
  after(async () => {
    await gw?.close();
    await echo?.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    echo.seen.length = 0;
  });
  const last = () => echo.seen[echo.seen.length - 1];

  it('passes an anonymous request through, signed, with its query intact', async () => {
    const res = await fetch(`${gw.url}/api/v1/cio/campaigns?limit=5&q=a%20b`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ ok: true });
    const s = last();
    expect(s.rawQuery).to.equal('limit=5&q=a%20b');
    expect(s.headers[IDENTITY_HEADER]).to.equal(undefined);
    expect(s.headers.host).to.equal(new URL(echo.url).host);
    const v = verifyForwarded(s, gw.publicKeyPem);
    expect(v).to.deep.include({ keyId: 'gatehouse-gateway', algorithm: 'rsa-sha256' });
    expect(v.signedHeaders).to.deep.equal(['(request-target)', 'host', 'date', 'digest', 'x-gateway-request-id']);
  });

  it('signs a request id of its own, so two identical requests never share a signature', async () => {
    const spoofed = { 'x-gateway-request-id': 'chosen-by-client' };
    await fetch(`${gw.url}/events?same=1`, { headers: spoofed });
    const one = last();
    await fetch(`${gw.url}/events?same=1`, { headers: spoofed });
    const two = last();
    expect(one.headers['x-gateway-request-id']).to.match(/^[0-9a-f-]{36}$/);
    expect(two.headers['x-gateway-request-id']).to.not.equal(one.headers['x-gateway-request-id']);
    expect(two.headers.signature).to.not.equal(one.headers.signature);
  });

  it('turns a valid JWT into a signed x-user-email and drops the Authorization header', async () => {
    const token = await gw.mintToken('alice@example.com');
    await fetch(`${gw.url}/customers/me/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    const s = last();
    expect(s.headers[IDENTITY_HEADER]).to.equal('alice@example.com');
    expect(s.headers.authorization).to.equal(undefined);
    expect(verifyForwarded(s, gw.publicKeyPem).signedHeaders).to.include(IDENTITY_HEADER);
  });

  it('strips a client-spoofed identity, Signature and Digest', async () => {
    await fetch(`${gw.url}/events`, { method: 'POST', headers: { [IDENTITY_HEADER]: 'ceo@example.com', signature: 'keyId="gatehouse-gateway",signature="AAAA"', digest: 'SHA-256=AAAA' }, body: 'hi' });
    const anon = last();
    expect(anon.headers[IDENTITY_HEADER]).to.equal(undefined);
    expect(anon.headers.digest).to.not.equal('SHA-256=AAAA');
    expect(anon.headers.signature).to.match(/^keyId="gatehouse-gateway",algorithm="rsa-sha256",/);
    verifyForwarded(anon, gw.publicKeyPem);

    const token = await gw.mintToken('bob@example.com');
    await fetch(`${gw.url}/events`, { headers: { authorization: `Bearer ${token}`, [IDENTITY_HEADER]: 'ceo@example.com' } });
    expect(last().headers[IDENTITY_HEADER]).to.equal('bob@example.com');
  });

  it('answers an expired JWT with 401 in API Gateway\'s shape, without calling the proxy', async () => {
    const token = await gw.mintToken('alice@example.com', -10);
    const res = await fetch(`${gw.url}/customers/me/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(401);
    expect(await res.json()).to.deep.equal({ message: 'Unauthorized' });
    expect(res.headers.get('www-authenticate')).to.contain('error="invalid_token"').and.contain('expired');
    expect(echo.seen).to.have.length(0);
  });

  it('answers a JWT signed by another key, a wrong audience, or a non-Bearer Authorization with 401', async () => {
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await new SignJWT({ email: 'ceo@example.com' }).setProtectedHeader({ alg: 'RS256' }).setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setExpirationTime('1h').sign(forger);
    const jwtKey = loadGatewayKeys({ keyDir }).jwtPrivateKeyPem;
    const wrongAud = await new SignJWT({ email: 'a@b.c' }).setProtectedHeader({ alg: 'RS256' }).setIssuer(JWT_ISSUER).setAudience('someone-else').setExpirationTime('1h').sign(createPrivateKey(jwtKey));
    for (const auth of [`Bearer ${forged}`, `Bearer ${wrongAud}`, 'Bearer not.a.jwt', 'Basic dXNlcjpwYXNz']) {
      const res = await fetch(`${gw.url}/x`, { headers: { authorization: auth } });
      expect(res.status, auth).to.equal(401);
    }
    const res = await fetch(`${gw.url}/x`, { headers: { authorization: `Bearer ${wrongAud}` } });
    expect(res.headers.get('www-authenticate')).to.contain('audience');
    expect(echo.seen).to.have.length(0);
  });

  it('forwards the body byte for byte with a Digest that matches it', async () => {
    const body = Buffer.from([0x7b, 0x22, 0xe2, 0x98, 0x95, 0x22, 0x3a, 0x31, 0x7d, 0x00, 0xff]);
    await fetch(`${gw.url}/api/v1/cio/device`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
    const s = last();
    expect(s.body.equals(body)).to.equal(true);
    expect(s.headers.digest).to.match(/^SHA-256=/);
    verifyForwarded(s, gw.publicKeyPem);
    // Tampering in transit is caught by the proxy side.
    expect(() => verifyForwarded({ ...s, body: Buffer.from('{}') }, gw.publicKeyPem)).to.throw().with.property('code', 'digest_mismatch');
  });

  it('passes the upstream status, headers and body back unchanged', async () => {
    const res = await fetch(`${gw.url}/status/418`);
    expect(res.status).to.equal(418);
    expect(res.headers.get('x-upstream')).to.equal('echo');
    expect(res.headers.getSetCookie()).to.deep.equal(['a=1', 'b=2']);
    expect(await res.text()).to.equal('teapot body \u2615');
  });

  it('serves its JWKS, which verifies the tokens it mints', async () => {
    const jwks = (await (await fetch(`${gw.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    expect(jwks.keys[0]).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]).to.not.have.property('d');
    const { payload } = await jwtVerify(await gw.mintToken('carol@example.com', 60), createLocalJWKSet(jwks), { issuer: JWT_ISSUER, audience: JWT_AUDIENCE });
    expect(payload.email).to.equal('carol@example.com');
  });

  it('journals mobile requests with the Bearer token masked', async () => {
    const token = await gw.mintToken('dave@example.com');
    await fetch(`${gw.url}/journal-me`, { headers: { authorization: `Bearer ${token}` } });
    const { entries } = (await (await fetch(`${gw.url}/__admin/journal?path=/journal-me`)).json()) as { entries: { headers: Record<string, string>; status: number }[] };
    expect(entries).to.have.length(1);
    expect(entries[0].headers.authorization).to.equal('Bearer ***');
    expect(JSON.stringify(entries)).to.not.contain(token.split('.')[2]);
    const state = (await (await fetch(`${gw.url}/__admin/state`)).json()) as { stats: { authenticated: number }; signingPublicKeyPem: string };
    expect(state.stats.authenticated).to.be.greaterThan(0);
    expect(JSON.stringify(state)).to.not.contain('PRIVATE KEY');
  });

  it('reuses its keys from the key directory on restart, so old tokens and the proxy key stay valid', async () => {
    const token = await gw.mintToken('erin@example.com');
    const again = await startGateway({ port: 0, upstream: echo.url, keyDir });
    try {
      expect(again.publicKeyPem).to.equal(gw.publicKeyPem);
      await fetch(`${again.url}/x`, { headers: { authorization: `Bearer ${token}` } });
      expect(last().headers[IDENTITY_HEADER]).to.equal('erin@example.com');
    } finally {
      await again.close();
    }
  });

  it('takes its signing key from GATEWAY_PRIVATE_KEY when set', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const keys = loadGatewayKeys({ keyDir, env: { GATEWAY_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n') } });
    expect(keys.signingPublicKeyPem).to.equal(publicKey);
  });

  it('answers 502 JSON when the proxy is down, and stays up', async () => {
    const dead = await listen(http.createServer(), 0);
    await dead.close();
    const lonely = await startGateway({ port: 0, upstream: dead.url, keyDir });
    try {
      const res = await fetch(`${lonely.url}/anything`, { method: 'POST', body: '{}' });
      expect(res.status).to.equal(502);
      expect(res.headers.get('content-type')).to.contain('application/json');
      expect(await res.json()).to.deep.equal({ message: 'Bad Gateway' });
      expect((await fetch(`${lonely.url}/__admin/health`)).status).to.equal(200);
    } finally {
      await lonely.close();
    }
  });
});

describe('gateway signing-key ring', () => {
  let keyDir: string;
  let upstream: Listening & { seen: Seen[] };
  beforeEach(async () => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-ring-'));
    upstream = await startEcho();
  });
  afterEach(() => upstream.close());
  const adminCall = async (gw: Gateway, method: string, p = '') => {
    const res = await fetch(`${gw.url}/__admin/signing-keys${p}`, { method });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('adds a key without signing with it, signs with it once activated, and keeps that across a restart', async () => {
    const gw = await startGateway({ port: 0, upstream: upstream.url, keyDir });
    try {
      const first = (await adminCall(gw, 'GET')).body.keys;
      expect(first.map((k: { keyId: string; active: boolean }) => [k.keyId, k.active])).to.deep.equal([['gatehouse-gateway', true]]);
      const created = await adminCall(gw, 'POST');
      expect(created.status).to.equal(201);
      expect(created.body.keyId).to.match(/^gw-[0-9a-f]{16}$/);
      expect(JSON.stringify(created.body)).not.to.include('PRIVATE');
      await fetch(`${gw.url}/before`);
      expect(upstream.seen.at(-1)!.headers.signature).to.include('keyId="gatehouse-gateway"');
      expect((await adminCall(gw, 'POST', `/${created.body.keyId}/activate`)).status).to.equal(200);
      await fetch(`${gw.url}/after`);
      const seen = upstream.seen.at(-1)!;
      expect(seen.headers.signature).to.include(`keyId="${created.body.keyId}"`);
      expect(verifyHttpSignature(seen, { publicKeys: { [created.body.keyId]: created.body.publicKeyPem }, now: Date.now() }).keyId).to.equal(created.body.keyId);
      expect(gw.publicKeyPem).to.equal(created.body.publicKeyPem);
    } finally {
      await gw.close();
    }
    const again = loadGatewayKeys({ keyDir, env: {} });
    expect(again.signingKeyId).to.equal(again.signing.list().find((k) => k.active)!.keyId);
    expect(again.signing.list().map((k) => k.keyId).sort()).to.have.length(2);
  });

  it('refuses to retire the active key (409) or an unknown one (404); a retired first key is not recreated on restart', async () => {
    const gw = await startGateway({ port: 0, upstream: upstream.url, keyDir });
    let next: string;
    try {
      expect((await adminCall(gw, 'DELETE', '/gatehouse-gateway')).status).to.equal(409);
      expect((await adminCall(gw, 'DELETE', '/gw-nope')).status).to.equal(404);
      expect((await adminCall(gw, 'POST', '/gw-nope/activate')).status).to.equal(404);
      next = (await adminCall(gw, 'POST')).body.keyId;
      await adminCall(gw, 'POST', `/${next}/activate`);
      expect((await adminCall(gw, 'DELETE', '/gatehouse-gateway')).status).to.equal(200);
      expect(fs.existsSync(path.join(keyDir, 'signing-key.pem'))).to.equal(false);
    } finally {
      await gw.close();
    }
    const again = loadGatewayKeys({ keyDir, env: {} });
    expect(again.signing.list().map((k) => k.keyId)).to.deep.equal([next]);
    expect(fs.existsSync(path.join(keyDir, 'signing-key.pem'))).to.equal(false);
    expect(fs.statSync(path.join(keyDir, 'signing-keys', `${next}.pem`)).mode & 0o777).to.equal(0o600);
  });
});

describe('gateway in front of the proxy app', () => {
  let keyDir: string;
  let proxy: Listening;
  let gw: Gateway;

  before(async () => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-keys-'));
    // The proxy learns the gateway's key only after the gateway starts, as in the local stack.
    let publicKeys = '';
    const deps = { clock: systemClock, log: silentLogger(), services: {} } as unknown as Deps;
    const app = createApp({
      deps,
      middleware: [(req, d) => signatureMiddleware({ publicKeys })(req, d)],
      routes: [{ method: 'POST', path: '/whoami', handler: async (req) => ({ status: 200, body: { identity: req.identity, json: req.json } }) }],
    });
    proxy = await listen(expressAdapter(app), 0);
    gw = await startGateway({ port: 0, upstream: proxy.url, keyDir });
    publicKeys = gw.publicKeyPem;
  });
  after(async () => {
    await gw?.close();
    await proxy?.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  const whoami = (headers: Record<string, string> = {}, base = gw.url) =>
    fetch(`${base}/whoami`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"n":1}' });

  it('reaches handlers as the JWT\'s user, or as anonymous without one', async () => {
    const token = await gw.mintToken('alice@example.com');
    expect(await (await whoami({ authorization: `Bearer ${token}` })).json()).to.deep.equal({ identity: { email: 'alice@example.com' }, json: { n: 1 } });
    expect(await (await whoami({ [IDENTITY_HEADER]: 'ceo@example.com' })).json()).to.deep.equal({ identity: null, json: { n: 1 } });
  });

  it('is the only way in: the proxy refuses a request that skipped the gateway', async () => {
    const res = await whoami({ [IDENTITY_HEADER]: 'ceo@example.com' }, proxy.url);
    expect(res.status).to.equal(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('signature_missing');
  });
});
