/**
 * Validation at the edge: parse untrusted JSON once against a JSON Schema (ajv), and answer 400 naming every
 * bad field. Handlers receive typed values after this and trust them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { badRequest } from './errors.ts';

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export const ajv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false }));

const cache = new WeakMap<object, ValidateFunction>();

export function validateBody<T>(schema: object, value: unknown, what = 'request body'): T {
  if (value === undefined) throw badRequest('body_required', `${what} is required`);
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  if (fn(value)) return value as T;
  const problems = (fn.errors ?? []).map(describe);
  throw badRequest('validation_failed', `${what} is invalid: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, { problems });
}

function describe(e: ErrorObject): { field: string; problem: string } {
  const base = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(root)';
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { field: base === '(root)' ? missing : `${base}.${missing}`, problem: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { field: base === '(root)' ? extra : `${base}.${extra}`, problem: 'is not allowed' };
  }
  return { field: base, problem: e.message ?? 'is invalid' };
}

/**
 * Seconds since 1970 that a store can hold and a Date can show: 0 up to the end of year 9999. A JSON number a
 * sender calls a timestamp may be 2^53 or 1e300; the DynamoDB marshaller refuses anything past
 * Number.MAX_SAFE_INTEGER, which made such an event a storage failure (503) that every retry would repeat.
 */
export const MAX_EPOCH_SECONDS = 253_402_300_799;
export const isEpochSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_EPOCH_SECONDS;
