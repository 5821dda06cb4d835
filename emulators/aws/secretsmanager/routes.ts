/**
 * Secrets Manager wire layer (AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Op>`): one function per operation in
 * a table; each reads its input once, calls the store and renders AWS's output shape (Secrets Manager API
 * reference: CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret, ListSecrets, UpdateSecretVersionStage,
 * DeleteSecret, RestoreSecret).
 */
import type { JsonService } from '../edge.ts';
import { SecretsError, SecretsStore, type Secret, type SecretVersion } from './state.ts';

type Input = Record<string, unknown>;
type Op = (store: SecretsStore, input: Input) => unknown;

const invalid = (member: string, constraint: string) =>
  new SecretsError('ValidationException', `1 validation error detected: Value at '${member.charAt(0).toLowerCase() + member.slice(1)}' failed to satisfy constraint: ${constraint}`);

function str(i: Input, key: string, required = false): string | undefined {
  const v = i[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(key, 'Member must not be null');
    return undefined;
  }
  if (typeof v !== 'string') throw new SecretsError('SerializationException', `Expected a string for ${key}`);
  return v;
}

function num(i: Input, key: string): number | undefined {
  const v = i[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SecretsError('SerializationException', `Expected an integer for ${key}`);
  return v;
}

/** Blobs travel base64-encoded in JSON protocols. */
function blob(i: Input, key: string): Buffer | undefined {
  const v = str(i, key);
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

function value(i: Input): { token?: string; string?: string; binary?: Buffer } {
  const string = str(i, 'SecretString');
  const binary = blob(i, 'SecretBinary');
  // CreateSecret/PutSecretValue API reference: SecretString and SecretBinary are mutually exclusive.
  if (string !== undefined && binary !== undefined) throw new SecretsError('InvalidParameterException', 'You can\'t specify both a binary secret value and a string secret value in the same secret.');
  return { token: str(i, 'ClientRequestToken'), string, binary };
}

// JSON 1.1 timestamps are epoch seconds.
const secs = (t: number | undefined) => (t === undefined ? undefined : t / 1000);
const stagesOf = (s: Secret) => Object.fromEntries([...s.versions.values()].filter((v) => v.stages.size).map((v) => [v.id, [...v.stages]]));

function describe(s: Secret) {
  return strip({
    ARN: s.arn, Name: s.name, Description: s.description, KmsKeyId: s.kmsKeyId, RotationEnabled: false,
    LastChangedDate: secs(s.changed), LastAccessedDate: secs(s.accessed), DeletedDate: secs(s.deletionDate),
    Tags: s.tags.length ? s.tags : undefined, CreatedDate: secs(s.created),
  });
}

const ops: Record<string, Op> = {
  CreateSecret(store, i) {
    const tags = Array.isArray(i.Tags) ? (i.Tags as { Key: string; Value: string }[]) : undefined;
    const { secret, version } = store.create({ name: str(i, 'Name', true)!, description: str(i, 'Description'), kmsKeyId: str(i, 'KmsKeyId'), tags, ...value(i) });
    return strip({ ARN: secret.arn, Name: secret.name, VersionId: version?.id });
  },

  GetSecretValue(store, i) {
    const { secret, version } = store.value(str(i, 'SecretId', true)!, str(i, 'VersionId'), str(i, 'VersionStage'));
    return renderValue(secret, version);
  },

  PutSecretValue(store, i) {
    const stages = i.VersionStages === undefined ? undefined : stringList(i, 'VersionStages');
    const { secret, version } = store.put(str(i, 'SecretId', true)!, { ...value(i), stages });
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
  },

  DescribeSecret(store, i) {
    const s = store.find(str(i, 'SecretId', true)!, { allowDeleted: true });
    return { ...describe(s), VersionIdsToStages: stagesOf(s) };
  },

  ListSecrets(store, i) {
    const size = num(i, 'MaxResults') ?? 100;
    if (size < 1 || size > 100) throw invalid('MaxResults', 'Member must have value between 1 and 100');
    const all = store.list(i.IncludePlannedDeletion === true).filter(filters(i)).sort((a, b) => (i.SortOrder === 'asc' ? a.created - b.created : b.created - a.created));
    const token = str(i, 'NextToken');
    const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) throw new SecretsError('InvalidNextTokenException', 'The NextToken value is invalid.');
    const end = start + size;
    return strip({
      SecretList: all.slice(start, end).map((s) => ({ ...describe(s), SecretVersionsToStages: stagesOf(s) })),
      NextToken: end < all.length ? Buffer.from(String(end)).toString('base64url') : undefined,
    });
  },

  UpdateSecretVersionStage(store, i) {
    const s = store.moveStage(str(i, 'SecretId', true)!, str(i, 'VersionStage', true)!, str(i, 'RemoveFromVersionId'), str(i, 'MoveToVersionId'));
    return { ARN: s.arn, Name: s.name };
  },

  DeleteSecret(store, i) {
    const force = i.ForceDeleteWithoutRecovery === true;
    const { secret, deletionDate } = store.delete(str(i, 'SecretId', true)!, num(i, 'RecoveryWindowInDays'), force);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secs(deletionDate) };
  },

  RestoreSecret(store, i) {
    const s = store.restore(str(i, 'SecretId', true)!);
    return { ARN: s.arn, Name: s.name };
  },
};

function renderValue(secret: Secret, v: SecretVersion) {
  return strip({
    ARN: secret.arn, Name: secret.name, VersionId: v.id,
    SecretString: v.string, SecretBinary: v.binary?.toString('base64'),
    VersionStages: [...v.stages], CreatedDate: secs(v.created),
  });
}

function stringList(i: Input, key: string): string[] {
  const v = i[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SecretsError('SerializationException', `Expected a list of strings for ${key}`);
  if (v.length < 1) throw invalid(key, 'Member must have length greater than or equal to 1');
  return v as string[];
}

/** ListSecrets `Filters`: name/description/tag-key/tag-value/all match by prefix, as the API reference says. */
function filters(i: Input): (s: Secret) => boolean {
  const list = (Array.isArray(i.Filters) ? i.Filters : []) as { Key?: string; Values?: string[] }[];
  const fields = (s: Secret, key: string): string[] => {
    const table: Record<string, () => string[]> = {
      name: () => [s.name],
      description: () => (s.description ? [s.description] : []),
      'tag-key': () => s.tags.map((t) => t.Key),
      'tag-value': () => s.tags.map((t) => t.Value),
      all: () => [s.name, s.description ?? '', ...s.tags.flatMap((t) => [t.Key, t.Value])],
    };
    const f = table[key];
    if (!f) throw new SecretsError('ValidationException', `1 validation error detected: Value '${key}' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [all, name, tag-key, description, tag-value]`);
    return f();
  };
  return (s) => list.every((f) => (f.Values ?? []).some((v) => {
    const negate = v.startsWith('!');
    const hit = fields(s, f.Key ?? '').some((x) => x.startsWith(negate ? v.slice(1) : v));
    return negate ? !hit : hit;
  }));
}

function strip<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface SecretsManagerService extends JsonService {
  store: SecretsStore;
}

export function createSecretsManager(opts: { region: string; now?: () => number }): SecretsManagerService {
  const store = new SecretsStore(opts.region, opts.now);
  return {
    name: 'secretsmanager',
    store,
    targetPrefix: 'secretsmanager.',
    contentType: 'application/x-amz-json-1.1',
    call(op, input) {
      const fn = ops[op];
      if (!fn) throw new SecretsError('UnknownOperationException', `Unknown operation ${op}`);
      return fn(store, input);
    },
    error: (type, status, message) => ({ type, status, message }),
    // Secret values never reach the journal.
    redact: (input) => ({ ...input, ...('SecretString' in input ? { SecretString: '***' } : {}), ...('SecretBinary' in input ? { SecretBinary: '***' } : {}) }),
    snapshot: () => ({ secrets: store.snapshot() }),
    reset: () => store.reset(),
  };
}
