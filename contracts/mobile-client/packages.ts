/**
 * Dataset packages through Gatehouse (seed 003; JWT for the user routes, none for the S3 proxy whose credential is
 * the presigned URL itself). Shapes: proxy/routes/packages/restore.ts, presign.ts, cloudfront.ts, proxy-s3.ts.
 */
import type { Transport } from './http.ts';

export interface PackageRef {
  datasetId: string;
  packageId: string;
  /** A viewer asset of the package (e.g. `preview/thumbnail.txt`) instead of its file. */
  path?: string;
}

export interface RestoreResult {
  success: string[];
  failures: { id: string; error: string }[];
}

/** Where a package's restore stands; `restore` is null when it was never restored through Gatehouse. */
export interface RestoreStatus {
  id: string;
  state: string;
  restore: { status: 'pending' | 'queued' | 'running' | 'done' | 'failed'; attempts: number; error: string | null; requestedAt: string; updatedAt: string } | null;
}

export interface PresignedUrl { url: string; expires_at: number }
export interface CloudFrontUrl { signed_url: string; expires_at: number }

/** What a HEAD or a preflight answered: the status and the headers a browser reads. */
export interface HeaderAnswer { status: number; headers: Record<string, string> }

const pick = (h: Headers, names: string[]) => Object.fromEntries(names.flatMap((n) => (h.get(n) === null ? [] : [[n, h.get(n)!]])));
const refQuery = (r: PackageRef) => ({ dataset_id: r.datasetId, package_id: r.packageId, path: r.path });
const PROXY = '/packages/proxy/s3';

export class PackagesApi {
  constructor(private readonly t: Transport) {}

  restore = (datasetId: string, nodeIds: string[]) =>
    this.t.send<RestoreResult>({ method: 'POST', path: '/packages/restore', query: { dataset_id: datasetId }, json: { nodeIds } });

  restoreStatus = (datasetId: string, packageId: string) =>
    this.t.send<RestoreStatus>({ method: 'GET', path: '/packages/restore', query: { dataset_id: datasetId, package_id: packageId } });

  /** The 307's Location: where the app (or a browser) downloads from. */
  downloadLocation = async (ref: PackageRef) => location(await this.t.raw({ method: 'GET', path: '/packages/presign/s3', query: refQuery(ref) }));

  presign = (ref: PackageRef) => this.t.send<PresignedUrl>({ method: 'GET', path: '/packages/presign/s3', query: { ...refQuery(ref), redirect: 'false' } });

  signCloudFront = (ref: PackageRef & { path: string }) => this.t.send<CloudFrontUrl>({ method: 'GET', path: '/packages/cloudfront/sign', query: refQuery(ref) });

  /** The proxy's 307 to a presigned URL it accepted. */
  proxyLocation = async (presignedUrl: string, origin?: string) =>
    location(await this.t.raw({ method: 'GET', path: PROXY, query: { presigned_url: presignedUrl }, headers: origin ? { origin } : {} }));

  /** HEAD through the proxy: an object's size and ETag, or S3's refusal (no body either way). */
  proxyHead = async (presignedUrl: string): Promise<HeaderAnswer> => {
    const res = await this.t.raw({ method: 'HEAD', path: PROXY, query: { presigned_url: presignedUrl } }).catch((e: { status?: number }) => {
      if (e.status === 403 || e.status === 404) return { status: e.status, headers: new Headers(), body: undefined };
      throw e;
    });
    return { status: res.status, headers: pick(res.headers, ['etag', 'accept-ranges', 'content-type']) };
  };

  preflight = async (presignedUrl: string, origin: string): Promise<HeaderAnswer> => {
    const res = await this.t.raw({ method: 'OPTIONS', path: PROXY, query: { presigned_url: presignedUrl },
      headers: { origin, 'access-control-request-method': 'GET' } });
    return { status: res.status, headers: pick(res.headers, ['access-control-allow-origin', 'access-control-allow-methods']) };
  };
}

function location(res: { status: number; headers: Headers }): string {
  const to = res.headers.get('location');
  if (res.status !== 307 || !to) throw new Error(`expected a 307 with a Location, got ${res.status}`);
  return to;
}
