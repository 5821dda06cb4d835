/**
 * The local CloudFront edge: one distribution in front of an S3 origin, verifying signed URLs and signed
 * cookies with its trusted key group, caching per behaviour, on an HTTP and an HTTPS port (local CA), inside
 * the shared emulator frame (/__admin state, journal, faults; reset empties the cache).
 */
import type http from 'node:http';
import { createEmulator, listen, type Listening } from '../shared/emulator.ts';
import { DEFAULT_TLS_DIR, serverCert } from '../shared/tls.ts';
import { DEFAULT_DISTRIBUTION_FILE, loadDistribution, type Distribution } from './distribution.ts';
import { DEFAULT_KEY_DIR, keysMatch, resolveSigningKey, type SigningKey } from './keys.ts';
import { S3Origin, type OriginConfig } from './origin.ts';
import { cloudfrontRoutes, edgeHeaders, rememberRawUrl } from './routes.ts';
import { errorPageHtml } from './errors.ts';
import type { ErrorShape } from '../shared/http-guard.ts';
import { EdgeState } from './state.ts';

export { loadDistribution, type Distribution } from './distribution.ts';
export { verifySignedRequest, splitSigningParams, cookieSigningValues, type SignedRequest, type Verdict } from './verify.ts';
export { cannedPolicyJson, encodeCloudFrontBase64, decodeCloudFrontBase64 } from './policy.ts';
export { EdgeState } from './state.ts';

export const DEFAULT_CLOUDFRONT_PORT = 4040;
export const DEFAULT_CLOUDFRONT_HTTPS_PORT = 4041;

export interface CloudFrontOptions {
  port?: number;
  httpsPort?: number;
  host?: string;
  distributionFile?: string;
  origin: OriginConfig;
  /** Where the local CA and server certificates are cached (default `.state/tls`). */
  tlsDir?: string;
  /** Where the key group's private key is kept (default `.state/cloudfront`; see keys.ts). */
  keyDir?: string;
  /** Environment for CLOUDFRONT_PRIVATE_KEY / CLOUDFRONT_PRIVATE_KEY_FILE (default process.env). */
  env?: Record<string, string | undefined>;
  /** Clock in epoch milliseconds (policy dates, cache TTLs). */
  now?: () => number;
  /** Take the client address for IpAddress conditions from X-Forwarded-For (tests only). */
  trustForwardedFor?: boolean;
}

export interface RunningCloudFront {
  http: Listening;
  https: Listening;
  distribution: Distribution;
  state: EdgeState;
  /** The key-pair id signers must name (the key group's first key). */
  keyPairId: string;
  /** Where the private key lives, when it is a file (undefined when it came from the environment as text). */
  privateKeyPath?: string;
  privateKeyPem(): string;
  /** `http(s)://<distribution domain>/…` → the same URL on this edge's HTTP or HTTPS listener. */
  toLocal(url: string): string;
  close(): Promise<void>;
}

export async function startCloudFront(opts: CloudFrontOptions): Promise<RunningCloudFront> {
  const distribution = loadDistribution(opts.distributionFile ?? DEFAULT_DISTRIBUTION_FILE);
  const signing = signingKeyFor(distribution, opts);
  const state = new EdgeState({ distribution, keyOverrides: { [signing.keyPairId]: signing.publicKeyPem }, now: opts.now });
  const origin = new S3Origin(opts.origin, distribution.origin.bucket, distribution.origin.originPath);
  const { app, errorShape } = createEmulator({
    name: 'cloudfront',
    snapshot: () => ({ ...state.snapshot(), signingKey: { keyPairId: signing.keyPairId, source: signing.source, privateKeyPath: signing.privateKeyPath } }),
    reset: () => state.reset(),
    faultBody: (status) => ({ Error: { Code: status === 503 ? 'ServiceUnavailable' : 'InjectedFault', Message: `Injected fault ${status}` } }),
    errorShape: errorPage,
    routes: cloudfrontRoutes({ state, origin, trustForwardedFor: opts.trustForwardedFor ?? false }),
  });
  // The journal records req.url: keep the viewer's URL for the routes and show the journal a masked one.
  const handler: http.RequestListener = (req, res) => {
    const raw = req.url ?? '/';
    rememberRawUrl(req, raw);
    req.url = maskSignature(raw);
    app(req, res);
  };
  // The certificate names the distribution's domain and its aliases, so clients may resolve those to the edge.
  const tls = serverCert(opts.tlsDir ?? DEFAULT_TLS_DIR, [distribution.domainName, ...distribution.aliases.map((a) => a.replace(/:\d+$/, ''))]);
  const httpL = await listen(handler, opts.port ?? DEFAULT_CLOUDFRONT_PORT, { host: opts.host, errors: errorShape });
  const httpsL = await listen(handler, opts.httpsPort ?? DEFAULT_CLOUDFRONT_HTTPS_PORT, { host: opts.host, tls, errors: errorShape }).catch(async (e: unknown) => {
    await httpL.close();
    throw e;
  });
  const domain = distribution.domainName;
  return {
    http: httpL,
    https: httpsL,
    distribution,
    state,
    keyPairId: signing.keyPairId,
    privateKeyPath: signing.privateKeyPath,
    privateKeyPem: () => signing.privateKeyPem,
    toLocal: (url) => {
      for (const [prefix, local] of [[`https://${domain}`, httpsL.url], [`http://${domain}`, httpL.url]]) if (url.startsWith(prefix)) return local + url.slice(prefix.length);
      return url;
    },
    async close() {
      origin.close();
      await Promise.all([httpL.close(), httpsL.close()]);
    },
  };
}

/** The first trusted key's private key (keys.ts decides where from); warn when it cannot sign for the group. */
function signingKeyFor(d: Distribution, opts: CloudFrontOptions): SigningKey {
  const first = d.keyGroups.flatMap((g) => g.publicKeys)[0];
  if (!first) throw new Error('CloudFront distribution has no public key in its trusted key groups');
  const key = resolveSigningKey({ keyPairId: first.id, committedPublicPem: first.pem, dir: opts.keyDir ?? DEFAULT_KEY_DIR, env: opts.env ?? process.env });
  if (!keysMatch(key.privateKeyPem, key.publicKeyPem)) {
    console.warn(`[cloudfront] the private key (${key.source}) does not belong to public key ${key.keyPairId}: signatures made with it will be refused`);
  }
  return key;
}

/** A signed URL is a bearer credential until it expires: the journal keeps the Signature's name, not its value. */
function maskSignature(url: string): string {
  return url.replace(/([?&]Signature=)[^&]*/g, '$1***');
}

/**
 * Refusals below the routes (Node's parser, a throwing handler) get CloudFront's own HTML error page, which is
 * what CloudFront sends for a request it cannot handle itself (errors.ts), not the S3-style XML of signing denials.
 */
const errorPage: ErrorShape = (p) => {
  const headers: Record<string, string> = { ...edgeHeaders(), 'X-Cache': 'Error from cloudfront' };
  const text = p.status >= 500 ? 'The request could not be satisfied.' : 'Bad request.';
  return { contentType: 'text/html', headers, body: errorPageHtml(p.status, text, headers['X-Amz-Cf-Id']) };
};
