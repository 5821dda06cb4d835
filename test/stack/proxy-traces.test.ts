/**
 * The proxy's trace ring on its own: bounded by count and by bytes, an exchange joins the request it was made for
 * (also when it finishes after the answer), bodies are capped and binary ones shown by size, and redaction happens
 * when a record is read — with the recorder's rules and secrets learnt after the request.
 */
import { expect } from 'chai';
import type { HandledRequest } from '../../proxy/core/app.ts';
import type { Exchange, OutboundResponse } from '../../proxy/core/http-client.ts';
import { runInRequest, type RequestContext } from '../../proxy/core/request-context.ts';
import { continueTrace, outboundTraceHeaders } from '../../proxy/core/trace-context.ts';
import { TraceRing } from '../../emulators/stack/proxy-traces.ts';

const response = (status: number, body: Buffer | string, type = 'application/json'): OutboundResponse => {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { status, headers: { 'content-type': type }, body: b, text: () => b.toString(), json: () => JSON.parse(b.toString()) };
};

function request(ring: TraceRing, opts: { calls?: Omit<Exchange, 'startedAt' | 'durationMs'>[]; body?: Buffer; fn?: string } = {}): RequestContext {
  const context: RequestContext = { requestId: `r-${Math.random()}`, trace: continueTrace({}) };
  runInRequest(context, () => {
    for (const c of opts.calls ?? []) {
      const { traceparent } = outboundTraceHeaders(context.trace);
      ring.exchange({ ...c, request: { ...c.request, headers: { ...c.request.headers, traceparent } }, startedAt: Date.now(), durationMs: 3 });
    }
  });
  const h: HandledRequest = {
    request: { method: 'POST', path: '/send-mail', rawQuery: '', headers: { 'content-type': 'application/json' }, body: opts.body ?? Buffer.from('{"subject":"hi"}'), requestId: context.requestId },
    response: { status: 200, body: { ok: true } }, route: '/send-mail', context, startedAt: Date.now(), durationMs: 7,
  };
  ring.handled(opts.fn ?? 'mail')(h);
  return context;
}

describe('the proxy\'s trace ring', () => {
  it('keeps the last N requests, newest first', () => {
    const ring = new TraceRing({ limit: 3 });
    const ids = Array.from({ length: 5 }, () => request(ring).trace.traceId);
    expect(ring.list().map((t) => t.traceId)).to.deep.equal(ids.slice(2).reverse());
    expect(ring.list({ trace: ids[0] })).to.deep.equal([]);
  });

  it('drops the oldest when the bodies it holds pass the byte budget', () => {
    const ring = new TraceRing({ maxBytes: 100_000 });
    for (let i = 0; i < 5; i++) request(ring, { body: Buffer.alloc(40_000, 0x61) });
    expect(ring.size).to.equal(2);
  });

  it('names function, route, status and each upstream call with its span, redacted as the recorder redacts', () => {
    const ring = new TraceRing({ secrets: ['mailgun-key-1234567890'] });
    const ctx = request(ring, {
      calls: [{
        request: { upstream: 'mailgun', method: 'POST', url: 'http://127.0.0.1:1/v3/d/messages?api_key=mailgun-key-1234567890', headers: { authorization: 'Basic YXBpOmtleQ==', 'content-type': 'application/x-www-form-urlencoded' }, body: 'to=ada%40example.com&password=hunter2' },
        response: response(200, '{"id":"<1@d>","message":"Queued"}'),
      }],
    });
    const [t] = ring.list();
    expect(t).to.include({ traceId: ctx.trace.traceId, spanId: ctx.trace.spanId, function: 'mail', route: '/send-mail', status: 200, ms: 7, traceOrigin: 'started' });
    const [call] = t.upstream;
    expect(call.spanId).to.match(/^[0-9a-f]{16}$/).and.not.equal(ctx.trace.spanId);
    expect(call.request.headers.authorization).to.equal('Basic [REDACTED]');
    expect(call.url).to.not.include('mailgun-key-1234567890');
    expect(call.request.body.text).to.not.include('hunter2').and.not.include('ada%40example.com');
    expect(call.response!.body.text).to.include('Queued');
    expect(t.response.body.text).to.equal('{"ok":true}');
  });

  it('redacts when read: a secret the chain loads after the request is still masked', () => {
    const ring = new TraceRing();
    request(ring, { calls: [{ request: { upstream: 'vault', method: 'GET', url: 'http://127.0.0.1:1/v1/secret/data/x' }, response: response(200, '{"data":{"data":{"KEY":"late-secret-value-42"}}}') }] });
    ring.addSecretValues(['late-secret-value-42']);
    expect(JSON.stringify(ring.list())).to.not.include('late-secret-value-42');
  });

  it('adds a call that finishes after the answer to the request that made it', () => {
    const ring = new TraceRing();
    const ctx = request(ring);
    expect(ring.list()[0].upstream).to.have.length(0);
    runInRequest(ctx, () => ring.exchange({ request: { upstream: 'aws-dynamodb', method: 'POST', url: 'http://127.0.0.1:1/' }, response: response(200, '{}', 'application/x-amz-json-1.0'), startedAt: Date.now(), durationMs: 1 }));
    expect(ring.list()[0].upstream.map((c) => c.upstream)).to.deep.equal(['aws-dynamodb']);
  });

  it('ignores calls made outside any request (cold start)', () => {
    const ring = new TraceRing();
    ring.exchange({ request: { upstream: 'vault', method: 'GET', url: 'http://127.0.0.1:1/v1/x' }, startedAt: Date.now(), durationMs: 1 });
    expect(ring.size).to.equal(0);
  });

  it('caps a large body at 64 KiB and shows a binary one by its size only', () => {
    const ring = new TraceRing();
    request(ring, {
      calls: [
        { request: { upstream: 'aws-s3', method: 'GET', url: 'http://127.0.0.1:1/b/report.pdf' }, response: response(200, Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2]), 'application/pdf') },
        { request: { upstream: 'extend', method: 'GET', url: 'http://127.0.0.1:1/virtualcards' }, response: response(200, JSON.stringify({ pad: 'x'.repeat(100_000) })) },
      ],
    });
    const [pdf, big] = ring.list()[0].upstream;
    expect(pdf.response!.body).to.deep.equal({ bytes: 7, binary: true });
    expect(big.response!.body.truncated).to.equal(true);
    expect(big.response!.body.bytes).to.be.greaterThan(100_000);
    expect(big.response!.body.text!.length).to.equal(64 * 1024);
  });

  it('tells subscribers of each new record, and stops when they leave', () => {
    const ring = new TraceRing();
    const seen: string[] = [];
    const stop = ring.subscribe((t) => seen.push(t.traceId));
    const a = request(ring).trace.traceId;
    stop();
    request(ring);
    expect(seen).to.deep.equal([a]);
  });
});
