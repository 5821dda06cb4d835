/**
 * The proxy's part of a trace, in every runtime: the request's `traceparent` is continued (or a trace started), every
 * log line written for the request carries the trace id, and every outbound call — the HTTP client's and the AWS
 * SDK's, neither passed anything by the route — carries a child `traceparent` and the `tracestate`.
 */
import { expect } from 'chai';
import http from 'node:http';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createApp, type App, type HandledRequest } from '../../proxy/core/app.ts';
import { awsClientConfig } from '../../proxy/core/aws.ts';
import { createHttpClient, type Exchange } from '../../proxy/core/http-client.ts';
import { createLogger } from '../../proxy/core/log.ts';
import { staticSecrets } from '../../proxy/secrets/chain.ts';
import { systemClock } from '../../proxy/core/types.ts';
import { createLambdaHandler } from '../../proxy/adapters/lambda/handler.ts';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { parseTraceparent } from '../../proxy/core/trace-context.ts';
import { serveApp } from '../helpers/serve.ts';
import { FLAVOURS, toEvent } from '../helpers/events.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('the request\'s trace inside the proxy', () => {
  let upstream: Listening;
  const seen: http.IncomingHttpHeaders[] = [];
  const lines: Record<string, unknown>[] = [];
  const exchanges: Exchange[] = [];
  const handled: HandledRequest[] = [];
  let app: App;
  let served: Listening;

  before(async () => {
    upstream = await listen((req, res) => {
      seen.push(req.headers);
      req.resume().on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Parameter: { Name: 'p', Type: 'String', Value: 'v', Version: 1 } }));
      });
    }, 0);
    const log = createLogger({ sink: (l) => lines.push(JSON.parse(l)), level: 'debug' });
    const client = createHttpClient();
    client.onExchange((x) => exchanges.push(x));
    const env = { AWS_ENDPOINT_URL: upstream.url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    const ssm = new SSMClient(awsClientConfig(env, client));
    app = createApp({
      routes: [{
        method: 'GET', path: '/fan-out/:n', handler: async (req, deps) => {
          deps.log.info('calling upstreams');
          await deps.http.send({ method: 'GET', url: `${upstream.url}/plain`, upstream: 'plain' });
          // Work the request started after an await, inside the SDK's middleware stack: still the request's.
          await ssm.send(new GetParameterCommand({ Name: 'p' }));
          return { status: 200, body: { n: req.params.n } };
        },
      }],
      deps: { config: { stage: 'test', maxBodyBytes: 1024 }, secrets: staticSecrets({}), http: client, clock: systemClock, log, services: {} },
    });
    app.onHandled((h) => handled.push(h));
    served = await serveApp(app);
  });
  after(async () => {
    await served.close();
    await upstream.close();
  });
  beforeEach(() => {
    seen.length = 0;
    lines.length = 0;
    exchanges.length = 0;
    handled.length = 0;
  });

  const fanOut = (headers: Record<string, string> = {}) => fetch(`${served.url}/fan-out/1`, { headers });

  it('continues the caller\'s trace on every outbound call, each call a span of its own, tracestate passed on', async () => {
    expect((await fanOut({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'rojo=00f067aa0ba902b7' })).status).to.equal(200);
    expect(seen).to.have.length(2);
    const parents = seen.map((h) => parseTraceparent(String(h.traceparent)));
    for (const p of parents) expect(p).to.include({ traceId: TRACE, flags: '01' });
    expect(parents[0]!.parentId).to.not.equal(parents[1]!.parentId).and.not.equal(PARENT);
    expect(seen.map((h) => h.tracestate)).to.deep.equal(['rojo=00f067aa0ba902b7', 'rojo=00f067aa0ba902b7']);
    // The AWS call is still signed as the SDK signed it: traceparent is added, never signed.
    expect(String(seen[1].authorization)).to.match(/^AWS4-HMAC-SHA256 /).and.not.include('traceparent');
    // The exchanges the hooks see carry the headers that went out.
    expect(exchanges.map((x) => x.request.headers?.traceparent)).to.deep.equal(seen.map((h) => h.traceparent));
  });

  it('puts the trace id in every log line of the request, its own and the app\'s', async () => {
    await fanOut({ traceparent: `00-${TRACE}-${PARENT}-01` });
    const mine = lines.filter((l) => l.msg === 'calling upstreams' || l.msg === 'request');
    expect(mine).to.have.length(2);
    for (const l of mine) expect(l).to.include({ traceId: TRACE });
    expect(lines.every((l) => l.traceId === TRACE), JSON.stringify(lines)).to.equal(true);
  });

  it('starts a trace when the request has none, and replaces an invalid one', async () => {
    await fanOut();
    await fanOut({ traceparent: `00-${TRACE.toUpperCase()}-${PARENT}-01`, tracestate: 'rojo=1' });
    const [fresh, replaced] = handled.map((h) => h.context.trace);
    expect(fresh.origin).to.equal('started');
    expect(replaced.origin).to.equal('replaced');
    expect(replaced.traceId).to.match(/^[0-9a-f]{32}$/).and.not.equal(TRACE);
    expect(parseTraceparent(String(seen[0].traceparent))!.traceId).to.equal(fresh.traceId);
    expect(parseTraceparent(String(seen[2].traceparent))!.traceId).to.equal(replaced.traceId);
    expect(seen[2].tracestate, 'tracestate without a valid traceparent is dropped').to.equal(undefined);
  });

  it('tells observers the route pattern, status and duration, with the context the outbound calls ran in', async () => {
    await fanOut({ traceparent: `00-${TRACE}-${PARENT}-01` });
    expect(handled).to.have.length(1);
    expect(handled[0]).to.include({ route: '/fan-out/:n' });
    expect(handled[0].response.status).to.equal(200);
    expect(handled[0].context.trace).to.include({ traceId: TRACE, parentId: PARENT, origin: 'continued' });
    expect(handled[0].durationMs).to.be.a('number');
  });

  it('sends no traceparent on calls made outside any request (cold start)', async () => {
    await app.deps.http.send({ method: 'GET', url: `${upstream.url}/cold`, upstream: 'plain' });
    expect(seen[0].traceparent).to.equal(undefined);
  });

  for (const flavour of FLAVOURS) {
    it(`continues the trace in a Lambda ${flavour} invocation`, async () => {
      const lambda = createLambdaHandler(async () => app);
      const res = await lambda(toEvent(flavour, { method: 'GET', path: '/fan-out/2', headers: { traceparent: `00-${TRACE}-${PARENT}-01` } }));
      expect(res.statusCode).to.equal(200);
      expect(seen.map((h) => parseTraceparent(String(h.traceparent))?.traceId)).to.deep.equal([TRACE, TRACE]);
      expect(lines.find((l) => l.msg === 'request')).to.include({ traceId: TRACE });
    });
  }
});
