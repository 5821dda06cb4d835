/**
 * Readers for SQS's JSON input: each checks one member and answers in SQS's error shape when it is wrong, so
 * operations work on typed values.
 */
import { errors, SqsError } from './errors.ts';

type Input = Record<string, unknown>;

const badType = (key: string, want: string) => new SqsError('InvalidParameterValue', 'InvalidParameterValue', `Value for parameter ${key} is invalid. Reason: expected ${want}.`);

function str(i: Input, key: string, required = false): string | undefined {
  const v = i[key];
  if (v === undefined || v === null) {
    // Missing required members: "The request must contain the parameter X." (SQS common errors, MissingParameter).
    if (required) throw errors.missingParameter(`The request must contain the parameter ${key}.`);
    return undefined;
  }
  if (typeof v !== 'string') throw badType(key, 'a string');
  return v;
}

function int(i: Input, key: string, min: number, max: number, required = false, outOfRange?: (v: number) => SqsError): number | undefined {
  const v = i[key];
  if (v === undefined || v === null) {
    if (required) throw errors.missingParameter(`The request must contain the parameter ${key}.`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badType(key, 'an integer');
  if (v < min || v > max) throw outOfRange?.(v) ?? errors.invalidParameter(`Value ${v} for parameter ${key} is invalid. Reason: Must be between ${min} and ${max}.`);
  return v;
}

function strList(i: Input, key: string): string[] {
  const v = i[key] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badType(key, 'a list of strings');
  return v as string[];
}

function obj(v: unknown, key: string): Input {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badType(key, 'a map');
  return v as Input;
}

function strMap(i: Input, key: string): Record<string, string> {
  const v = i[key];
  if (v === undefined || v === null) return {};
  const o = obj(v, key);
  for (const [k, x] of Object.entries(o)) if (typeof x !== 'string') throw badType(`${key}.${k}`, 'a string');
  return o as Record<string, string>;
}

function list(i: Input, key: string): Input[] {
  const v = i[key];
  if (v === undefined || v === null) throw errors.missingParameter(`The request must contain the parameter ${key}.`);
  if (!Array.isArray(v)) throw badType(key, 'a list');
  return v.map((e, n) => obj(e, `${key}.${n + 1}`));
}

export const readers = { str, int, strList, strMap, list, obj };
