/**
 * Readers for Secrets Manager's JSON 1.1 input: each checks one member's type once, so operations work on typed
 * values. A wrong JSON type is a SerializationException; a modelled constraint is AWS's ValidationException text.
 */
import { SecretsError } from './state.ts';

export type Input = Record<string, unknown>;

export const invalid = (member: string, constraint: string) =>
  new SecretsError('ValidationException', `1 validation error detected: Value at '${member.charAt(0).toLowerCase() + member.slice(1)}' failed to satisfy constraint: ${constraint}`);

export function str(i: Input, key: string, required = false): string | undefined {
  const v = i[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(key, 'Member must not be null');
    return undefined;
  }
  if (typeof v !== 'string') throw new SecretsError('SerializationException', `Expected a string for ${key}`);
  return v;
}

export function num(i: Input, key: string): number | undefined {
  const v = i[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SecretsError('SerializationException', `Expected an integer for ${key}`);
  return v;
}

export function bool(i: Input, key: string): boolean | undefined {
  const v = i[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new SecretsError('SerializationException', `Expected a boolean for ${key}`);
  return v;
}

/** Blobs travel base64-encoded in JSON protocols. */
export function blob(i: Input, key: string): Buffer | undefined {
  const v = str(i, key);
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

export function stringList(i: Input, key: string, opts: { required?: boolean } = {}): string[] | undefined {
  const v = i[key];
  if ((v === undefined || v === null) && !opts.required) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SecretsError('SerializationException', `Expected a list of strings for ${key}`);
  if (v.length < 1) throw invalid(key, 'Member must have length greater than or equal to 1');
  return v as string[];
}

/** `Tags`: a list of `{Key, Value}` strings. */
export function tags(i: Input, key = 'Tags', required = false): { Key: string; Value: string }[] | undefined {
  const v = i[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(key, 'Member must not be null');
    return undefined;
  }
  if (!Array.isArray(v)) throw new SecretsError('SerializationException', `Expected a list for ${key}`);
  return v.map((t) => {
    const o = (t && typeof t === 'object' && !Array.isArray(t) ? t : {}) as Input;
    if (typeof o.Key !== 'string' || (o.Value !== undefined && typeof o.Value !== 'string')) throw new SecretsError('SerializationException', `Expected {Key, Value} strings in ${key}`);
    return { Key: o.Key, Value: (o.Value as string | undefined) ?? '' };
  });
}

/** The value members of CreateSecret, PutSecretValue and UpdateSecret. */
export function value(i: Input): { token?: string; string?: string; binary?: Buffer } {
  const string = str(i, 'SecretString');
  const binary = blob(i, 'SecretBinary');
  // CreateSecret/PutSecretValue API reference: SecretString and SecretBinary are mutually exclusive.
  if (string !== undefined && binary !== undefined) throw new SecretsError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.");
  return { token: str(i, 'ClientRequestToken'), string, binary };
}

/** Opaque page tokens: the offset, base64url. */
export function pageStart(i: Input): number {
  const token = str(i, 'NextToken');
  if (token === undefined) return 0;
  const start = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(start) || start < 0) throw new SecretsError('InvalidNextTokenException', 'The NextToken value is invalid.');
  return start;
}

export const nextToken = (end: number, total: number): string | undefined => (end < total ? Buffer.from(String(end)).toString('base64url') : undefined);
