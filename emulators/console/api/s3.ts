/**
 * S3 browser (seed 002's file browser, against the stack's AWS endpoint): buckets, one folder level at a time
 * (delimiter `/`, 50 per page as the seed pages), an object's metadata and versions, presigned GET URLs (1 h, the
 * seed's expiry) the browser downloads from the edge itself, and the list of presigned URLs a ZIP of a folder or a
 * selection is made from — in the browser, with client-zip, so bytes never pass through the console.
 *
 *   GET  /api/s3/buckets
 *   GET  /api/s3/list?bucket=&prefix=&token=&max=
 *   GET  /api/s3/object?bucket=&key=
 *   GET  /api/s3/url?bucket=&key=[&versionId=]
 *   POST /api/s3/bundle                  {"bucket", "prefix"} or {"bucket", "keys":[key or folder/…]}
 *   POST /api/s3/cors                    {"bucket"} → this console's origin allowed to GET/HEAD (a button on the page)
 */
import { bad, field, int, text, type ApiRoute } from '../app.ts';
import { aws } from '../aws-clients.ts';
import type { ConsoleDeps } from '../deps.ts';
import { sdk } from '../sdk-loader.ts';

// S3's bucket naming rules (3-63 lower-case letters, digits, dots, hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY = 1024;
const PRESIGN_SECONDS = 3600;
/** A ZIP holds at most this many objects and bytes (the browser keeps the archive in memory before saving it). */
const BUNDLE_MAX_OBJECTS = 2000;
const BUNDLE_MAX_BYTES = 1024 * 1024 * 1024;

const bucketOf = (v: unknown) => text(v, 'bucket', { max: 63, pattern: BUCKET });
const keyOf = (v: unknown, name = 'key') => text(v, name, { max: MAX_KEY });

async function presign(deps: ConsoleDeps, bucket: string, key: string, versionId?: string, attachment = true): Promise<string> {
  const { GetObjectCommand, getSignedUrl } = await sdk();
  const name = key.split('/').pop() || 'download';
  const cmd = new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId || undefined, ...(attachment ? { ResponseContentDisposition: `attachment; filename="${name.replace(/["\\]/g, '_')}"` } : {}) });
  return getSignedUrl(await deps.aws.s3(), cmd, { expiresIn: PRESIGN_SECONDS });
}

/** Every object under a prefix (no delimiter), up to the bundle's limits. */
async function everyObject(deps: ConsoleDeps, bucket: string, prefix: string): Promise<{ key: string; size: number }[]> {
  const { ListObjectsV2Command } = await sdk();
  const s3 = await deps.aws.s3();
  const out: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await aws(`S3 ListObjectsV2 s3://${bucket}/${prefix}`, () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })));
    for (const o of page.Contents ?? []) if (!o.Key!.endsWith('/')) out.push({ key: o.Key!, size: o.Size ?? 0 });
    if (out.length > BUNDLE_MAX_OBJECTS) throw bad('bundle_too_large', `more than ${BUNDLE_MAX_OBJECTS} objects under ${prefix || 'the bucket root'}; pick a smaller folder`);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export const s3Routes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/s3/buckets',
    handler: async (_req, deps) => {
      const { ListBucketsCommand, GetBucketVersioningCommand } = await sdk();
      const s3 = await deps.aws.s3();
      const { Buckets = [] } = await aws('S3 ListBuckets', () => s3.send(new ListBucketsCommand({})));
      const buckets = await Promise.all(Buckets.map(async (b) => {
        const v = await s3.send(new GetBucketVersioningCommand({ Bucket: b.Name! })).catch(() => ({ Status: undefined }));
        return { name: b.Name, created: b.CreationDate, versioning: v.Status ?? 'Disabled' };
      }));
      return { json: { buckets } };
    },
  },
  {
    method: 'GET', path: '/api/s3/list',
    handler: async (req, deps) => {
      const bucket = bucketOf(req.query.get('bucket'));
      const prefix = text(req.query.get('prefix'), 'prefix', { optional: true, max: MAX_KEY });
      if (prefix && !prefix.endsWith('/')) throw bad('invalid_query', 'prefix must name a folder (end with /)');
      const token = text(req.query.get('token'), 'token', { optional: true, max: 4096 });
      const max = int(req.query.get('max'), 'max', 1, 1000, 50);
      const { ListObjectsV2Command } = await sdk();
      const s3 = await deps.aws.s3();
      const page = await aws(`S3 ListObjectsV2 s3://${bucket}/${prefix}`, () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, Delimiter: '/', MaxKeys: max, ContinuationToken: token || undefined })));
      return {
        json: {
          bucket, prefix,
          folders: (page.CommonPrefixes ?? []).map((p) => p.Prefix),
          objects: (page.Contents ?? []).filter((o) => o.Key !== prefix).map((o) => ({ key: o.Key, size: o.Size, etag: o.ETag, lastModified: o.LastModified })),
          next: page.IsTruncated ? page.NextContinuationToken ?? null : null,
        },
      };
    },
  },
  {
    method: 'GET', path: '/api/s3/object',
    handler: async (req, deps) => {
      const bucket = bucketOf(req.query.get('bucket'));
      const key = keyOf(req.query.get('key'));
      const { HeadObjectCommand, ListObjectVersionsCommand } = await sdk();
      const s3 = await deps.aws.s3();
      const head = await aws(`S3 HeadObject s3://${bucket}/${key}`, () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
      const listed = await aws(`S3 ListObjectVersions s3://${bucket}/${key}`, () => s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 100 })));
      const versions = [
        ...(listed.Versions ?? []).filter((v) => v.Key === key).map((v) => ({ versionId: v.VersionId, latest: v.IsLatest, deleteMarker: false, size: v.Size, etag: v.ETag, lastModified: v.LastModified })),
        ...(listed.DeleteMarkers ?? []).filter((v) => v.Key === key).map((v) => ({ versionId: v.VersionId, latest: v.IsLatest, deleteMarker: true, size: null, etag: null, lastModified: v.LastModified })),
      ].sort((a, b) => String(b.lastModified).localeCompare(String(a.lastModified)));
      return { json: { bucket, key, size: head.ContentLength, contentType: head.ContentType, etag: head.ETag, lastModified: head.LastModified, versionId: head.VersionId ?? null, metadata: head.Metadata ?? {}, versions } };
    },
  },
  {
    method: 'GET', path: '/api/s3/url',
    handler: async (req, deps) => {
      const bucket = bucketOf(req.query.get('bucket'));
      const key = keyOf(req.query.get('key'));
      const versionId = text(req.query.get('versionId'), 'versionId', { optional: true, max: 1024 });
      return { json: { url: await presign(deps, bucket, key, versionId), expiresIn: PRESIGN_SECONDS } };
    },
  },
  {
    method: 'POST', path: '/api/s3/bundle',
    handler: async (req, deps) => {
      const bucket = bucketOf(field(req.json, 'bucket'));
      const prefix = field(req.json, 'prefix');
      const keys = field(req.json, 'keys');
      let picked: { key: string; size: number }[];
      let base: string;
      if (typeof prefix === 'string') {
        base = keyOf(prefix, 'prefix');
        if (base && !base.endsWith('/')) throw bad('invalid_field', 'prefix must name a folder (end with /)');
        picked = await everyObject(deps, bucket, base);
      } else if (Array.isArray(keys) && keys.length > 0 && keys.length <= BUNDLE_MAX_OBJECTS) {
        const list = keys.map((k, i) => keyOf(k, `keys[${i}]`));
        // Names in the ZIP are relative to the folder the selection was made in (their longest common folder).
        base = commonFolder(list);
        const { HeadObjectCommand } = await sdk();
        const s3 = await deps.aws.s3();
        picked = [];
        for (const k of list) {
          if (k.endsWith('/')) picked.push(...(await everyObject(deps, bucket, k)));
          else picked.push({ key: k, size: (await aws(`S3 HeadObject s3://${bucket}/${k}`, () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: k })))).ContentLength ?? 0 });
        }
      } else throw bad('missing_field', `give a prefix (a folder) or keys (1 to ${BUNDLE_MAX_OBJECTS} objects or folders)`);
      const unique = [...new Map(picked.map((p) => [p.key, p])).values()];
      const bytes = unique.reduce((n, p) => n + p.size, 0);
      if (unique.length > BUNDLE_MAX_OBJECTS || bytes > BUNDLE_MAX_BYTES) throw bad('bundle_too_large', `${unique.length} objects, ${bytes} bytes: a ZIP holds at most ${BUNDLE_MAX_OBJECTS} objects and ${BUNDLE_MAX_BYTES} bytes`);
      const files = await Promise.all(unique.map(async (p) => ({ key: p.key, name: p.key.slice(base.length), size: p.size, url: await presign(deps, bucket, p.key, undefined, false) })));
      const zipName = `${bucket}-${(base.replace(/\/$/, '').split('/').pop() || 'root').replace(/[^\w.-]/g, '_')}.zip`;
      return { json: { bucket, base, zipName, bytes, files, origin: deps.config.aws.endpoint } };
    },
  },
  {
    method: 'POST', path: '/api/s3/cors',
    handler: async (req, deps) => {
      const bucket = bucketOf(field(req.json, 'bucket'));
      await allowOrigin(deps.aws, bucket, consoleOrigins(deps.origin()));
      return { json: { bucket, origins: consoleOrigins(deps.origin()) } };
    },
  },
];

/** The longest folder prefix every key shares ('' when none). */
export function commonFolder(keys: string[]): string {
  if (!keys.length) return '';
  let common = keys[0].slice(0, keys[0].lastIndexOf('/') + 1);
  for (const k of keys) while (common && !k.startsWith(common)) common = common.slice(0, common.slice(0, -1).lastIndexOf('/') + 1);
  return common;
}

/** The console's origin as the browser may spell it (127.0.0.1 or localhost). */
export const consoleOrigins = (origin: string): string[] => [...new Set([origin, origin.replace('//127.0.0.1:', '//localhost:')])];

/**
 * Adds a CORS rule letting the console's `origins` GET and HEAD the bucket's objects (seed 002's rule: ETag exposed, max age
 * 3600), keeping the rules it has. Idempotent. A ZIP is made from `fetch`es of presigned URLs on the edge's origin,
 * which the browser allows only when the bucket says so.
 */
export async function allowOrigin(clients: ConsoleDeps['aws'], bucket: string, origins: string[]): Promise<void> {
  const { GetBucketCorsCommand, PutBucketCorsCommand } = await sdk();
  const s3 = await clients.s3();
  const rules = await aws(`S3 GetBucketCors ${bucket}`, () => s3.send(new GetBucketCorsCommand({ Bucket: bucket })).then((r) => r.CORSRules ?? [], (e: { name?: string }) => {
    if (e.name === 'NoSuchCORSConfiguration') return [];
    throw e;
  }));
  const missingOrigins = origins.filter((o) => !rules.some((r) => r.AllowedOrigins?.includes(o) && r.AllowedMethods?.includes('GET')));
  if (!missingOrigins.length) return;
  const mine = { AllowedOrigins: missingOrigins, AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3600 };
  await aws(`S3 PutBucketCors ${bucket}`, () => s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [...rules, mine] } })));
}
