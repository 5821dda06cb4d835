/**
 * The recording proxy: the mobile app (or a QA device) points at it, it forwards each request unchanged to the
 * gateway and hands the exchange to a HarWriter. It sits *in front of* the gateway rather than being a gateway
 * step because a step sees only the request (the gateway streams the proxy's answer straight back), and because
 * the HAR must hold what the app really sent and received — its JWT, and the gateway's own 401/403/429 answers.
 */
import http from 'node:http';
import { listen, type Listening } from '../../../emulators/shared/emulator.ts';
import { keepAliveAgent, sendKeptAlive } from '../../../proxy/core/keep-alive.ts';
import type { CapturedExchange } from './har-write.ts';
import { DECODERS } from './har.ts';
import { requestTarget, upstreamRequest } from '../../../emulators/gateway/target.ts';

export interface RecorderOptions {
  /** Where requests go (the gateway's URL). */
  target: string;
  port?: number;
  host?: string;
  /** Who a request is from (JWT email, API token owner); recorded as a placeholder. */
  identify?(headers: http.IncomingHttpHeaders): Promise<string | undefined>;
  /** Called at arrival; the function it returns receives the completed exchange. */
  arrive(): (x: CapturedExchange) => void;
}

// RFC 9110 §7.6.1: hop-by-hop fields belong to one connection, not to the recorded exchange.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

const readAll = (s: NodeJS.ReadableStream): Promise<Buffer> => new Promise((resolve, reject) => {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.on('end', () => resolve(Buffer.concat(chunks)));
  s.on('error', reject);
});

function endToEnd(h: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

export async function startRecorder(opts: RecorderOptions): Promise<Listening> {
  const target = new URL(opts.target);
  const agent = keepAliveAgent(target.protocol);
  const server = http.createServer(async (req, res) => {
    const complete = opts.arrive();
    const startedAt = Date.now();
    const t0 = performance.now();
    // Forwarded to the gateway and nowhere else, by the gateway's own rule (target.ts): resolving the target with
    // `new URL(req.url, target)` sent `//other-host/…` and absolute-form requests, JWT and all, to that host.
    const t = requestTarget(req.url ?? '/');
    if (!t) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Bad Request' }));
      return;
    }
    const path = t.path + (t.rawQuery ? `?${t.rawQuery}` : '');
    try {
      const body = await readAll(req);
      const headers = endToEnd(req.headers);
      // A pooled connection the gateway closed is replaced before the request is written (keep-alive.ts).
      const up = await sendKeptAlive({ ...upstreamRequest(target, t), method: req.method, headers: { ...headers, host: target.host }, body, agent });
      const waitMs = performance.now() - t0;
      const raw = await readAll(up);
      const resHeaders = endToEnd(up.headers);
      res.writeHead(up.statusCode ?? 502, up.statusMessage, resHeaders);
      res.end(raw);
      // The HAR holds the decoded body (HAR 1.2: content.text is the decoded response), header kept.
      const coding = String(up.headers['content-encoding'] ?? '').toLowerCase();
      let decoded = raw;
      try { if (DECODERS[coding]) decoded = DECODERS[coding](raw); } catch { /* keep the bytes as sent */ }
      const identity = await opts.identify?.(req.headers).catch(() => undefined);
      complete({
        identity,
        method: req.method ?? 'GET',
        url: `http://${req.headers.host ?? `${target.host}`}${path}`,
        httpVersion: req.httpVersion,
        requestHeaders: headers,
        requestBody: body,
        status: up.statusCode ?? 502,
        statusText: up.statusMessage,
        responseHeaders: resHeaders,
        responseBody: decoded,
        startedAt,
        waitMs: Math.round(waitMs * 100) / 100,
        totalMs: Math.round((performance.now() - t0) * 100) / 100,
      });
    } catch (e) {
      // The gateway is down or the client left: answer as a gateway would, and record nothing half-known.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Bad Gateway' }));
      else res.destroy();
    }
  });
  const listening = await listen(server, opts.port ?? 0, { host: opts.host });
  return { ...listening, close: async () => { agent.destroy(); await listening.close(); } };
}
