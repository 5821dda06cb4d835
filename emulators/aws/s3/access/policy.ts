/**
 * Bucket policies: the JSON document PutBucketPolicy stores, checked as S3 checks it (every fault 400
 * MalformedPolicy) and evaluated for a request (explicit Deny wins, then Allow, else nothing). Grammar from the IAM
 * policy reference (reference_policies_grammar.html); S3's messages as observed: "Policies must be valid JSON and the
 * first byte must be '{'" and "Missing required field Statement" (LocalStack's recordings against S3), "Policy has
 * invalid resource", "Invalid principal in policy", "Policy has invalid action", "Action does not apply to any
 * resource(s) in statement", "Policy has an invalid condition key" (issue captures; versitygw and Scality arsenal
 * reproduce the same texts), and the 20 KB limit (add-bucket-policy.html).
 *
 * Principals here are accounts (by 12-digit id, `arn:aws:iam::<id>:root` or canonical user id) and everyone (`*`):
 * this edge has no IAM users, roles or federation, so a policy naming one is refused as S3 refuses a principal that
 * does not exist. Service principals are accepted and match no request (no AWS service calls this edge).
 */
import { parseJsonObjectWithin } from '../../../../proxy/core/json-limits.ts';
import { memo } from '../../sigv4.ts';
import { ACTIONS } from './actions.ts';
import { parseCondition, conditionHolds, fixesSource, type Condition } from './policy-conditions.ts';
import { glob, expandVariables, malformedPolicy, type Matcher, type RequestValues } from './patterns.ts';
import type { Account, Accounts } from '../accounts.ts';

/** "Bucket policies are limited to 20 KB in size" (add-bucket-policy.html), measured on the compact document. */
export const MAX_POLICY_BYTES = 20480;
const ARN_PREFIX = 'arn:aws:s3:::';

export interface Principals {
  everyone: boolean;
  accounts: Set<string>;
  canonical: Set<string>;
  /** `NotPrincipal`: the statement applies to everyone but these. */
  not: boolean;
}

export interface Statement {
  allow: boolean;
  principals: Principals;
  actions: Matcher[];
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  conditions: Condition[];
}

export interface Policy {
  /** Version 2012-10-17: `${…}` in resources and condition values are policy variables. */
  variables: boolean;
  statements: Statement[];
  /** Public as Block Public Access judges it (access-control-block-public-access.html, "The meaning of public"). */
  public: boolean;
}

const syntax = () => malformedPolicy('Invalid policy syntax.');

/** Parse and check a PutBucketPolicy body for `bucket`. Throws S3's MalformedPolicy (or NotImplemented for what this edge does not evaluate). */
export function parsePolicy(body: Buffer, bucket: string, accounts: Accounts): Policy {
  if (body[0] !== 0x7b) throw malformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  const parsed = parseJsonObjectWithin(body, { maxBytes: 4 * MAX_POLICY_BYTES, maxDepth: 32 });
  if (!parsed.ok) throw parsed.problem === 'invalid' ? malformedPolicy('This policy contains invalid Json') : malformedPolicy(`Normalized policy document exceeds the maximum allowed size of ${MAX_POLICY_BYTES} bytes`);
  const doc = parsed.value;
  if (JSON.stringify(doc).length > MAX_POLICY_BYTES) throw malformedPolicy(`Normalized policy document exceeds the maximum allowed size of ${MAX_POLICY_BYTES} bytes`);
  for (const k of Object.keys(doc)) if (k !== 'Version' && k !== 'Id' && k !== 'Statement') throw syntax();
  const version = doc.Version ?? '2008-10-17';
  if (version !== '2008-10-17' && version !== '2012-10-17') throw malformedPolicy('The policy must contain a valid version string');
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw syntax();
  if (doc.Statement === undefined) throw malformedPolicy('Missing required field Statement');
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (raw.length === 0) throw malformedPolicy('Could not parse the policy: Statement is empty!');
  const statements = raw.map((s) => statement(s, bucket, accounts));
  return { variables: version === '2012-10-17', statements, public: statements.some(isPublicStatement) };
}

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function statement(value: unknown, bucket: string, accounts: Accounts): Statement {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw syntax();
  const s = value as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!STATEMENT_FIELDS.has(k)) throw syntax();
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw syntax();
  if (s.Effect === undefined) throw malformedPolicy('Missing required field Effect');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformedPolicy(`Invalid effect: ${typeof s.Effect === 'string' ? s.Effect : JSON.stringify(s.Effect)}`);
  const allow = s.Effect === 'Allow';
  const pair = (a: string, b: string) => {
    if (s[a] !== undefined && s[b] !== undefined) throw syntax();
    return s[a] !== undefined ? { value: s[a], not: false } : s[b] !== undefined ? { value: s[b], not: true } : undefined;
  };
  const principal = pair('Principal', 'NotPrincipal');
  if (!principal) throw malformedPolicy('Missing required field Principal');
  const principals = { ...parsePrincipals(principal.value, accounts), not: principal.not };
  // "NotPrincipal must be used with Effect Deny" (reference_policies_elements_notprincipal.html).
  if (principal.not && allow) throw malformedPolicy('Invalid principal in policy');
  const action = pair('Action', 'NotAction');
  if (!action) throw malformedPolicy('Missing required field Action');
  const actions = strings(action.value).map(actionPattern);
  const resource = pair('Resource', 'NotResource');
  if (!resource) throw malformedPolicy('Missing required field Resource');
  const resources = strings(resource.value);
  if (resources.length === 0) throw malformedPolicy('Policy has invalid resource');
  for (const r of resources) checkResource(r, bucket);
  if (!action.not && !resource.not) checkApplies(actions, resources);
  const conditions = s.Condition === undefined ? [] : conditionsOf(s.Condition);
  return { allow, principals, actions, notAction: action.not, resources, notResource: resource.not, conditions };
}

/** An element that takes a list takes one value without brackets too. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw syntax();
}

function parsePrincipals(v: unknown, accounts: Accounts): Omit<Principals, 'not'> {
  const p = { everyone: false, accounts: new Set<string>(), canonical: new Set<string>() };
  if (v === '*') return { ...p, everyone: true };
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) throw malformedPolicy('Invalid principal in policy');
  for (const [type, raw] of Object.entries(v as Record<string, unknown>)) {
    let list: string[];
    try {
      list = strings(raw);
    } catch {
      throw malformedPolicy('Invalid principal in policy');
    }
    if (list.length === 0 || list.some((x) => x === '')) throw malformedPolicy('Invalid principal in policy');
    if (type === 'AWS') {
      for (const name of list) {
        if (name === '*') p.everyone = true;
        else p.accounts.add(accountOf(name));
      }
    } else if (type === 'CanonicalUser') {
      for (const id of list) {
        if (!accounts.byCanonicalId(id)) throw malformedPolicy('Invalid principal in policy');
        p.canonical.add(id);
      }
    } else if (type === 'Service' || type === 'Federated') {
      // Valid principals that never sign a request to this edge: accepted, and they match nothing.
      if (list.includes('*')) throw malformedPolicy('Invalid principal in policy');
    } else throw malformedPolicy('Invalid principal in policy');
  }
  return p;
}

/** "The account ARN and the shortened account ID behave the same way" (s3-bucket-user-policy-specifying-principal-intro.html). */
function accountOf(name: string): string {
  const m = /^(?:arn:aws:iam::(\d{12}):root|(\d{12}))$/.exec(name);
  if (!m) throw malformedPolicy('Invalid principal in policy');
  return m[1] ?? m[2];
}

/** Action patterns compare without regard to case and may hold `*` and `?` (reference_policies_elements_action.html). */
function actionPattern(raw: string): Matcher {
  const lower = raw === '*' ? 's3:*' : raw.toLowerCase();
  const m = glob(lower);
  if (!lower.startsWith('s3:') || ![...ACTIONS.keys()].some((a) => m.test(a))) throw malformedPolicy('Policy has invalid action');
  return m;
}

/** A resource is an S3 ARN whose bucket part can be this policy's bucket; `*` and other buckets are refused. */
function checkResource(r: string, bucket: string): void {
  if (!r.startsWith(ARN_PREFIX) || r.length === ARN_PREFIX.length) throw malformedPolicy('Policy has invalid resource');
  const rest = r.slice(ARN_PREFIX.length);
  const slash = rest.indexOf('/');
  const named = slash < 0 ? rest : rest.slice(0, slash);
  if (!named.includes('${') && !glob(named).test(bucket)) throw malformedPolicy('Policy has invalid resource');
}

/** Every action must act on a kind of resource (bucket: no `/`; object: a `/` or a wildcard) the statement names. */
function checkApplies(actions: Matcher[], resources: string[]): void {
  const reaches = (kind: 'bucket' | 'object') => resources.some((r) => {
    const rest = r.slice(ARN_PREFIX.length);
    return kind === 'bucket' ? !rest.includes('/') : rest.includes('/') || rest.includes('*');
  });
  const kinds = new Set((['bucket', 'object'] as const).filter(reaches));
  for (const a of actions) {
    if (![...ACTIONS].some(([name, kind]) => kind !== 'account' && kinds.has(kind) && a.test(name))) {
      throw malformedPolicy('Action does not apply to any resource(s) in statement');
    }
  }
}

function conditionsOf(v: unknown): Condition[] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw syntax();
  const out: Condition[] = [];
  for (const [operator, keys] of Object.entries(v as Record<string, unknown>)) {
    if (!keys || typeof keys !== 'object' || Array.isArray(keys)) throw syntax();
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) out.push(parseCondition(operator, key, values));
  }
  return out;
}

/** An Allow to everyone is public unless a condition pins it to fixed values of a key that confines its callers. */
function isPublicStatement(s: Statement): boolean {
  return s.allow && (s.principals.everyone || s.principals.not) && !s.conditions.some(fixesSource);
}

export type Decision = 'allow' | 'deny' | 'none';

export interface Evaluation {
  account?: Account;
  /** Lower-cased `s3:…`. */
  action: string;
  resource: string;
  values: RequestValues;
}

/** Explicit Deny wins over Allow; no matching statement is no decision (iam-policy evaluation logic). */
export function evaluatePolicy(p: Policy, e: Evaluation): Decision {
  let allowed = false;
  for (const s of p.statements) {
    if (!statementMatches(p, s, e)) continue;
    if (!s.allow) return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'none';
}

function statementMatches(p: Policy, s: Statement, e: Evaluation): boolean {
  if (principalMatches(s.principals, e.account) === s.principals.not) return false;
  if (s.actions.some((a) => a.test(e.action)) === s.notAction) return false;
  if (s.resources.some((r) => resourceMatches(p, r, e)) === s.notResource) return false;
  return s.conditions.every((c) => conditionHolds(c, e.values, p.variables));
}

function principalMatches(p: Principals, account: Account | undefined): boolean {
  if (p.everyone) return true;
  return account !== undefined && (p.accounts.has(account.id) || p.canonical.has(account.canonicalId));
}

const resourceGlobs = memo<Matcher>(1024);

function resourceMatches(p: Policy, pattern: string, e: Evaluation): boolean {
  if (p.variables && pattern.includes('${')) {
    const expanded = expandVariables(pattern, e.values);
    return expanded !== undefined && expanded.test(e.resource);
  }
  return resourceGlobs(pattern, () => glob(pattern)).test(e.resource);
}
