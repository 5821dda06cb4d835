/**
 * Secrets Manager wire layer (AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Op>`): one function per operation in
 * a table; each reads its input once (input.ts), calls the store and renders AWS's output shape (Secrets Manager
 * API reference, one page per operation). `SERVED_OPERATIONS` is the table's key list, which the README's table
 * and test/aws/operations.test.ts check against.
 */
import type { JsonService } from '../edge.ts';
import { unknownOperationError } from '../unknown-operation.ts';
import { SecretsError, SecretsStore, type Secret, type SecretVersion } from './state.ts';
import { bool, invalid, nextToken, num, pageStart, str, stringList, tags, value, type Input } from './input.ts';
import { randomPassword } from './password.ts';

type Op = (store: SecretsStore, input: Input) => unknown;

// JSON 1.1 timestamps are epoch seconds.
const secs = (t: number | undefined) => (t === undefined ? undefined : t / 1000);
const stagesOf = (s: Secret) => Object.fromEntries([...s.versions.values()].filter((v) => v.stages.size).map((v) => [v.id, [...v.stages]]));

/** DescribeSecret and each ListSecrets entry; `DeletedDate` is when a scheduled secret will be deleted. */
function describe(s: Secret) {
  return strip({
    ARN: s.arn, Name: s.name, Description: s.description, KmsKeyId: s.kmsKeyId, RotationEnabled: false,
    LastChangedDate: secs(s.changed), LastAccessedDate: secs(s.accessed), DeletedDate: secs(s.deletionDate),
    Tags: s.tags.length ? s.tags : undefined, CreatedDate: secs(s.created),
  });
}

const ops: Record<string, Op> = {
  CreateSecret(store, i) {
    const { secret, version } = store.create({ name: str(i, 'Name', true)!, description: str(i, 'Description'), kmsKeyId: str(i, 'KmsKeyId'), tags: tags(i), ...value(i) });
    return strip({ ARN: secret.arn, Name: secret.name, VersionId: version?.id });
  },

  GetSecretValue(store, i) {
    const { secret, version } = store.value(str(i, 'SecretId', true)!, str(i, 'VersionId'), str(i, 'VersionStage'));
    return renderValue(secret, version);
  },

  BatchGetSecretValue(store, i) {
    const ids = stringList(i, 'SecretIdList');
    const hasFilters = Array.isArray(i.Filters) && i.Filters.length > 0;
    if ((ids === undefined) === !hasFilters) throw new SecretsError('InvalidParameterException', 'Specify either SecretIdList or Filters, but not both.');
    if (ids) {
      if (ids.length > 20) throw invalid('SecretIdList', 'Member must have length less than or equal to 20');
      const SecretValues: unknown[] = [];
      const Errors: unknown[] = [];
      for (const id of ids) {
        try {
          const { secret, version } = store.value(id);
          SecretValues.push(renderValue(secret, version));
        } catch (e) {
          // A secret that cannot be read is reported per id instead of failing the batch (BatchGetSecretValue, Errors).
          if (!(e instanceof SecretsError)) throw e;
          Errors.push({ SecretId: id, ErrorCode: e.type, Message: e.message });
        }
      }
      return { SecretValues, Errors };
    }
    const size = num(i, 'MaxResults') ?? 20;
    if (size < 1 || size > 20) throw invalid('MaxResults', 'Member must have value between 1 and 20');
    const all = store.list(false).filter(filters(i)).sort((a, b) => a.created - b.created);
    const start = pageStart(i);
    const page = all.slice(start, start + size);
    const SecretValues = page.flatMap((s) => {
      const v = [...s.versions.values()].find((x) => x.stages.has('AWSCURRENT'));
      return v ? [renderValue(s, v)] : [];
    });
    return strip({ SecretValues, Errors: [], NextToken: nextToken(start + size, all.length) });
  },

  PutSecretValue(store, i) {
    const { secret, version } = store.put(str(i, 'SecretId', true)!, { ...value(i), stages: stringList(i, 'VersionStages') });
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
  },

  UpdateSecret(store, i) {
    const { secret, version } = store.update(str(i, 'SecretId', true)!, { ...value(i), description: str(i, 'Description'), kmsKeyId: str(i, 'KmsKeyId') });
    return strip({ ARN: secret.arn, Name: secret.name, VersionId: version?.id });
  },

  DescribeSecret(store, i) {
    const s = store.find(str(i, 'SecretId', true)!, { allowDeleted: true });
    return { ...describe(s), VersionIdsToStages: stagesOf(s) };
  },

  ListSecrets(store, i) {
    const size = num(i, 'MaxResults') ?? 100;
    if (size < 1 || size > 100) throw invalid('MaxResults', 'Member must have value between 1 and 100');
    // Scheduled secrets are listed only with IncludePlannedDeletion (ListSecrets API reference).
    const all = store.list(bool(i, 'IncludePlannedDeletion') === true).filter(filters(i)).sort((a, b) => (i.SortOrder === 'asc' ? a.created - b.created : b.created - a.created));
    const start = pageStart(i);
    return strip({
      SecretList: all.slice(start, start + size).map((s) => ({ ...describe(s), SecretVersionsToStages: stagesOf(s) })),
      NextToken: nextToken(start + size, all.length),
    });
  },

  ListSecretVersionIds(store, i) {
    const s = store.find(str(i, 'SecretId', true)!, { allowDeleted: true });
    const size = num(i, 'MaxResults') ?? 100;
    if (size < 1 || size > 100) throw invalid('MaxResults', 'Member must have value between 1 and 100');
    // A version without staging labels is deprecated and listed only with IncludeDeprecated.
    const all = [...s.versions.values()].filter((v) => v.stages.size > 0 || bool(i, 'IncludeDeprecated') === true);
    const start = pageStart(i);
    return strip({
      ARN: s.arn, Name: s.name,
      Versions: all.slice(start, start + size).map((v) => strip({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: secs(v.created) })),
      NextToken: nextToken(start + size, all.length),
    });
  },

  UpdateSecretVersionStage(store, i) {
    const s = store.moveStage(str(i, 'SecretId', true)!, str(i, 'VersionStage', true)!, str(i, 'RemoveFromVersionId'), str(i, 'MoveToVersionId'));
    return { ARN: s.arn, Name: s.name };
  },

  TagResource(store, i) {
    store.tag(str(i, 'SecretId', true)!, tags(i, 'Tags', true)!);
    return {};
  },

  UntagResource(store, i) {
    store.untag(str(i, 'SecretId', true)!, stringList(i, 'TagKeys', { required: true })!);
    return {};
  },

  DeleteSecret(store, i) {
    const out = store.delete(str(i, 'SecretId', true)!, num(i, 'RecoveryWindowInDays'), bool(i, 'ForceDeleteWithoutRecovery') === true);
    return { ARN: out.arn, Name: out.name, DeletionDate: secs(out.deletionDate) };
  },

  RestoreSecret(store, i) {
    const s = store.restore(str(i, 'SecretId', true)!);
    return { ARN: s.arn, Name: s.name };
  },

  GetRandomPassword(_store, i) {
    const RandomPassword = randomPassword({
      length: num(i, 'PasswordLength'), excludeCharacters: str(i, 'ExcludeCharacters'),
      excludeNumbers: bool(i, 'ExcludeNumbers'), excludePunctuation: bool(i, 'ExcludePunctuation'),
      excludeUppercase: bool(i, 'ExcludeUppercase'), excludeLowercase: bool(i, 'ExcludeLowercase'),
      includeSpace: bool(i, 'IncludeSpace'), requireEachIncludedType: bool(i, 'RequireEachIncludedType'),
    });
    return { RandomPassword };
  },
};

/** The operations this fake serves; every other Secrets Manager operation is an unknown operation. */
export const SERVED_OPERATIONS = Object.keys(ops);

function renderValue(secret: Secret, v: SecretVersion) {
  return strip({
    ARN: secret.arn, Name: secret.name, VersionId: v.id,
    SecretString: v.string, SecretBinary: v.binary?.toString('base64'),
    VersionStages: [...v.stages], CreatedDate: secs(v.created),
  });
}

/** ListSecrets `Filters`: name/description/tag-key/tag-value/all match by prefix, as the API reference says. */
function filters(i: Input): (s: Secret) => boolean {
  const list = (Array.isArray(i.Filters) ? i.Filters : []) as { Key?: string; Values?: string[] }[];
  // Checked once here: the matcher below runs per secret and assumes strings (a number threw a TypeError, a 500).
  list.forEach((f, n) => {
    const ok = f !== null && typeof f === 'object' && (f.Key === undefined || typeof f.Key === 'string')
      && (f.Values === undefined || (Array.isArray(f.Values) && f.Values.every((v) => typeof v === 'string')));
    if (!ok) throw invalid(`filters.${n + 1}.member`, 'Member must be a Filter with a string Key and a list of string Values');
  });
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
  return (s) => list.every((f) => (Array.isArray(f?.Values) ? f.Values : []).some((v) => {
    if (typeof v !== 'string') return false;
    const negate = v.startsWith('!');
    const hit = fields(s, String(f.Key ?? '')).some((x) => x.startsWith(negate ? v.slice(1) : v));
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
    operations: SERVED_OPERATIONS,
    contentType: 'application/x-amz-json-1.1',
    call(op, input) {
      const fn = Object.hasOwn(ops, op) ? ops[op] : undefined;
      if (!fn) throw unknownOperationError();
      return fn(store, input);
    },
    error: (type, status, message) => ({ type, status, message }),
    // Secret values never reach the journal.
    redact: (input) => ({ ...input, ...('SecretString' in input ? { SecretString: '***' } : {}), ...('SecretBinary' in input ? { SecretBinary: '***' } : {}) }),
    snapshot: () => ({ secrets: store.snapshot() }),
    reset: () => store.reset(),
  };
}
