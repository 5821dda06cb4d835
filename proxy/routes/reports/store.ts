/**
 * The reports bucket as the proxy uses it: month listings for mail, folder browsing, presigned downloads. Every
 * S3 failure is answered by its meaning (proxy/core/s3-errors.ts): a missing file 404, throttling 429, denied 403.
 */
import { S3Client, ListObjectsV2Command, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Call } from '../../core/s3-errors.ts';

export interface ReportObject {
  key: string;
  size: number;
  lastModified?: string;
}

export interface Listing {
  folders: string[];
  files: ReportObject[];
  nextToken?: string;
}

export interface ReportStore {
  /** Every object under a prefix (a month folder holds a handful). */
  objects(prefix: string): Promise<ReportObject[]>;
  /** One page of a folder: sub-folders and files (delimiter "/"). */
  browse(prefix: string, pageSize: number, token?: string): Promise<Listing>;
  /** Resolves when the file exists; a missing one is 404 `object_not_found` (S3 HeadObject: NotFound). */
  requireFile(key: string): Promise<void>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}

const ours = (what: string) => ({ what: `S3 ${what} (reports)`, credentials: 'ours' as const });

export function s3ReportStore(s3: S3Client, bucket: string): ReportStore {
  const toObject = (o: { Key?: string; Size?: number; LastModified?: Date }): ReportObject => ({ key: o.Key!, size: o.Size ?? 0, lastModified: o.LastModified?.toISOString() });
  return {
    async objects(prefix) {
      const out: ReportObject[] = [];
      let token: string | undefined;
      do {
        const page = await s3Call(ours('ListObjectsV2'), () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })));
        out.push(...(page.Contents ?? []).map(toObject));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    async browse(prefix, pageSize, token) {
      const page = await s3Call(ours('ListObjectsV2'), () => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', MaxKeys: pageSize, ContinuationToken: token })));
      return {
        folders: (page.CommonPrefixes ?? []).map((p) => p.Prefix!),
        files: (page.Contents ?? []).filter((o) => o.Key !== prefix).map(toObject),
        nextToken: page.IsTruncated ? page.NextContinuationToken : undefined,
      };
    },
    async requireFile(key) {
      await s3Call(ours('HeadObject'), () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    },
    presignGet: (key, expiresIn) => getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn }),
  };
}
