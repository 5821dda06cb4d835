/**
 * Readers for SSM's JSON input: each checks one member's type and answers AWS's ValidationException shape
 * ("1 validation error detected: …") when it is wrong, so operations work on typed values.
 */
import { SsmError } from './state.ts';

type Input = Record<string, unknown>;

const invalid = (member: string, constraint: string) =>
  new SsmError('ValidationException', `1 validation error detected: Value at '${lowerFirst(member)}' failed to satisfy constraint: ${constraint}`);

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export function str(i: Input, key: string, required = false): string | undefined {
  const v = i[key];
  if (v === undefined || v === null) {
    if (required) throw invalid(key, 'Member must not be null');
    return undefined;
  }
  if (typeof v !== 'string') throw new SsmError('SerializationException', `Expected a string for ${key}`);
  if (required && v.length === 0) throw invalid(key, 'Member must have length greater than or equal to 1');
  return v;
}

export function bool(i: Input, key: string): boolean {
  const v = i[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new SsmError('SerializationException', `Expected a boolean for ${key}`);
  return v;
}

export function int(i: Input, key: string, min: number, max: number): number | undefined {
  const v = i[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SsmError('SerializationException', `Expected an integer for ${key}`);
  if (v < min) throw invalid(key, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw invalid(key, `Member must have value less than or equal to ${max}`);
  return v;
}

export function strList(i: Input, key: string, min: number, max: number): string[] {
  const v = i[key] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SsmError('SerializationException', `Expected a list of strings for ${key}`);
  if (v.length < min) throw invalid(key, `Member must have length greater than or equal to ${min}`);
  if (v.length > max) throw invalid(key, `Member must have length less than or equal to ${max}`);
  return v as string[];
}

export function obj(v: unknown, key: string): Input {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SsmError('SerializationException', `Expected an object in ${key}`);
  return v as Input;
}

/** One page of `items` from `NextToken` (an opaque offset) and `MaxResults` (1..max, default max). */
export function pageOf<T>(items: T[], i: Input, max: number): { items: T[]; next?: string } {
  const size = int(i, 'MaxResults', 1, max) ?? max;
  const token = str(i, 'NextToken');
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(start) || start < 0) throw new SsmError('InvalidNextToken', 'The specified token isn\'t valid.');
  }
  const end = start + size;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(`o:${end}`).toString('base64url') : undefined };
}
