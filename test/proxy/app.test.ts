import { expect } from 'chai';
import { createApp, type App } from '../../proxy/core/app.ts';
import { createHttpClient } from '../../proxy/core/http-client.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { badRequest } from '../../proxy/core/errors.ts';
import { staticSecrets } from '../../proxy/secrets/chain.ts';
import { systemClock, type RouteDef } from '../../proxy/core/types.ts';
import { createLambdaHandler } from '../../proxy/adapters/lambda/handler.ts';
import type { Listening } from '../../emulators/shared/emulator.ts';
import { serveApp } from '../helpers/serve.ts';
import { FLAVOURS, resultBody, toEvent } from '../helpers/events.ts';

const routes: RouteDef[] = [
  { method: 'POST', path: '/echo/:name', handler: async (req) => ({ status: 201, body: { name: req.params.name, json: req.json, q: req.query.get('q') } }) },
  { method: 'GET', path: '/bytes', handler: async () => ({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]) }) },
  { method: 'GET', path: '/fail', handler: async () => { throw new Error('secret-value-xyz leaked?'); } },
  { method: 'GET', path: '/bad', handler: async () => { throw badRequest('bad_thing', 'that was bad'); } },
];

function makeApp(): App {
  const log = silentLogger();
  return createApp({
    routes,
    maxBodyBytes: 1024 * 1024,
    deps: { config: { stage: 'test', maxBodyBytes: 1024 * 1024 }, secrets: staticSecrets({}), http: createHttpClient(), clock: systemClock, log, services: {} },
  });
}

describe('proxy core through the Express adapter', () => {
  let server: Listening;
  before(async () => (server = await serveApp(makeApp())));
  after(() => server.close());

  const post = (path: string, body: string | Buffer, ct = 'application/json') =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': ct }, body });

  it('routes with params, query and a parsed JSON body', async () => {
    const res = await post('/echo/a%20b?q=1', JSON.stringify({ x: 1 }));
    expect(res.status).to.equal(201);
    expect(await res.json()).to.deep.equal({ name: 'a b', json: { x: 1 }, q: '1' });
  });

  it('answers JSON nested 5,000 deep with 400 json_too_deep naming the limit, not a 500 (issue 13, finding 6)', async () => {
    const res = await post('/echo/a', '['.repeat(5000) + ']'.repeat(5000));
    expect(res.status).to.equal(400);
    expect(await res.json()).to.deep.equal({ error: { code: 'json_too_deep', message: 'JSON nesting is deeper than 64 levels (the limit)', details: { maxDepth: 64 } } });
    const ok = await post('/echo/a', '['.repeat(64) + ']'.repeat(64));
    expect(ok.status).to.equal(201);
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await post('/echo/a', '{"x":');
    expect(res.status).to.equal(400);
    expect((await res.json()).error.code).to.equal('invalid_json');
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await post('/echo/a', 'x=1', 'application/x-www-form-urlencoded');
    expect(res.status).to.equal(415);
    expect((await res.json()).error.code).to.equal('unsupported_media_type');
  });

  it('answers a body over 1 MB with 413 and stays up', async () => {
    const res = await post('/echo/a', Buffer.alloc(1024 * 1024 + 10, 0x61));
    expect(res.status).to.equal(413);
    expect((await res.json()).error.code).to.equal('payload_too_large');
    const again = await post('/echo/b', '{}');
    expect(again.status).to.equal(201);
  });

  it('answers unknown routes with 404 and wrong methods with 405 + Allow', async () => {
    const a = await fetch(server.url + '/nope');
    expect(a.status).to.equal(404);
    expect((await a.json()).error.code).to.equal('route_not_found');
    const b = await fetch(server.url + '/echo/x');
    expect(b.status).to.equal(405);
    expect(b.headers.get('allow')).to.equal('POST');
  });

  it('hides unexpected errors behind a 500 without the message', async () => {
    const res = await fetch(server.url + '/fail');
    expect(res.status).to.equal(500);
    const text = await res.text();
    expect(JSON.parse(text).error.code).to.equal('internal_error');
    expect(text).not.to.include('secret-value-xyz');
  });

  it('renders ProxyErrors with their code and status', async () => {
    const res = await fetch(server.url + '/bad');
    expect(res.status).to.equal(400);
    expect(await res.json()).to.deep.equal({ error: { code: 'bad_thing', message: 'that was bad' } });
  });

  it('passes binary bodies through untouched', async () => {
    const res = await fetch(server.url + '/bytes');
    expect(Buffer.from(await res.arrayBuffer())).to.deep.equal(Buffer.from([0, 1, 2, 255]));
  });
});

describe('proxy core through the Lambda adapter', () => {
  const handler = createLambdaHandler(async () => makeApp());
  for (const flavour of FLAVOURS) {
    describe(`${flavour} events`, () => {
      it('routes a JSON body, query and path params', async () => {
        const res = await handler(toEvent(flavour, { method: 'POST', path: '/echo/a%20b', query: 'q=2', headers: { 'Content-Type': 'application/json' }, body: '{"y":2}' }));
        expect(res.statusCode).to.equal(201);
        expect(JSON.parse(res.body)).to.deep.equal({ name: 'a b', json: { y: 2 }, q: '2' });
      });
      it('decodes base64 request bodies', async () => {
        const res = await handler(toEvent(flavour, { method: 'POST', path: '/echo/b', headers: { 'content-type': 'application/json' }, body: '{"z":3}', base64: true }));
        expect(JSON.parse(res.body).json).to.deep.equal({ z: 3 });
      });
      it('base64-encodes binary responses', async () => {
        const res = await handler(toEvent(flavour, { method: 'GET', path: '/bytes' }));
        expect(res.isBase64Encoded).to.equal(true);
        expect(resultBody(res)).to.deep.equal(Buffer.from([0, 1, 2, 255]));
      });
      it('answers oversized bodies with 413 and malformed JSON with 400', async () => {
        const big = await handler(toEvent(flavour, { method: 'POST', path: '/echo/c', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) }));
        expect(big.statusCode).to.equal(413);
        const bad = await handler(toEvent(flavour, { method: 'POST', path: '/echo/c', headers: { 'content-type': 'application/json' }, body: '{' }));
        expect(bad.statusCode).to.equal(400);
        expect(JSON.parse(bad.body).error.code).to.equal('invalid_json');
      });
    });
  }

  it('refuses an event that is not an HTTP event', async () => {
    const res = await handler({ foo: 1 } as never);
    expect(res.statusCode).to.equal(400);
    expect(JSON.parse(res.body).error.code).to.equal('unsupported_event');
  });

  it('retries a failed cold start on the next invocation', async () => {
    let calls = 0;
    const h = createLambdaHandler(async () => {
      if (++calls === 1) throw new Error('vault down');
      return makeApp();
    });
    let failed = false;
    try { await h(toEvent('v2', { method: 'GET', path: '/bytes' })); } catch { failed = true; }
    expect(failed).to.equal(true);
    const res = await h(toEvent('v2', { method: 'GET', path: '/bytes' }));
    expect(res.statusCode).to.equal(200);
  });
});
