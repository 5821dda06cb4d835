/**
 * Which bucket and key a request names: path-style (`/bucket/key`) or virtual-hosted (`bucket.<s3 host>`).
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html; LocalStack documents
 * `bucket.s3.localhost.localstack.cloud` for its edge.
 */
import { memo } from '../sigv4.ts';

export interface Address {
  bucket?: string;
  key?: string;
}

// Host suffixes after which the leading label(s) are the bucket name.
const VHOST_SUFFIXES = [
  /^(.+)\.s3\.localhost\.localstack\.cloud$/,
  /^(.+)\.s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com$/,
  /^(.+)\.s3\.amazonaws\.com$/,
  /^(.+)\.localhost\.localstack\.cloud$/,
  /^(.+)\.localhost$/,
];

/** Hosts that are the service endpoint itself: requests to them are path-style. */
const SERVICE_HOST = /^(?:s3\.localhost\.localstack\.cloud|localhost\.localstack\.cloud|s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com|s3\.amazonaws\.com)$/;

// Clients use one or a few host names: the regular expressions below run once per name, not per request.
const hostBuckets = memo<{ bucket?: string }>(256);

export function bucketFromHost(host: string | undefined): string | undefined {
  if (!host) return undefined;
  return hostBuckets(host, () => ({ bucket: matchBucket(host) })).bucket;
}

function matchBucket(host: string): string | undefined {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (SERVICE_HOST.test(name)) return undefined;
  for (const re of VHOST_SUFFIXES) {
    const m = re.exec(name);
    if (m) return m[1];
  }
  return undefined;
}

/** Key bytes are percent-decoded once; '+' in a path is a literal plus. */
function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function resolveAddress(host: string | undefined, rawPath: string): Address {
  const vhostBucket = bucketFromHost(host);
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (vhostBucket) return { bucket: vhostBucket, key: path === '' ? undefined : decodePath(path) };
  if (path === '') return {};
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: decodePath(path) };
  const key = path.slice(slash + 1);
  return { bucket: decodePath(path.slice(0, slash)), key: key === '' ? undefined : decodePath(key) };
}
