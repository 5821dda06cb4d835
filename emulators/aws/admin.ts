/**
 * LocalStack's internal endpoints, so scripts and compose health checks written for LocalStack work against the
 * edge unchanged (LocalStack docs, "Internal Endpoints"). The emulator admin API lives under /__admin (frame).
 */
import type http from 'node:http';

// The version we report; "edition" and the service map follow LocalStack 4.x's /_localstack/health body.
export const EDGE_VERSION = '4.0.0-gatehouse';

export function localstackRoutes(services: string[]): http.RequestListener {
  const routes: Record<string, () => unknown> = {
    '/_localstack/health': () => ({
      services: Object.fromEntries(services.map((s) => [s, 'running'])),
      edition: 'community',
      version: EDGE_VERSION,
    }),
    // Init hooks: we run none, so every stage is complete (LocalStack "Initialization Hooks" docs, /_localstack/init).
    '/_localstack/init': () => ({ completed: { BOOT: true, START: true, READY: true, SHUTDOWN: false }, scripts: [] }),
    '/_localstack/init/ready': () => ({ completed: true, scripts: [] }),
    '/_localstack/info': () => ({ version: EDGE_VERSION, edition: 'community', is_license_activated: false }),
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const body = JSON.stringify(route());
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
