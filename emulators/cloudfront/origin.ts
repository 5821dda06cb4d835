/**
 * The S3 origin, read through @aws-sdk/client-s3 with a configured endpoint and credentials (what Origin
 * Access Control does with SigV4), so the edge works in front of our AWS edge, LocalStack or moto alike.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';

export interface OriginConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface OriginObject {
  ok: true;
  status: 200 | 206;
  /** Empty for HEAD. */
  body: Buffer;
  etag?: string;
  contentType?: string;
  contentLength: number;
  lastModified?: string;
  contentRange?: string;
}

/** An origin answer other than the object: S3's error (passed through) or no answer at all (502). */
export interface OriginFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
  requestId?: string;
  hostId?: string;
  unreachable?: boolean;
}

export type OriginResult = OriginObject | OriginFailure;

export class S3Origin {
  private readonly client: S3Client;

  constructor(cfg: OriginConfig, private readonly bucket: string, private readonly originPath: string) {
    this.client = new S3Client({ endpoint: cfg.endpoint, region: cfg.region, credentials: cfg.credentials, forcePathStyle: true, maxAttempts: 1 });
  }

  /** The S3 key for a viewer path: the origin path, then the decoded path (S3 decodes what CloudFront forwards). */
  keyFor(viewerPath: string): string {
    const decoded = viewerPath.split('/').map(safeDecode).join('/');
    return `${this.originPath}${decoded}`.replace(/^\//, '');
  }

  async get(key: string, range?: string): Promise<OriginResult> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }));
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
      return {
        ok: true,
        status: out.ContentRange ? 206 : 200,
        body,
        etag: out.ETag,
        contentType: out.ContentType,
        contentLength: body.length,
        lastModified: out.LastModified?.toUTCString(),
        contentRange: out.ContentRange,
      };
    } catch (e) {
      return failure(e);
    }
  }

  async head(key: string): Promise<OriginResult> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        ok: true,
        status: 200,
        body: Buffer.alloc(0),
        etag: out.ETag,
        contentType: out.ContentType,
        contentLength: out.ContentLength ?? 0,
        lastModified: out.LastModified?.toUTCString(),
      };
    } catch (e) {
      return failure(e);
    }
  }

  close(): void {
    this.client.destroy();
  }
}

function failure(e: unknown): OriginFailure {
  if (e instanceof S3ServiceException && e.$metadata.httpStatusCode) {
    // HEAD errors carry no body, so the SDK names them by status ("NotFound"); S3 itself says NoSuchKey.
    const code = e.name === 'NotFound' ? 'NoSuchKey' : e.name;
    const message = code === 'NoSuchKey' && e.name === 'NotFound' ? 'The specified key does not exist.' : e.message;
    return { ok: false, status: e.$metadata.httpStatusCode, code, message, requestId: e.$metadata.requestId, hostId: e.$metadata.extendedRequestId };
  }
  return { ok: false, status: 502, code: 'OriginUnreachable', message: 'CloudFront wasn\'t able to connect to the origin.', unreachable: true };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
