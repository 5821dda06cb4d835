/**
 * SSM wire layer (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Op>`): one function per operation, in a table.
 * Each parses its input once, calls the store, and renders AWS's output shape. Field names follow the SSM API
 * reference (GetParameter, GetParametersByPath, PutParameter, DescribeParameters …).
 */
import { ACCOUNT_ID, SsmError, SsmStore, ciphertextOf, type ParameterType, type ParameterVersion, type Tier } from './state.ts';
import type { JsonService } from '../edge.ts';
import { pageOf, str, bool, int, strList, obj } from './input.ts';

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

  DescribeParameters(store, i) {
    const filtered = store.latest().filter(legacyFilters(i)).filter(parameterFilters(i));
    const { items, next } = pageOf(filtered, i, 50);
    return { Parameters: items.map((p) => metadata(store, p)), ...(next ? { NextToken: next } : {}) };
  },
};

/** `ParameterFilters` (Key, Option, Values): Name/Type/KeyId/Tier/DataType/Path with Equals, BeginsWith, Recursive, OneLevel. */
function parameterFilters(i: Input): (p: ParameterVersion) => boolean {
  const filters = (Array.isArray(i.ParameterFilters) ? i.ParameterFilters : []).map((f) => {
    const o = obj(f, 'ParameterFilters');
    return { key: str(o, 'Key', true)!, option: str(o, 'Option') ?? 'Equals', values: strList(o, 'Values', 0, 50) };
  });
  const field = (p: ParameterVersion, key: string): string | undefined =>
    ({ Name: p.name, Type: p.type, KeyId: p.keyId, Tier: p.tier, DataType: p.dataType })[key];
  return (p) =>
    filters.every(({ key, option, values }) => {
      if (key === 'Path') {
        return values.some((v) => {
          const prefix = v.endsWith('/') ? v : `${v}/`;
          return p.name.startsWith(prefix) && (option === 'Recursive' || !p.name.slice(prefix.length).includes('/'));
        });
      }
      const actual = field(p, key);
      if (actual === undefined) return false;
      return values.some((v) => (option === 'BeginsWith' ? actual.startsWith(v) : actual === v));
    });
}

/** The older `Filters` (Key: Name | Type | KeyId, Values) of DescribeParameters: Name matches by prefix. */
function legacyFilters(i: Input): (p: ParameterVersion) => boolean {
  const filters = (Array.isArray(i.Filters) ? i.Filters : []).map((f) => {
    const o = obj(f, 'Filters');
    return { key: str(o, 'Key', true)!, values: strList(o, 'Values', 1, 50) };
  });
  return (p) =>
    filters.every(({ key, values }) =>
      values.some((v) => (key === 'Name' ? p.name.startsWith(v) : key === 'Type' ? p.type === v : key === 'KeyId' ? p.keyId === v : false)),
    );
}

function enumError(member: string, value: string, allowed: string[]): SsmError {
  // Shape of AWS's modelled-enum validation message.
  return new SsmError('ValidationException', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
}

export interface SsmService extends JsonService {
  store: SsmStore;
}

export function createSsm(opts: { region: string; now?: () => number }): SsmService {
  const store = new SsmStore(opts.region, opts.now);
  return {
    name: 'ssm',
    store,
    targetPrefix: 'AmazonSSM.',
    contentType: 'application/x-amz-json-1.1',
    call(op, input) {
      const fn = ops[op];
      // Unknown targets get coral's UnknownOperationException, as every JSON service does.
      if (!fn) throw new SsmError('UnknownOperationException', `Unknown operation ${op}`);
      return fn(store, input);
    },
    error: (type, status, message) => ({ type, status, message }),
    redact: (input) => ('Value' in input ? { ...input, Value: '***' } : input),
    snapshot: () => ({ parameters: store.snapshot() }),
    reset: () => store.reset(),
  };
}
