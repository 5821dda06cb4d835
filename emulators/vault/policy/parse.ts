/**
 * Policy text (HCL or JSON) → path rules, with Vault's checks and wording (vault/policy.go ParseACLPolicy):
 * only `name` and `path` at the top, only the documented keys inside a path, capabilities from the known set,
 * the old `policy = "read"` shorthand mapped to capabilities, `deny` alone when present, a leading "/" stripped,
 * `+*` refused, and a trailing `*` turning the rule into a prefix (unless the path also has `+` segments).
 * Parameter rules and wrapping TTL bounds are parsed in permissions.ts.
 */
import { parseHcl, HclError, type HclItem, type HclValue } from './hcl.ts';
import { multiError } from '../errors.ts';
import { VAULT_JSON_LIMITS } from '../journal-body.ts';
import { parseJsonWithin } from '../../../proxy/core/json-limits.ts';
import { parsePermissions, type Permissions } from './permissions.ts';

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';

export const CAPABILITIES: readonly Capability[] = ['deny', 'create', 'read', 'update', 'delete', 'list', 'sudo', 'patch'];

export interface PathRule {
  /** The pattern without its trailing `*` when it is a plain prefix rule. */
  path: string;
  isPrefix: boolean;
  hasSegmentWildcards: boolean;
  capabilities: Set<Capability>;
  /** The capabilities plus parameter rules and wrapping TTL bounds. */
  permissions: Permissions;
  /** Uses identity templating ({{identity.entity.id}}); the fake has no identity store, so it never matches. */
  templated: boolean;
}

export interface ParsedPolicy {
  name: string;
  raw: string;
  rules: PathRule[];
}

export class PolicyParseError extends Error {}

// vault/policy.go: the old single-word policies and what they grant.
const OLD_POLICIES: Record<string, Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};
const PATH_KEYS = ['comment', 'policy', 'capabilities', 'allowed_parameters', 'denied_parameters', 'required_parameters', 'min_wrapping_ttl', 'max_wrapping_ttl', 'mfa_methods', 'control_group'];

export function parsePolicy(name: string, raw: string): ParsedPolicy {
  let items: HclItem[];
  try {
    items = raw.trimStart().startsWith('{') ? fromJson(raw) : parseHcl(raw);
  } catch (e) {
    if (e instanceof HclError || e instanceof SyntaxError) throw new PolicyParseError(`failed to parse policy: ${e.message}`);
    throw e;
  }
  const bad = invalidKeys(items, ['name', 'path']);
  if (bad.length) throw new PolicyParseError(`failed to parse policy: ${multiError(bad)}`);
  const rules: PathRule[] = [];
  for (const item of items.filter((it) => it.keys[0] === 'path')) {
    try {
      rules.push(...pathRules(item));
    } catch (e) {
      throw new PolicyParseError(`failed to parse policy: ${(e as Error).message}`);
    }
  }
  return { name, raw, rules };
}

/** `path "x" { … }` (or `path = { "x" = { … } }`) → its rules. */
function pathRules(item: HclItem): PathRule[] {
  if (item.keys.length > 1) return [rule(item.keys[1], item)];
  if (!item.isObject) throw new Error(`path: expected an object`);
  return (item.value as HclItem[]).map((inner) => rule(inner.keys[0], inner));
}

function rule(key: string, item: HclItem): PathRule {
  if (!item.isObject) throw new Error(`path ${JSON.stringify(key)}: expected an object`);
  const body = item.value as HclItem[];
  const bad = invalidKeys(body, PATH_KEYS);
  if (bad.length) throw new Error(`path ${JSON.stringify(key)}: ${multiError(bad)}`);
  let path = key.startsWith('/') ? key.slice(1) : key;
  if (path.includes('+*')) throw new Error(`path ${JSON.stringify(path)}: invalid use of wildcards ('+*' is forbidden)`);
  const hasSegmentWildcards = path === '+' || path.includes('/+') || path.startsWith('+/');
  let isPrefix = false;
  if (path.endsWith('*') && !hasSegmentWildcards) {
    path = path.slice(0, -1);
    isPrefix = true;
  }
  const caps: string[] = [];
  const policy = attr(body, 'policy');
  if (policy !== undefined) {
    const mapped = OLD_POLICIES[String(policy)];
    if (!mapped) throw new Error(`path ${JSON.stringify(key)}: invalid policy ${JSON.stringify(String(policy))}`);
    caps.push(...mapped);
  }
  const declared = attr(body, 'capabilities');
  if (declared !== undefined) caps.push(...(Array.isArray(declared) ? declared.map(String) : [String(declared)]));
  const capabilities = new Set<Capability>();
  for (const c of caps) {
    if (c === 'deny') {
      capabilities.clear();
      capabilities.add('deny');
      break;
    }
    if (!CAPABILITIES.includes(c as Capability)) throw new Error(`path ${JSON.stringify(key)}: invalid capability ${JSON.stringify(c)}`);
    capabilities.add(c as Capability);
  }
  // A deny keeps nothing else (policy.go goto PathFinished).
  const permissions = capabilities.has('deny') ? { caps: capabilities, required: [], minWrap: 0, maxWrap: 0 } : parsePermissions(body, capabilities, key);
  return { path, isPrefix, hasSegmentWildcards, capabilities, permissions, templated: /\{\{.*\}\}/.test(path) };
}

function attr(body: HclItem[], name: string): HclValue | undefined {
  const found = body.filter((it) => it.keys[0] === name);
  return found.length ? found[found.length - 1].value : undefined;
}

// sdk/helper/hclutil CheckHCLKeys: one error per unknown key, with the line it is on.
function invalidKeys(items: HclItem[], valid: string[]): string[] {
  return items.filter((it) => !valid.includes(it.keys[0])).map((it) => `invalid key ${JSON.stringify(it.keys[0])} on line ${it.line}`);
}

/** HCL 1 also reads JSON: {"path": {"x": {"capabilities": [...]}}}, or a list of such objects. */
function fromJson(raw: string): HclItem[] {
  // Depth-limited like every body the fake parses: toItems walks the document recursively.
  const parsed = parseJsonWithin(raw, VAULT_JSON_LIMITS);
  if (!parsed.ok) throw new HclError(`At 1:1: ${parsed.message}`);
  const doc = parsed.value;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new HclError('At 1:1: root must be an object');
  return toItems(doc as Record<string, unknown>);
}

function toItems(obj: Record<string, unknown>): HclItem[] {
  const out: HclItem[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const list = Array.isArray(v) && v.every((x) => x && typeof x === 'object' && !Array.isArray(x)) && v.length > 0 ? v : [v];
    for (const x of list) out.push({ keys: [k], ...jsonValue(x), line: 1 });
  }
  return out;
}

function jsonValue(v: unknown): { value: HclValue; isObject: boolean } {
  if (v && typeof v === 'object' && !Array.isArray(v)) return { value: toItems(v as Record<string, unknown>), isObject: true };
  if (Array.isArray(v)) return { value: v.map((x) => jsonValue(x).value), isObject: false };
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { value: v, isObject: false };
  return { value: '', isObject: false };
}
