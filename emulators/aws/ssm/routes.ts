/**
 * SSM wire layer (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Op>`): one function per operation, in a table.
 * Each parses its input once, calls the store, and renders AWS's output shape. Field names follow the SSM API
 * reference (GetParameter, GetParametersByPath, PutParameter, DescribeParameters …).
 */
import { ACCOUNT_ID, SsmError, SsmStore, ciphertextOf, type ParameterType, type ParameterVersion, type Tier } from './state.ts';
import type { JsonService } from '../edge.ts';
import { unknownOperationError } from '../unknown-operation.ts';
import { pageOf, str, bool, int, strList, obj } from './input.ts';
import { legacyFilters, parameterFilters } from './filters.ts';

type Input = Record<string, unknown>;
type Op = (store: SsmStore, input: Input) => unknown;

const TYPES: ParameterType[] = ['String', 'StringList', 'SecureString'];
const TIERS: Tier[] = ['Standard', 'Advanced', 'Intelligent-Tiering'];

/** Parameter as GetParameter* return it; SecureStrings stay ciphertext unless decryption was asked for. */
function render(store: SsmStore, p: ParameterVersion, decrypt: boolean, selector?: string) {
  return {
    Name: p.name,
    Type: p.type,
    Value: p.type === 'SecureString' && !decrypt ? ciphertextOf(p) : p.value,
    Version: p.version,
    ...(selector ? { Selector: selector } : {}),
    // JSON 1.1 timestamps are epoch seconds (AWS JSON protocol).
    LastModifiedDate: p.lastModified / 1000,
    ARN: store.arn(p.name),
    DataType: p.dataType,
  };
}

/** ParameterMetadata as DescribeParameters returns it (no value). */
function metadata(store: SsmStore, p: ParameterVersion) {
  return {
    Name: p.name,
    ARN: store.arn(p.name),
    Type: p.type,
    ...(p.keyId ? { KeyId: p.keyId } : {}),
    LastModifiedDate: p.lastModified / 1000,
    LastModifiedUser: `arn:aws:iam::${ACCOUNT_ID}:root`,
    ...(p.description ? { Description: p.description } : {}),
    Version: p.version,
    Tier: p.tier,
    Policies: [],
    DataType: p.dataType,
  };
}

const ops: Record<string, Op> = {
  GetParameter(store, i) {
    const { param, selector } = store.get(str(i, 'Name', true)!);
    return { Parameter: render(store, param, bool(i, 'WithDecryption'), selector) };
  },

  GetParameters(store, i) {
    const names = strList(i, 'Names', 1, 10);
    const decrypt = bool(i, 'WithDecryption');
    const Parameters: unknown[] = [];
    const InvalidParameters: string[] = [];
    for (const n of new Set(names)) {
      try {
        const { param, selector } = store.get(n);
        Parameters.push(render(store, param, decrypt, selector));
      } catch (e) {
        if (!(e instanceof SsmError) || e.type === 'ValidationException') throw e;
        InvalidParameters.push(n);
      }
    }
    return { Parameters, InvalidParameters };
  },

  GetParametersByPath(store, i) {
    const all = store.byPath(str(i, 'Path', true)!, bool(i, 'Recursive'));
    const filtered = all.filter(parameterFilters(i));
    const { items, next } = pageOf(filtered, i, 10);
    const decrypt = bool(i, 'WithDecryption');
    return { Parameters: items.map((p) => render(store, p, decrypt)), ...(next ? { NextToken: next } : {}) };
  },

  PutParameter(store, i) {
    const tags = i.Tags === undefined || i.Tags === null ? undefined : tagList(i, 'Tags');
    if (tags && bool(i, 'Overwrite')) {
      // PutParameter API reference, Tags: "You can't add tags to an existing parameter" through PutParameter.
      throw new SsmError('ValidationException', "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
    }
    const type = str(i, 'Type') as ParameterType | undefined;
    if (type !== undefined && !TYPES.includes(type)) throw enumError('type', type, TYPES);
    const tier = str(i, 'Tier') as Tier | undefined;
    if (tier !== undefined && !TIERS.includes(tier)) throw enumError('tier', tier, TIERS);
    const r = store.put({
      name: str(i, 'Name', true)!,
      value: str(i, 'Value', true)!,
      type,
      tier,
      overwrite: bool(i, 'Overwrite'),
      keyId: str(i, 'KeyId'),
      description: str(i, 'Description'),
      dataType: str(i, 'DataType'),
    });
    if (tags) store.addTags(str(i, 'Name')!, tags);
    return { Version: r.version, Tier: r.tier };
  },

  DeleteParameter(store, i) {
    store.delete(str(i, 'Name', true)!);
    return {};
  },

  DeleteParameters(store, i) {
    const DeletedParameters: string[] = [];
    const InvalidParameters: string[] = [];
    for (const n of strList(i, 'Names', 1, 10)) {
      if (store.has(n)) {
        store.delete(n);
        DeletedParameters.push(n);
      } else InvalidParameters.push(n);
    }
    return { DeletedParameters, InvalidParameters };
  },

  GetParameterHistory(store, i) {
    const decrypt = bool(i, 'WithDecryption');
    const { items, next } = pageOf(store.history(str(i, 'Name', true)!), i, 50);
    return {
      // ParameterHistory: the metadata without ARN, plus the value and the version's labels.
      Parameters: items.map((p) => {
        const { ARN: _arn, ...meta } = metadata(store, p);
        return { ...meta, Value: render(store, p, decrypt).Value, Labels: [...p.labels] };
      }),
      ...(next ? { NextToken: next } : {}),
    };
  },

  LabelParameterVersion(store, i) {
    const r = store.label(str(i, 'Name', true)!, strList(i, 'Labels', 1, 10), int(i, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER));
    return { InvalidLabels: r.invalid, ParameterVersion: r.version };
  },

  UnlabelParameterVersion(store, i) {
    const version = int(i, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER);
    if (version === undefined) throw new SsmError('ValidationException', "1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null");
    const r = store.unlabel(str(i, 'Name', true)!, version, strList(i, 'Labels', 1, 10));
    return { RemovedLabels: r.removed, InvalidLabels: r.invalid };
  },

  AddTagsToResource(store, i) {
    store.addTags(resourceId(i), tagList(i, 'Tags'));
    return {};
  },

  RemoveTagsFromResource(store, i) {
    store.removeTags(resourceId(i), strList(i, 'TagKeys', 0, 50));
    return {};
  },

  ListTagsForResource(store, i) {
    return { TagList: store.listTags(resourceId(i)) };
  },

  DescribeParameters(store, i) {
    const filtered = store.latest().filter(legacyFilters(i)).filter(parameterFilters(i));
    const { items, next } = pageOf(filtered, i, 50);
    return { Parameters: items.map((p) => metadata(store, p)), ...(next ? { NextToken: next } : {}) };
  },
};

/** The tagging operations serve `ResourceType: Parameter` only; the other resource types belong to SSM features not served. */
function resourceId(i: Input): string {
  const type = str(i, 'ResourceType', true)!;
  if (type !== 'Parameter') throw new SsmError('InvalidResourceType', 'The resource type is not valid. For example, if you are attempting to tag an EC2 instance, the instance must be a registered managed node.');
  return str(i, 'ResourceId', true)!;
}

function tagList(i: Input, key: string): { Key: string; Value: string }[] {
  const v = i[key];
  if (!Array.isArray(v)) throw new SsmError('SerializationException', `Expected a list for ${key}`);
  return v.map((t) => {
    const o = obj(t, key);
    return { Key: str(o, 'Key', true)!, Value: str(o, 'Value', true)! };
  });
}

function enumError(member: string, value: string, allowed: string[]): SsmError {
  // Shape of AWS's modelled-enum validation message.
  return new SsmError('ValidationException', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
}

/** The operations this fake serves; every other SSM operation is an unknown operation. */
export const SERVED_OPERATIONS = Object.keys(ops);

export interface SsmService extends JsonService {
  store: SsmStore;
}

export function createSsm(opts: { region: string; now?: () => number }): SsmService {
  const store = new SsmStore(opts.region, opts.now);
  return {
    name: 'ssm',
    store,
    targetPrefix: 'AmazonSSM.',
    operations: SERVED_OPERATIONS,
    contentType: 'application/x-amz-json-1.1',
    call(op, input) {
      const fn = Object.hasOwn(ops, op) ? ops[op] : undefined;
      if (!fn) throw unknownOperationError();
      return fn(store, input);
    },
    error: (type, status, message) => ({ type, status, message }),
    redact: (input) => ('Value' in input ? { ...input, Value: '***' } : input),
    snapshot: () => ({ parameters: store.snapshot() }),
    reset: () => store.reset(),
  };
}
