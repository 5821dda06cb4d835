/**
 * Persistence (persistDir): what one embedded S3 wrote is there after a restart on the same directory — bodies
 * served from disk, records generic, the journal compacted, a torn tail dropped, the earlier layout migrated.
 * Crashes are in s3-crash.test.ts.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, PutBucketVersioningCommand, DeleteObjectCommand, ListObjectVersionsCommand,
  PutBucketCorsCommand, GetBucketCorsCommand, HeadBucketCommand, DeleteBucketCommand, HeadObjectCommand, CreateMultipartUploadCommand,
  UploadPartCommand, CompleteMultipartUploadCommand, ListPartsCommand, DeleteBucketCorsCommand, ListBucketsCommand,
  DeletePublicAccessBlockCommand, PutBucketPolicyCommand, PutBucketTaggingCommand, PutBucketEncryptionCommand, GetObjectAclCommand,
  GetBucketPolicyCommand, GetBucketTaggingCommand, GetBucketOwnershipControlsCommand, GetBucketEncryptionCommand, GetPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { startS3Server } from '../../emulators/aws/s3/serve.ts';
import { EdgeProcess } from '../helpers/edge-process.ts';
import { errorOf } from '../helpers/aws.ts';
import type { S3Options } from '../../emulators/aws/s3/index.ts';

const MiB = 1024 * 1024;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('S3 persistence (persistDir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-persist-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  type Server = Awaited<ReturnType<typeof startS3Server>>;
  async function withServer<T>(fn: (s3: S3Client, srv: Server) => Promise<T>, opts: Partial<S3Options> = {}): Promise<T> {
    const srv = await startS3Server({ credentials: { test: 'test' }, persistDir: dir, ...opts });
    const s3 = new S3Client({ endpoint: srv.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true });
    try {
      return await fn(s3, srv);
    } finally {
      s3.destroy();
      await srv.close();
    }
  }
  const text = async (s3: S3Client, Key: string, extra: { Range?: string; PartNumber?: number } = {}) =>
    Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'kept', Key, ...extra }))).Body!.transformToByteArray());
  const journalFiles = () => fs.readdirSync(path.join(dir, 's3')).filter((f) => /^(journal|snapshot)-/.test(f)).sort();

  it('keeps buckets, objects with metadata, versions, delete markers and CORS across a restart', async () => {
    await withServer(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: 'kept', VersioningConfiguration: { Status: 'Enabled' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a/report.csv', Body: 'v1', ContentType: 'text/csv', Metadata: { m: '1' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a/report.csv', Body: 'v2', ContentType: 'text/csv', Metadata: { m: '2' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'deleted', Body: 'x' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'deleted' }));
      await s3.send(new PutBucketCorsCommand({ Bucket: 'kept', CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } }));
      await s3.send(new CreateBucketCommand({ Bucket: 'dropped' }));
      await s3.send(new DeleteBucketCommand({ Bucket: 'dropped' }));
    });
    await withServer(async (s3) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a/report.csv' }));
      expect(await got.Body!.transformToString()).to.equal('v2');
      expect(got.Metadata).to.deep.equal({ m: '2' });
      expect(got.ContentType).to.equal('text/csv');
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'kept' }));
      expect(versions.Versions?.map((v) => v.Key)).to.deep.equal(['a/report.csv', 'a/report.csv', 'deleted']);
      expect(versions.DeleteMarkers?.map((m) => m.Key)).to.deep.equal(['deleted']);
      const old = versions.Versions!.find((v) => !v.IsLatest && v.Key === 'a/report.csv')!;
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a/report.csv', VersionId: old.VersionId }))).Body!.transformToString()).to.equal('v1');
      expect((await s3.send(new GetBucketCorsCommand({ Bucket: 'kept' }))).CORSRules?.[0].AllowedOrigins).to.deep.equal(['*']);
      const gone = await s3.send(new HeadBucketCommand({ Bucket: 'dropped' })).catch((e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode);
      expect(gone).to.equal(404);
    });
  });

  it('forgets a deleted CORS configuration across a restart', async () => {
    await withServer(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutBucketCorsCommand({ Bucket: 'kept', CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } }));
      await s3.send(new DeleteBucketCorsCommand({ Bucket: 'kept' }));
    });
    await withServer(async (s3) => {
      const err = await s3.send(new GetBucketCorsCommand({ Bucket: 'kept' })).catch((e: Error) => e);
      expect((err as Error).name).to.equal('NoSuchCORSConfiguration');
    });
  });

  it('serves bodies from disk after a restart, whole, ranged and by part, without loading them', async () => {
    const small = randomBytes(10_000);
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(123);
    await withServer(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'small', Body: small }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'empty', Body: '' }));
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'kept', Key: 'big' }));
      const e1 = (await s3.send(new UploadPartCommand({ Bucket: 'kept', Key: 'big', UploadId, PartNumber: 1, Body: p1 }))).ETag;
      const e2 = (await s3.send(new UploadPartCommand({ Bucket: 'kept', Key: 'big', UploadId, PartNumber: 2, Body: p2 }))).ETag;
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'kept', Key: 'big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }));
      // A part upload in progress survives too.
      const open = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'kept', Key: 'open' }));
      await s3.send(new UploadPartCommand({ Bucket: 'kept', Key: 'open', UploadId: open.UploadId, PartNumber: 3, Body: 'part three' }));
      return open.UploadId;
    }).then((openId) => withServer(async (s3, srv) => {
      for (const key of ['small', 'empty', 'big']) expect(srv.s3.state.getObject('kept', key).body, `${key} is not in memory`).to.equal(undefined);
      expect((await text(s3, 'small')).equals(small)).to.equal(true);
      expect((await text(s3, 'empty')).length).to.equal(0);
      expect((await text(s3, 'small', { Range: 'bytes=100-199' })).equals(small.subarray(100, 200))).to.equal(true);
      expect((await text(s3, 'big')).equals(Buffer.concat([p1, p2]))).to.equal(true);
      expect((await text(s3, 'big', { PartNumber: 2 })).equals(p2)).to.equal(true);
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'kept', Key: 'big', PartNumber: 1 }));
      expect([head.PartsCount, head.ContentLength]).to.deep.equal([2, p1.length]);
      const parts = await s3.send(new ListPartsCommand({ Bucket: 'kept', Key: 'open', UploadId: openId }));
      expect(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).to.deep.equal([[3, 10, `"${md5('part three')}"`]]);
    }));
  });

  it('persists any field a later feature adds to a bucket or version record, with no persistence code for it', async () => {
    await withServer(async (s3, srv) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'tagged', Body: 'x' }));
      srv.s3.state.updateVersion('kept', 'tagged', undefined, (v) => ({ ...v, laterField: { team: 'finance' } }) as typeof v);
      srv.s3.state.updateBucket('kept', (b) => ({ ...b, laterField: { Version: '2012-10-17', Statement: [] } }) as typeof b);
      await srv.s3.state.durable();
    });
    await withServer(async (s3, srv) => {
      expect((srv.s3.state.getObject('kept', 'tagged') as unknown as { laterField: unknown }).laterField).to.deep.equal({ team: 'finance' });
      expect((srv.s3.state.bucket('kept') as unknown as { laterField: unknown }).laterField).to.deep.equal({ Version: '2012-10-17', Statement: [] });
      expect((await text(s3, 'tagged')).toString()).to.equal('x');
    });
  });

  it('keeps tags, ACLs, policies, access settings, default encryption and encrypted objects across a restart', async () => {
    const plain = Buffer.from('SECRET-PLAINTEXT '.repeat(5000));
    const customer = randomBytes(32);
    const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: customer.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(customer).digest('base64') };
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::kept/public/*' }] });
    await withServer(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept', ObjectOwnership: 'ObjectWriter' }));
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'kept' }));
      await s3.send(new PutBucketPolicyCommand({ Bucket: 'kept', Policy: policy }));
      await s3.send(new PutBucketTaggingCommand({ Bucket: 'kept', Tagging: { TagSet: [{ Key: 'team', Value: 'finance' }] } }));
      await s3.send(new PutBucketEncryptionCommand({ Bucket: 'kept', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }] } }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'public/s3', Body: plain, Tagging: 'kind=report', ACL: 'public-read' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'c', Body: plain, ...ssec }));
    });
    // At rest: no body holds the plaintext, the master key file is the owner's alone.
    const blobs = path.join(dir, 's3', 'blobs');
    for (const f of fs.readdirSync(blobs)) expect(fs.readFileSync(path.join(blobs, f)).includes(Buffer.from('SECRET-PLAINTEXT')), f).to.equal(false);
    const journal = fs.readdirSync(path.join(dir, 's3')).filter((f) => f.startsWith('journal-')).map((f) => fs.readFileSync(path.join(dir, 's3', f), 'utf8')).join('');
    expect(journal.includes(customer.toString('base64'))).to.equal(false);
    expect(fs.statSync(path.join(dir, 's3', 'sse-master.key')).mode & 0o777).to.equal(0o600);
    await withServer(async (s3, srv) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'public/s3' }));
      expect([got.ServerSideEncryption, got.TagCount]).to.deep.equal(['AES256', 1]);
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(plain)).to.equal(true);
      const c = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'c', ...ssec }));
      expect(Buffer.from(await c.Body!.transformToByteArray()).equals(plain)).to.equal(true);
      expect((await s3.send(new GetObjectAclCommand({ Bucket: 'kept', Key: 'public/s3' }))).Grants?.some((g) => g.Grantee?.URI?.endsWith('/AllUsers'))).to.equal(true);
      expect((await s3.send(new GetBucketPolicyCommand({ Bucket: 'kept' }))).Policy).to.equal(policy);
      expect((await s3.send(new GetBucketTaggingCommand({ Bucket: 'kept' }))).TagSet).to.deep.equal([{ Key: 'team', Value: 'finance' }]);
      expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'kept' }))).OwnershipControls?.Rules?.[0].ObjectOwnership).to.equal('ObjectWriter');
      expect((await s3.send(new GetBucketEncryptionCommand({ Bucket: 'kept' }))).ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm).to.equal('AES256');
      expect((await errorOf(s3.send(new GetPublicAccessBlockCommand({ Bucket: 'kept' })))).name).to.equal('NoSuchPublicAccessBlockConfiguration');
      // The policy is in force again: an anonymous GET of a public key decrypts and answers.
      const anon = await fetch(`${srv.url}/kept/public/s3`);
      expect([anon.status, (await anon.arrayBuffer()).byteLength]).to.deep.equal([200, plain.length]);
    });
  });

  it('drops a batch cut short at the end of the journal and cuts the file back', async () => {
    await withServer(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'acknowledged' }));
    });
    const journal = path.join(dir, 's3', journalFiles().find((f) => f.startsWith('journal-'))!);
    const good = fs.statSync(journal).size;
    fs.appendFileSync(journal, '0badc0de\t[{"t":"put","bucket":"kept","vers');
    await withServer(async (s3) => {
      expect((await text(s3, 'k')).toString()).to.equal('acknowledged');
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k2', Body: 'after' }));
    });
    expect(fs.statSync(journal).size).to.be.greaterThan(good);
    await withServer(async (s3) => expect((await text(s3, 'k2')).toString()).to.equal('after'));
  });

  it('compacts the journal into a snapshot and rebuilds the same state from it', async () => {
    const bodies = new Map<string, string>();
    await withServer(async (s3, srv) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: 'kept', VersioningConfiguration: { Status: 'Enabled' } }));
      for (let i = 0; i < 120; i++) {
        const body = `body ${i}`;
        await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: `k${i % 30}`, Body: body }));
        bodies.set(`k${i % 30}`, body);
      }
      await s3.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'k0' }));
      // Compaction runs beside writes: wait (with a deadline) for the snapshot to replace the first journal.
      for (const deadline = Date.now() + 10_000; !journalFiles().some((f) => f.startsWith('snapshot-')) || journalFiles().includes('journal-000001.log');) {
        if (Date.now() > deadline) throw new Error(`no compaction: ${journalFiles().join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await srv.s3.state.durable();
    }, { compactBytes: 4096 });
    await withServer(async (s3) => {
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'kept' }));
      expect(versions.Versions?.length).to.equal(120);
      expect(versions.DeleteMarkers?.map((m) => m.Key)).to.deep.equal(['k0']);
      for (const [key, body] of bodies) if (key !== 'k0') expect((await text(s3, key)).toString()).to.equal(body);
    });
  });

  it('moves a directory in the earlier manifest layout into the journal, renaming blobs rather than reading them', async () => {
    const old = path.join(dir, 'buckets', 'legacy');
    fs.mkdirSync(path.join(old, 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(old, 'blobs', 'B1'), 'old bytes');
    const version = { id: 'B1', key: 'a/b.txt', versionId: 'null', deleteMarker: false, lastModified: Date.UTC(2024, 0, 1), etag: `"${md5('old bytes')}"`, headers: { contentType: 'text/plain' }, metadata: { m: '1' } };
    fs.writeFileSync(path.join(old, 'manifest.json'), JSON.stringify({ name: 'legacy', region: 'us-east-1', created: Date.UTC(2024, 0, 1), versioning: 'Unversioned', versions: [version] }));
    await withServer(async (s3) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'legacy', Key: 'a/b.txt' }));
      expect(await got.Body!.transformToString()).to.equal('old bytes');
      expect([got.ETag, got.ContentType, got.Metadata?.m]).to.deep.equal([version.etag, 'text/plain', '1']);
    });
    expect(fs.existsSync(path.join(dir, 'buckets'))).to.equal(false);
  });

  it('refuses a write the journal could not take, and rebuilds memory from what is durable', async () => {
    await withServer(async (s3, srv) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'durable' }));
      // Make the next journal write fail (EBADF), as a full or failing disk would.
      const store = (srv.s3.state as unknown as { store: { fd: number } }).store;
      store.fd = 2 ** 30;
      // One attempt: the SDK would retry the 500, and the retry would succeed.
      const once = new S3Client({ endpoint: srv.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true, maxAttempts: 1 });
      const failed = await once.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'never acknowledged' })).then(() => undefined, (e: { name: string; $metadata: { httpStatusCode: number } }) => e);
      once.destroy();
      expect([failed?.name, failed?.$metadata.httpStatusCode]).to.deep.equal(['InternalError', 500]);
      expect((await text(s3, 'k')).toString()).to.equal('durable');
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k2', Body: 'after' }));
    });
    await withServer(async (s3) => {
      expect((await text(s3, 'k')).toString()).to.equal('durable');
      expect((await text(s3, 'k2')).toString()).to.equal('after');
    });
  });

  it('refuses to start on a directory another process is using', async () => {
    const other = await EdgeProcess.start(dir);
    try {
      const second = await startS3Server({ credentials: { test: 'test' }, persistDir: dir }).catch((e: Error) => e);
      expect((second as Error).message).to.match(/is in use by process \d+/);
    } finally {
      other.kill();
      await other.exited;
    }
    // Once that process is gone (killed, so its lock stays behind) the directory is free again.
    await withServer(async (s3) => expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).to.deep.equal([]));
  });

  it('forgets everything on reset, on disk too', async () => {
    const srv = await startS3Server({ credentials: { test: 'test' }, persistDir: dir });
    srv.s3.state.createBucket('wiped', 'us-east-1');
    srv.s3.reset();
    await srv.close();
    const again = await startS3Server({ credentials: { test: 'test' }, persistDir: dir });
    expect(again.s3.state.listBuckets()).to.deep.equal([]);
    await again.close();
  });
});
