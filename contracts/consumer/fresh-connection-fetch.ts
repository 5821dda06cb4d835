/**
 * A `fetch` that opens a new connection per request. Each Pact interaction gets its own mock server, often on a
 * port a previous one just released; a pooled keep-alive socket would carry the request to the old server.
 */
import http from 'node:http';

export const freshConnectionFetch: typeof fetch = (input, init = {}) =>
  new Promise((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const req = http.request(url, { method: init.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        const body = chunks.length && ![204, 304].includes(res.statusCode!) ? Buffer.concat(chunks) : null;
        resolve(new Response(body, { status: res.statusCode, headers: h }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
