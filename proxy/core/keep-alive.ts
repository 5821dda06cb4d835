/**
 * Sending on kept-alive connections without the close race. HTTP/1.1 lets a server close an idle connection at any
 * time (RFC 9112 §9.3.1, "connections can be closed at any time"); a client that picks that connection from its
 * pool at the same moment writes its request into a socket the server has already closed, and gets ECONNRESET or
 * "socket hang up" (the server's FIN) with no answer. Node's server announces `Keep-Alive: timeout=5` and closes
 * after 6 s (keepAliveTimeout plus Node's 1 s buffer, nodejs/node#54863); Node's agent honours the hint minus 1 s.
 * That 2 s margin holds only while the client's event loop runs: a loop held up for seconds (PGlite's WebAssembly,
 * a loaded machine) reuses a socket whose FIN has been waiting unread in the kernel since the server closed it.
 *
 * Two rules, for every client in the stack that keeps sockets alive:
 * - An explicit agent (`keepAliveAgent`): idle sockets go after CLIENT_IDLE_MS, or 1 s before the server's
 *   announced timeout when that is sooner. Node's defaults are not enough: an Agent made with `keepAlive: true` and
 *   no `timeout` keeps idle sockets forever (the hint only shortens a timeout that is set), and the global agent's
 *   5 s equals Apache's and Node's own keep-alive timeouts when no hint is sent.
 * - A request on a reused socket is written only after one pass of the event loop's poll phase (`sendKeptAlive`),
 *   so a FIN that arrived while the socket sat in the pool, or while this process was busy, is read first. Node then
 *   fails the request with "socket hang up" on that socket before a byte of it was written, and it is sent again on
 *   another connection — whatever its method: the server cannot have read what was never sent (Go's transport
 *   resends on the same ground, its `nothingWrittenError`). A request that was written is never sent again here: a
 *   reset after writing looks the same whether the server closed an idle socket or read the request and then
 *   dropped it (a crash, a fault), so that case stays the caller's, with its own retry rules (retry.ts, the SDK's).
 */
import http from 'node:http';
import https from 'node:https';

/**
 * The keep-alive timeout every server in the stack announces (`Keep-Alive: timeout=5`, emulators/shared/emulator.ts
 * listen()); Node closes the idle connection 1 s after it.
 */
export const SERVER_KEEP_ALIVE_MS = 5000;

/**
 * How long an idle socket stays in a client's pool: below the shortest keep-alive timeout servers commonly use
 * (5 s: Node's and Apache httpd's defaults, and the stack's own), by the same 1 s Node's agent subtracts from a
 * server's hint.
 */
export const CLIENT_IDLE_MS = SERVER_KEEP_ALIVE_MS - 1000;

/** A keep-alive agent with its idle lifetime set (see above); `lifo` reuses the most recently used, freshest socket. */
export function keepAliveAgent(protocol: string, options: http.AgentOptions = {}): http.Agent {
  const o: http.AgentOptions = { keepAlive: true, timeout: CLIENT_IDLE_MS, scheduling: 'lifo', ...options };
  return protocol === 'https:' ? new https.Agent(o) : new http.Agent(o);
}

export interface KeptAliveRequest extends http.RequestOptions {
  /** Where to: a URL, or the options' protocol, hostname, port and path (a path sent exactly as given). */
  url?: URL;
  /** The whole body, in memory: it can be sent again on another connection. */
  body?: Buffer;
}

/**
 * Send a request on `options.agent` (a `keepAliveAgent`) and resolve with the response once its head arrived (the
 * body is the caller's to read). Aborting `options.signal` ends the exchange as `http.request` does.
 */
export function sendKeptAlive(options: KeptAliveRequest): Promise<http.IncomingMessage> {
  const { url, body, ...init } = options;
  const transport = (url?.protocol ?? init.protocol) === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const req = url ? transport.request(url, init, resolve) : transport.request(init, resolve);
      let written = false;
      const write = () => {
        if (req.destroyed) return;
        written = true;
        req.end(body);
      };
      req.on('error', (e) => {
        // Each resend takes another pooled socket or a new connection, so this ends.
        if (!written && req.reusedSocket && !init.signal?.aborted) return attempt();
        reject(e);
      });
      // `reusedSocket` is known once the agent handed out a pooled socket, synchronously in http.request. An
      // immediate queued from an immediate runs after the next poll phase, wherever this request was made.
      if (req.reusedSocket) setImmediate(() => setImmediate(write));
      else write();
    };
    attempt();
  });
}

/** Statuses whose response has no body (Fetch standard, "null body status"): a Response refuses one. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const shared = new Map<string, http.Agent>();

/** The process's keep-alive agent for `protocol` ('http:' or 'https:'), for clients that need no pool of their own. */
export function sharedAgent(protocol: string): http.Agent {
  let agent = shared.get(protocol);
  if (!agent) shared.set(protocol, (agent = keepAliveAgent(protocol)));
  return agent;
}

/**
 * `fetch` for the stack's own control-plane calls (admin APIs, webhooks, wiring) under the same two rules, on agents
 * shared by the process. Node's fetch (undici) has no equivalent of the check before writing. The answer is read in
 * full; unlike fetch, redirects are not followed and nothing is asked to be compressed (none of these answers is).
 */
export async function fetchKeptAlive(url: string | URL, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; signal?: AbortSignal } = {}): Promise<Response> {
  const target = new URL(url);
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body;
  const headers = { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const res = await sendKeptAlive({
    url: target, method: init.method ?? 'GET', headers, body, signal: init.signal, agent: sharedAgent(target.protocol),
  });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const answer = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  const status = res.statusCode ?? 502;
  return new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage, headers: answer });
}
