/**
 * Apply `fixtures/aws/seed.json` (format in fixtures/aws/README.md) to any AWS endpoint through the AWS SDK, so it
 * works the same against our edge, LocalStack or moto. Idempotent: each resource is read first and written only
 * when absent or different, so a second run reports everything unchanged.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client, HeadBucketCommand, CreateBucketCommand, HeadObjectCommand, PutObjectCommand, GetBucketCorsCommand, PutBucketCorsCommand, type CORSRule } from '@aws-sdk/client-s3';
import { SSMClient, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import {
  DynamoDBClient, DescribeTableCommand, CreateTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand, waitUntilTableExists,
  type KeyType, type ScalarAttributeType,
} from '@aws-sdk/client-dynamodb';
import { SQSClient, CreateQueueCommand, GetQueueUrlCommand, GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { SecretsManagerClient, GetSecretValueCommand, CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';

export const DEFAULT_SEED_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/aws/seed.json');

/**
 * A bucket's CORS rule in S3's own shape (PutBucketCors, as seed 002 writes it); `AllowedOriginsFrom` names a run-time
 * value (comma-separated origins) that replaces `AllowedOrigins` when the caller supplies it — the stack's configured
 * origins, the console's among them.
 */
export type SeedCorsRule = CORSRule & { AllowedOriginsFrom?: string };

export interface SeedFile {
  buckets?: { name: string; files?: { key: string; file: string; contentType?: string }[]; cors?: SeedCorsRule[] }[];
  parameters?: { name: string; type: 'String' | 'StringList' | 'SecureString'; value?: string; valueFile?: string; description?: string; keyId?: string }[];
  tables?: { name: string; keySchema: { attributeName: string; attributeType: ScalarAttributeType; keyType: KeyType }[]; ttlAttribute?: string }[];
  queues?: { name: string; attributes?: Record<string, string>; deadLetter?: { name: string; maxReceiveCount: number } }[];
  /** `valueFrom` names a value the caller supplies at run time (a key generated under .state/, never committed). */
  secrets?: { name: string; description?: string; value?: string; valueFile?: string; valueFrom?: string }[];
}

/** Values for secrets declared with `valueFrom`, by that name. */
export type RuntimeValues = Record<string, string>;

export interface SeedReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** SSM names allow only a-zA-Z0-9_.-/ (PutParameter API reference), so an e-mail's "@" is written "_at_". */
export function extendPasswordParameter(email: string): string {
  return `/gatehouse/extend/users/${email.toLowerCase().replace(/@/g, '_at_')}/password`;
}

export async function seedAws(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  seedFile: string = DEFAULT_SEED_FILE,
  runtime: RuntimeValues = {},
): Promise<SeedReport> {
  const seed = JSON.parse(await readFile(seedFile, 'utf8')) as SeedFile;
  const base = dirname(seedFile);
  const cfg = { endpoint, region, credentials };
  const report: SeedReport = { created: [], updated: [], unchanged: [] };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const ssm = new SSMClient(cfg);
  const ddb = new DynamoDBClient(cfg);
  const sqs = new SQSClient(cfg);
  const sm = new SecretsManagerClient(cfg);
  try {
    // Every declared resource is independent of the others, so they are applied concurrently (start-up time).
    await Promise.all([
      ...(seed.buckets ?? []).map((b) => seedBucket(s3, region, base, b, runtime, report)),
      ...(seed.parameters ?? []).map((p) => seedParameter(ssm, base, p, report)),
      ...(seed.tables ?? []).map((t) => seedTable(ddb, t, report)),
      ...(seed.queues ?? []).map((q) => seedQueue(sqs, q, report)),
      ...(seed.secrets ?? []).map((sec) => seedSecret(sm, base, sec, runtime, report)),
    ]);
  } finally {
    [s3, ssm, ddb, sqs, sm].forEach((c) => c.destroy());
  }
  return report;
}

type Bucket = NonNullable<SeedFile['buckets']>[number];
type Param = NonNullable<SeedFile['parameters']>[number];
type Table = NonNullable<SeedFile['tables']>[number];
type Queue = NonNullable<SeedFile['queues']>[number];
type SecretSeed = NonNullable<SeedFile['secrets']>[number];

const isMissing = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.$metadata?.httpStatusCode === 404 || ['NotFound', 'NoSuchBucket', 'NoSuchKey', 'ParameterNotFound', 'ResourceNotFoundException', 'QueueDoesNotExist'].includes(err.name ?? '');
};

/** Run `read`; a "not found" error becomes undefined, anything else propagates. */
async function lookup<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

async function seedBucket(s3: S3Client, region: string, base: string, b: Bucket, runtime: RuntimeValues, report: SeedReport): Promise<void> {
  if (await lookup(() => s3.send(new HeadBucketCommand({ Bucket: b.name })))) report.unchanged.push(`s3://${b.name}`);
  else {
    // us-east-1 takes no LocationConstraint; every other region requires one (CreateBucket API reference).
    await s3.send(new CreateBucketCommand({ Bucket: b.name, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
    report.created.push(`s3://${b.name}`);
  }
  if (b.cors) await seedBucketCors(s3, b.name, corsRules(b.cors, runtime), report);
  await Promise.all((b.files ?? []).map(async (f) => {
    const body = await readFile(resolve(base, f.file));
    const md5 = createHash('md5').update(body).digest('hex');
    const head = await lookup(() => s3.send(new HeadObjectCommand({ Bucket: b.name, Key: f.key })));
    const id = `s3://${b.name}/${f.key}`;
    // A single-part upload's ETag is the quoted MD5 of its bytes.
    if (head?.ETag?.replace(/"/g, '') === md5) return void report.unchanged.push(id);
    await s3.send(new PutObjectCommand({ Bucket: b.name, Key: f.key, Body: body, ContentType: f.contentType }));
    (head ? report.updated : report.created).push(id);
  }));
}

/** The rules as S3 takes them: run-time origins in place of the fixture's where the caller supplied them. */
export function corsRules(rules: SeedCorsRule[], runtime: RuntimeValues): CORSRule[] {
  return rules.map(({ AllowedOriginsFrom: from, ...rule }) => {
    const given = from ? runtime[from]?.split(',').map((o) => o.trim()).filter(Boolean) : undefined;
    return given?.length ? { ...rule, AllowedOrigins: [...new Set(given)] } : rule;
  });
}

async function seedBucketCors(s3: S3Client, bucket: string, rules: CORSRule[], report: SeedReport): Promise<void> {
  const id = `s3://${bucket} CORS`;
  const current = await lookup(() => s3.send(new GetBucketCorsCommand({ Bucket: bucket })));
  if (current && sameCors(current.CORSRules ?? [], rules)) return void report.unchanged.push(id);
  await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
  (current ? report.updated : report.created).push(id);
}

const CORS_FIELDS = ['AllowedHeaders', 'AllowedMethods', 'AllowedOrigins', 'ExposeHeaders', 'MaxAgeSeconds'] as const;
const sameCors = (a: CORSRule[], b: CORSRule[]) => a.length === b.length && a.every((r, i) => CORS_FIELDS.every((f) => JSON.stringify(r[f] ?? []) === JSON.stringify(b[i][f] ?? [])));

async function seedParameter(ssm: SSMClient, base: string, p: Param, report: SeedReport): Promise<void> {
  if ((p.value === undefined) === (p.valueFile === undefined)) throw new Error(`parameter ${p.name}: declare exactly one of value or valueFile`);
  const value = p.value ?? (await readFile(resolve(base, p.valueFile!), 'utf8'));
  const current = await lookup(() => ssm.send(new GetParameterCommand({ Name: p.name, WithDecryption: true })));
  const id = `ssm:${p.name}`;
  if (current?.Parameter?.Value === value && current.Parameter.Type === p.type) return void report.unchanged.push(id);
  await ssm.send(new PutParameterCommand({ Name: p.name, Value: value, Type: p.type, Description: p.description, KeyId: p.keyId, Overwrite: !!current }));
  (current ? report.updated : report.created).push(id);
}

/** Seed only the secrets (the stack calls this once run-time values, such as a generated key, exist). */
export async function seedSecrets(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region: string, runtime: RuntimeValues, seedFile: string = DEFAULT_SEED_FILE): Promise<SeedReport> {
  const seed = JSON.parse(await readFile(seedFile, 'utf8')) as SeedFile;
  const sm = new SecretsManagerClient({ endpoint, region, credentials });
  const report: SeedReport = { created: [], updated: [], unchanged: [] };
  try {
    for (const sec of seed.secrets ?? []) await seedSecret(sm, dirname(seedFile), sec, runtime, report);
  } finally {
    sm.destroy();
  }
  return report;
}

/** Create the secret, or make its AWSCURRENT the declared value (a new version: AWSPREVIOUS keeps the old one). */
async function seedSecret(sm: SecretsManagerClient, base: string, sec: SecretSeed, runtime: RuntimeValues, report: SeedReport): Promise<void> {
  const sources = [sec.value, sec.valueFile, sec.valueFrom].filter((v) => v !== undefined).length;
  if (sources !== 1) throw new Error(`secret ${sec.name}: declare exactly one of value, valueFile or valueFrom`);
  const value = sec.value ?? (sec.valueFile ? await readFile(resolve(base, sec.valueFile), 'utf8') : runtime[sec.valueFrom!]);
  // A run-time value nobody supplied (plain `seed-aws`) is left for the stack to seed.
  if (value === undefined) return;
  const id = `secretsmanager:${sec.name}`;
  const current = await lookup(() => sm.send(new GetSecretValueCommand({ SecretId: sec.name })));
  if (current?.SecretString === value) return void report.unchanged.push(id);
  if (current) await sm.send(new PutSecretValueCommand({ SecretId: sec.name, SecretString: value }));
  else await sm.send(new CreateSecretCommand({ Name: sec.name, SecretString: value, Description: sec.description }));
  (current ? report.updated : report.created).push(id);
}

async function seedTable(ddb: DynamoDBClient, t: Table, report: SeedReport): Promise<void> {
  const id = `dynamodb:${t.name}`;
  if (await lookup(() => ddb.send(new DescribeTableCommand({ TableName: t.name })))) report.unchanged.push(id);
  else {
    await ddb.send(new CreateTableCommand({
      TableName: t.name,
      KeySchema: t.keySchema.map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
      AttributeDefinitions: t.keySchema.map((k) => ({ AttributeName: k.attributeName, AttributeType: k.attributeType })),
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await waitUntilTableExists({ client: ddb, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: t.name });
    report.created.push(id);
  }
  if (!t.ttlAttribute) return;
  const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: t.name }));
  const d = ttl.TimeToLiveDescription;
  const ttlId = `${id}#ttl:${t.ttlAttribute}`;
  if (d?.AttributeName === t.ttlAttribute && (d.TimeToLiveStatus === 'ENABLED' || d.TimeToLiveStatus === 'ENABLING')) return void report.unchanged.push(ttlId);
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { Enabled: true, AttributeName: t.ttlAttribute } }));
  report.created.push(ttlId);
}

async function seedQueue(sqs: SQSClient, q: Queue, report: SeedReport): Promise<void> {
  const attributes = { ...q.attributes };
  if (q.deadLetter) {
    const dlqUrl = await ensureQueue(sqs, q.deadLetter.name, {}, report);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: q.deadLetter.maxReceiveCount });
  }
  await ensureQueue(sqs, q.name, attributes, report);
}

/** Create the queue, or bring an existing one's attributes to the declared values. */
async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>, report: SeedReport): Promise<string> {
  const id = `sqs:${name}`;
  const existing = await lookup(() => sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  if (!existing) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    report.created.push(id);
    return QueueUrl!;
  }
  const url = existing.QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  const current: Record<string, string> = Attributes ?? {};
  const differs = Object.entries(attributes).filter(([k, v]) => !sameAttribute(current[k], v));
  if (differs.length === 0) report.unchanged.push(id);
  else {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: Object.fromEntries(differs) }));
    report.updated.push(id);
  }
  return url;
}

/** JSON-valued attributes (RedrivePolicy) may come back re-serialised, numbers as strings; compare them as values. */
function sameAttribute(current: string | undefined, wanted: string): boolean {
  if (current === wanted) return true;
  const norm = (s: string | undefined) => {
    try {
      const o = JSON.parse(s ?? '') as Record<string, unknown>;
      return typeof o === 'object' && o ? JSON.stringify(Object.keys(o).sort().map((k) => [k, String(o[k])])) : undefined;
    } catch {
      return undefined;
    }
  };
  const a = norm(current);
  return a !== undefined && a === norm(wanted);
}
