/**
 * The CloudFront edge as a supervised service. A test may move the edge's clock (StackOptions.now) to see signed
 * URLs expire; that clock lives in the test's process, so with `edgeClock` each request first asks the supervisor
 * for the time (one IPC round trip, tests only) and the edge runs on it while serving that request.
 */
import type http from 'node:http';
import { startCloudFront } from '../cloudfront/index.ts';
import type { AwsTargetConfig } from './packages.ts';
import type { ParentLink, Running } from './services.ts';

export interface EdgeServiceConfig {
  port: number;
  httpsPort: number;
  host: string;
  tlsDir: string;
  keyDir: string;
  env: Record<string, string | undefined>;
  edgeClock: boolean;
  origin: AwsTargetConfig;
}

export async function startEdgeService(c: EdgeServiceConfig, parent: ParentLink): Promise<Running> {
  let offsetMs = 0;
  const now = c.edgeClock ? () => Date.now() + offsetMs : undefined;
  const edge = await startCloudFront({ port: c.port, httpsPort: c.httpsPort, host: c.host, tlsDir: c.tlsDir, keyDir: c.keyDir, env: c.env, now, origin: c.origin });
  if (c.edgeClock) {
    const sync = async () => { offsetMs = (await parent.ask('now')) as number - Date.now(); };
    for (const l of [edge.http, edge.https]) before(l.server, sync);
  }
  return {
    report: {
      urls: { cloudfront: edge.http.url, 'cloudfront-https': edge.https.url },
      ports: { cloudfront: edge.http.port, cloudfrontHttps: edge.https.port },
      info: { keyPairId: edge.keyPairId, privateKeyPem: edge.privateKeyPem(), domainName: edge.distribution.domainName, bucket: edge.distribution.origin.bucket },
    },
    close: () => edge.close(),
  };
}

/** Runs `step` before the server's own request handlers see each request. */
function before(server: http.Server, step: () => Promise<void>): void {
  const handlers = server.listeners('request') as http.RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    step().then(
      () => handlers.forEach((h) => h.call(server, req, res)),
      () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"the edge clock is unavailable"}'),
    );
  });
}
