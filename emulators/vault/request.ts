/**
 * Parse an HTTP request into what Vault's logical layer sees: an operation, an API path, the request data and the
 * caller's token. Done once at the edge (http/logical.go buildLogicalRequestNoAuth); handlers work on these values.
 */
import { VaultError, badRequest } from './errors.ts';
import { parseDurationSeconds } from './duration.ts';
import { VAULT_JSON_LIMITS } from './journal-body.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';

/** Logical operations before the existence check splits a write into create or update. */
export type Operation = 'read' | 'list' | 'update' | 'delete' | 'patch' | 'help';

export interface VaultRequest {
  op: Operation;
  /** API path without "/v1/", URL-decoded; a list path always ends with "/" as Vault normalizes it. */
  path: string;
  query: URLSearchParams;
  /** The JSON body for writes; the query parameters for reads, lists and deletes (http/logical.go parseQuery). */
  data: Record<string, unknown>;
  tokenId: string | undefined;
  /** X-Vault-Wrap-TTL in seconds, when the client asked for a wrapped response. */
  wrapTtl?: number;
  remoteAddress: string;
}

// http/logical.go: GET is read (list with ?list=true, help with ?help=1), POST and PUT are update, LIST is list.
const OPERATIONS: Record<string, Operation> = { GET: 'read', HEAD: 'read', LIST: 'list', POST: 'update', PUT: 'update', DELETE: 'delete', PATCH: 'patch' };

export function parseVaultRequest(method: string, url: string, headers: Record<string, string | string[] | undefined>, raw: Buffer, remoteAddress = '127.0.0.1'): VaultRequest {
  const parsed = new URL(url, 'http://vault.local');
  let op = OPERATIONS[method];
  // http/logical.go: any other method is refused before routing with 405 and no error text.
  if (!op) throw new VaultError(405, []);
  if (op === 'read' && parsed.searchParams.get('help') === '1') op = 'help';
  else if (op === 'read' && parseBool(parsed.searchParams.get('list'))) op = 'list';
  let path = decodePath(parsed.pathname.replace(/^\/v1\/?/, ''));
  if (op === 'list' && !path.endsWith('/')) path += '/';
  if (op === 'patch') checkMergePatch(headers['content-type']);
  const data = op === 'update' || op === 'patch' ? parseBody(raw) : queryData(parsed.searchParams);
  return { op, path, query: parsed.searchParams, data, tokenId: tokenFrom(headers), wrapTtl: wrapTtl(headers), remoteAddress };
}

/** http/logical.go: a PATCH must be a JSON merge patch; the media type is parsed as Go's mime.ParseMediaType does. */
function checkMergePatch(header: string | string[] | undefined): void {
  const value = (Array.isArray(header) ? header[0] : header) ?? '';
  const type = value.split(';')[0].trim().toLowerCase();
  if (type === '') throw badRequest('mime: no media type');
  if (!/^[^\s/]+\/[^\s/]+$/.test(type)) throw badRequest('mime: expected slash after first token');
  if (type !== 'application/merge-patch+json') {
    throw new VaultError(415, [`PATCH requires Content-Type of application/merge-patch+json, provided ${type}`]);
  }
}

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    // Go's URL parser refuses a broken %-escape before Vault sees the request; we answer in Vault's shape.
    throw badRequest(`invalid URL escape in path "${p}"`);
  }
}

/** Go's strconv.ParseBool, which Vault uses for query flags. */
export function parseBool(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

/** Query parameters as request data: one value stays a string, repeated keys become a list (parseQuery). */
function queryData(q: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(q.keys())) {
    if (key === 'list' || key === 'help') continue;
    const all = q.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

export function parseBody(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8').trim();
  if (!text) return {};
  // Observed shape: 400 {"errors":["failed to parse JSON input: <decoder message>"]}; a limit is named as such.
  const v = parseJsonWithin(text, VAULT_JSON_LIMITS);
  if (!v.ok) throw badRequest(`failed to parse JSON input: ${v.message}`);
  const value = v.value;
  // A JSON null decodes to an empty map in Go.
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`failed to parse JSON input: json: cannot unmarshal ${Array.isArray(value) ? 'array' : goKind(value)} into Go value of type map[string]interface {}`);
  }
  return value as Record<string, unknown>;
}

const goKind = (v: unknown): string => (typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string');

/** Docs (API overview): X-Vault-Token, or "Authorization: Bearer <token>". */
function tokenFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const direct = first(headers['x-vault-token']);
  if (direct) return direct;
  const m = first(headers.authorization)?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Docs (response wrapping): X-Vault-Wrap-TTL as seconds or a duration string. */
function wrapTtl(headers: Record<string, string | string[] | undefined>): number | undefined {
  const v = first(headers['x-vault-wrap-ttl']);
  if (v === undefined || v === '') return undefined;
  try {
    const n = parseDurationSeconds(v);
    // http/handler.go: a non-positive or unparseable wrap TTL is refused.
    if (n <= 0) throw new Error('invalid wrap TTL');
    return n;
  } catch {
    throw badRequest('error parsing wrap TTL');
  }
}
