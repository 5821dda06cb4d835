/**
 * What one policy path grants beyond capabilities, as vault/policy.go parses it and vault/acl.go applies it:
 * allowed_parameters, denied_parameters and required_parameters (keys lower-cased; an empty value list means any
 * value; string values may be globbed with a leading or trailing `*`), and min/max_wrapping_ttl. Rules for the same
 * pattern merge as acl.go merges them.
 */
import type { Capability } from './parse.ts';
import type { HclItem, HclValue } from './hcl.ts';
import { parseDurationSeconds } from '../duration.ts';

export interface Permissions {
  caps: Set<Capability>;
  allowed?: Map<string, unknown[]>;
  denied?: Map<string, unknown[]>;
  required: string[];
  minWrap: number;
  maxWrap: number;
}

/** The parameter maps and wrapping TTLs of a path body (the capabilities are parsed by the caller). */
export function parsePermissions(body: HclItem[], caps: Set<Capability>, path: string): Permissions {
  const perm: Permissions = { caps, required: [], minWrap: 0, maxWrap: 0 };
  const last = (name: string) => body.filter((it) => it.keys[0] === name).at(-1);
  for (const [name, key] of [['allowed_parameters', 'allowed'], ['denied_parameters', 'denied']] as const) {
    const item = last(name);
    if (!item) continue;
    if (!item.isObject) throw new Error(`path ${JSON.stringify(path)}: ${name}: expected a map`);
    perm[key] = new Map((item.value as HclItem[]).map((p) => [p.keys[0].toLowerCase(), asList(p.value)]));
  }
  const required = last('required_parameters');
  if (required) perm.required = asList(required.value).map(String);
  for (const [name, key] of [['min_wrapping_ttl', 'minWrap'], ['max_wrapping_ttl', 'maxWrap']] as const) {
    const item = last(name);
    if (!item) continue;
    try {
      perm[key] = parseDurationSeconds(item.value);
    } catch (e) {
      throw new Error(`error parsing ${name}: ${(e as Error).message}`);
    }
  }
  if (perm.minWrap && perm.maxWrap && perm.maxWrap < perm.minWrap) throw new Error('max_wrapping_ttl cannot be less than min_wrapping_ttl');
  return perm;
}

const asList = (v: HclValue): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]);

/** acl.go NewACL: deny wipes everything; otherwise capabilities add up, parameter lists merge, wrapping TTLs take the lesser. */
export function mergePermissions(into: Permissions, p: Permissions): void {
  if (into.caps.has('deny')) return;
  if (p.caps.has('deny')) {
    into.caps = new Set(['deny']);
    into.allowed = undefined;
    into.denied = undefined;
    return;
  }
  for (const c of p.caps) into.caps.add(c);
  if (p.maxWrap > 0 && (into.maxWrap === 0 || p.maxWrap < into.maxWrap)) into.maxWrap = p.maxWrap;
  if (p.minWrap > 0 && (into.minWrap === 0 || p.minWrap < into.minWrap)) into.minWrap = p.minWrap;
  for (const key of ['allowed', 'denied'] as const) {
    const incoming = p[key];
    if (!incoming) continue;
    const mine = (into[key] ??= new Map());
    for (const [k, values] of incoming) {
      const have = mine.get(k);
      // An empty list (any value) overrides; otherwise the values are appended.
      mine.set(k, values.length === 0 || (have && have.length === 0) ? [] : [...values, ...(have ?? [])]);
    }
  }
  for (const r of p.required) if (!into.required.includes(r)) into.required.push(r);
}

export const clonePermissions = (p: Permissions): Permissions => ({
  caps: new Set(p.caps), allowed: p.allowed && new Map(p.allowed), denied: p.denied && new Map(p.denied), required: [...p.required], minWrap: p.minWrap, maxWrap: p.maxWrap,
});

/** acl.go AllowOperation, after the capability check: wrapping TTL bounds, then the parameter rules. */
export function requestAllowed(p: Permissions, op: string, data: Record<string, unknown>, wrapTtl: number | undefined): boolean {
  if (p.maxWrap > 0 && (!wrapTtl || wrapTtl > p.maxWrap)) return false;
  if (p.minWrap > 0 && (!wrapTtl || wrapTtl < p.minWrap)) return false;
  if (!['read', 'update', 'create', 'patch'].includes(op)) return true;
  const keys = Object.keys(data);
  for (const r of p.required) if (!keys.some((k) => k === r.toLowerCase())) return false;
  if (keys.length === 0) return true;
  if (p.denied && p.denied.size > 0) {
    if (p.denied.has('*')) return false;
    for (const [k, v] of Object.entries(data)) {
      const list = p.denied.get(k.toLowerCase());
      if (list && valueIn(v, list, 'deny')) return false;
    }
  }
  if (!p.allowed || p.allowed.size === 0) return true;
  const anyAllowed = p.allowed.has('*');
  if (p.allowed.size === 1 && anyAllowed) return true;
  for (const [k, v] of Object.entries(data)) {
    const list = p.allowed.get(k.toLowerCase());
    if (!list && !anyAllowed) return false;
    if (list && !valueIn(v, list, 'allow')) return false;
  }
  return true;
}

/** valueInAllowedParameterList / valueInDeniedParameterList: empty means any; a list or comma string checks each element. */
function valueIn(v: unknown, list: unknown[], mode: 'allow' | 'deny'): boolean {
  if (list.length === 0 || matchesAny(v, list)) return true;
  const parts = Array.isArray(v) ? v : typeof v === 'string' && v.includes(',') ? v.split(',').map((s) => s.trim()) : undefined;
  if (!parts) return false;
  return mode === 'allow' ? parts.every((x) => matchesAny(x, list)) : parts.some((x) => matchesAny(x, list));
}

function matchesAny(v: unknown, list: unknown[]): boolean {
  return list.some((el) => {
    if (el === null || v === null || v === undefined) return el === v;
    if (typeof el === 'string' && typeof v === 'string') return globbedMatch(el, v);
    return JSON.stringify(el) === JSON.stringify(v) || (typeof el !== 'object' && typeof v !== 'object' && String(el) === String(v));
  });
}

/** strutil.GlobbedStringsMatch: a leading and/or trailing `*`. */
function globbedMatch(pattern: string, value: string): boolean {
  const start = pattern.startsWith('*');
  const end = pattern.length > 1 && pattern.endsWith('*');
  const core = pattern.slice(start ? 1 : 0, end ? -1 : undefined);
  if (pattern === '*') return true;
  if (start && end) return value.includes(core);
  if (start) return value.endsWith(core);
  if (end) return value.startsWith(core);
  return value === pattern;
}
