/**
 * Audience filters as the App API takes them (exports' `filters`, a broadcast's `recipients`): `and`/`or` lists,
 * `not`, `segment: {id}` and `attribute: {field, operator: eq|exists, value}` (App API "Export customer data",
 * filters). `parseFilter` checks the shape once at the edge; `matches` evaluates it against a person. Segments are
 * the workspace's manual segments from the seed; identifiers and `created_at` count as attributes.
 */
import { badRequest } from './errors.ts';
import type { Person, Segment } from './types.ts';
import { isObject } from './validate-track.ts';

export type AudienceFilter =
  | { and: AudienceFilter[] }
  | { or: AudienceFilter[] }
  | { not: AudienceFilter }
  | { segment: { id: number } }
  | { attribute: { field: string; operator: 'eq' | 'exists'; value?: string } };

const KINDS = ['and', 'or', 'not', 'segment', 'attribute'] as const;

export function parseFilter(v: unknown, path = 'filters'): AudienceFilter {
  if (!isObject(v)) throw badRequest(`${path} must be an object`);
  const keys = Object.keys(v);
  if (keys.length !== 1 || !KINDS.includes(keys[0] as (typeof KINDS)[number])) throw badRequest(`${path} must have exactly one of ${KINDS.join(', ')}`);
  const kind = keys[0] as (typeof KINDS)[number];
  const inner = v[kind];
  switch (kind) {
    case 'and':
    case 'or': {
      if (!Array.isArray(inner) || inner.length === 0) throw badRequest(`${path}.${kind} must be a non-empty array`);
      const list = inner.map((f, i) => parseFilter(f, `${path}.${kind}[${i}]`));
      return kind === 'and' ? { and: list } : { or: list };
    }
    case 'not':
      return { not: parseFilter(inner, `${path}.not`) };
    case 'segment': {
      const id = isObject(inner) ? inner.id : undefined;
      if (!Number.isInteger(id)) throw badRequest(`${path}.segment.id must be an integer`);
      return { segment: { id: id as number } };
    }
    case 'attribute': {
      if (!isObject(inner) || typeof inner.field !== 'string' || !inner.field) throw badRequest(`${path}.attribute.field is required`);
      if (inner.operator !== 'eq' && inner.operator !== 'exists') throw badRequest(`${path}.attribute.operator must be eq or exists`);
      // "You must include a value if you use the eq operator."
      if (inner.operator === 'eq' && (inner.value === undefined || inner.value === null)) throw badRequest(`${path}.attribute.value is required with the eq operator`);
      return { attribute: { field: inner.field, operator: inner.operator, value: inner.value === undefined ? undefined : String(inner.value) } };
    }
  }
}

/** The segment ids a filter names, so a caller can refuse unknown ones before evaluating. */
export function segmentIds(f: AudienceFilter): number[] {
  if ('and' in f) return f.and.flatMap(segmentIds);
  if ('or' in f) return f.or.flatMap(segmentIds);
  if ('not' in f) return segmentIds(f.not);
  return 'segment' in f ? [f.segment.id] : [];
}

function attributeOf(p: Person, field: string): unknown {
  if (field === 'id') return p.id;
  if (field === 'email') return p.email;
  if (field === 'cio_id') return p.cioId;
  if (field === 'created_at') return p.createdAt;
  return p.attributes[field];
}

export function matches(p: Person, f: AudienceFilter, segments: Segment[]): boolean {
  if ('and' in f) return f.and.every((x) => matches(p, x, segments));
  if ('or' in f) return f.or.some((x) => matches(p, x, segments));
  if ('not' in f) return !matches(p, f.not, segments);
  if ('segment' in f) {
    const members = segments.find((s) => s.id === f.segment.id)?.members ?? [];
    return members.some((m) => m === p.id || m === p.email || m === `cio_${p.cioId}`);
  }
  const value = attributeOf(p, f.attribute.field);
  const present = value !== undefined && value !== null && value !== '';
  if (f.attribute.operator === 'exists') return present;
  return present && (typeof value === 'string' ? value : JSON.stringify(value)) === f.attribute.value;
}
