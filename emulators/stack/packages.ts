/**
 * What the packages service needs around it locally, applied through the AWS SDK so it works on our edge or
 * LocalStack alike: the versioned viewer-assets bucket with its objects (deleted ones behind delete markers),
 * the restore queue with its DLQ, the CloudFront private key in SSM (base64 PEM, as seed 003 stores it), and
 * the database (migrations + seed from fixtures/packages). Every step is idempotent.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand, DeleteObjectCommand, HeadBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { migrate, openDatabase, runSqlFile, type Db } from '../../proxy/db/index.ts';
import { CLOUDFRONT_KEY_PARAM } from './packages-env.ts';

export { CLOUDFRONT_KEY_PARAM };

export const PACKAGES_FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/packages');
export const RESTORE_QUEUE = 'gatehouse-restore-package';

export interface AwsTargetConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

interface S3Fixture {
  bucket: string;
  versioning: boolean;
  objects: { key: string; contentType: string; body?: string; bodyBase64?: string; deleted?: boolean }[];
}

/**
 * Open (and on first use create) the packages database: migrations, then the idempotent seed. A new PGlite data
 * directory starts as a copy of a seeded template kept in the OS temp dir (keyed by the fixtures' hash), so only
 * the first database on a machine pays initdb (seconds of CPU); every later stack, test or clean state copies it.
 */
export async function openPackagesDatabase(o: { url?: string; dataDir?: string }): Promise<Db> {
  if (!o.url && o.dataDir && isEmptyDir(o.dataDir)) await copyTemplate(o.dataDir);
  return migrated(await openDatabase(o));
}

async function migrated(db: Db): Promise<Db> {
  try {
    await migrate(db, resolve(PACKAGES_FIXTURES, 'migrations'));
    await runSqlFile(db, resolve(PACKAGES_FIXTURES, 'seed.sql'));
    return db;
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}

/**
 * The database back to what the seed made (the stack's reset, for a replay that must start where its capture
 * started): every organisation schema, the platform schema and the migrations' record dropped, then the
 * migrations and the seed run again. The seed alone is not enough: it inserts what is missing (ON CONFLICT DO
 * NOTHING) and never puts a restored package back to DELETED.
 */
export async function reseedPackagesDatabase(db: Db): Promise<void> {
  const migrations = resolve(PACKAGES_FIXTURES, 'migrations');
  // The schemas the migrations create by name (pennsieve, packages_service, …), read from the files themselves.
  const named = new Set(readdirSync(migrations).filter((f) => f.endsWith('.sql'))
    .flatMap((f) => [...readFileSync(join(migrations, f), 'utf8').matchAll(/CREATE SCHEMA (?:IF NOT EXISTS )?"?([a-z_][a-z0-9_]*)"?/gi)].map((m) => m[1])));
  await db.transaction(async (tx) => {
    // Organisation schemas are named by their integer id (proxy/routes/packages/store.ts).
    const orgs = await tx.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname ~ '^[0-9]+$'");
    for (const name of [...orgs.map((o) => o.nspname), ...named]) await tx.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await tx.query('DROP TABLE IF EXISTS public.schema_migrations');
  });
  await migrate(db, migrations);
  await runSqlFile(db, resolve(PACKAGES_FIXTURES, 'seed.sql'));
}

const isEmptyDir = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

function templateDir(): string {
  const h = createHash('sha256');
  const migrations = resolve(PACKAGES_FIXTURES, 'migrations');
  for (const f of readdirSync(migrations).sort()) h.update(f).update(readFileSync(join(migrations, f)));
  h.update(readFileSync(resolve(PACKAGES_FIXTURES, 'seed.sql')));
  return join(tmpdir(), `gatehouse-pglite-template-${h.digest('hex').slice(0, 16)}`);
}

async function copyTemplate(dataDir: string): Promise<void> {
  const template = templateDir();
  if (!existsSync(join(template, 'PG_VERSION'))) {
    const building = mkdtempSync(`${template}.building-`);
    const db = await migrated(await openDatabase({ dataDir: building }));
    await db.close();
    // Concurrent builders: the first rename wins, the others drop their copy.
    try {
      renameSync(building, template);
    } catch {
      rmSync(building, { recursive: true, force: true });
    }
  }
  cpSync(template, dataDir, { recursive: true });
}

export interface PackagesAwsSetup {
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
}

export async function preparePackagesAws(t: AwsTargetConfig, q: { visibilityTimeout?: number; maxReceiveCount?: number; queueName?: string } = {}): Promise<PackagesAwsSetup> {
  const cfg = { endpoint: t.endpoint, region: t.region, credentials: t.credentials };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const sqs = new SQSClient(cfg);
  try {
    const fixture = JSON.parse(readFileSync(resolve(PACKAGES_FIXTURES, 's3.json'), 'utf8')) as S3Fixture;
    await seedBucket(s3, fixture);
    const name = q.queueName ?? RESTORE_QUEUE;
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
    const attributes = {
      VisibilityTimeout: String(q.visibilityTimeout ?? 60),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: q.maxReceiveCount ?? 3 }),
    };
    // The shared AWS seed may have made the queue already (with its own attributes): use it as it is.
    const main = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))
      .catch(() => sqs.send(new GetQueueUrlCommand({ QueueName: name })));
    return { bucket: fixture.bucket, queueUrl: main.QueueUrl!, dlqUrl: dlq.QueueUrl! };
  } finally {
    s3.destroy();
    sqs.destroy();
  }
}

async function seedBucket(s3: S3Client, f: S3Fixture): Promise<void> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket: f.bucket })).then(() => true, () => false);
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: f.bucket }));
  if (f.versioning) await s3.send(new PutBucketVersioningCommand({ Bucket: f.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  // Objects are independent of each other: seeded concurrently (each one's own steps stay in order).
  await Promise.all(f.objects.map(async (o) => {
    const seen = await s3.send(new ListObjectVersionsCommand({ Bucket: f.bucket, Prefix: o.key }));
    const known = [...(seen.Versions ?? []), ...(seen.DeleteMarkers ?? [])].some((v) => v.Key === o.key);
    if (known) return;
    const body = o.bodyBase64 !== undefined ? Buffer.from(o.bodyBase64, 'base64') : Buffer.from(o.body ?? '', 'utf8');
    await s3.send(new PutObjectCommand({ Bucket: f.bucket, Key: o.key, Body: body, ContentType: o.contentType }));
    // A deleted package's objects sit behind a delete marker in the versioned bucket.
    if (o.deleted) await s3.send(new DeleteObjectCommand({ Bucket: f.bucket, Key: o.key }));
  }));
}

/** Store the CloudFront edge's private key where the packages function reads it at cold start. */
export async function putCloudFrontKey(t: AwsTargetConfig, privateKeyPem: string, name = CLOUDFRONT_KEY_PARAM): Promise<void> {
  const ssm = new SSMClient({ endpoint: t.endpoint, region: t.region, credentials: t.credentials });
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: Buffer.from(privateKeyPem).toString('base64'), Overwrite: true }));
  } finally {
    ssm.destroy();
  }
}
