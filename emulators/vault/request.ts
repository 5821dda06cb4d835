/**
 * Parse an HTTP request into what Vault's logical layer sees: an operation, an API path, a JSON body and a token.
 * Done once at the edge; handlers work on these typed values.
 */
import { badRequest, unsupportedOperation } from './errors.ts';
import { VAULT_JSON_LIMITS } from './journal-body.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';

export type Operation = 'read' | 'list' | 'write' | 'delete' | 'patch';

export interface VaultRequest {
  op: Operation;
  /** API path without "/v1/", URL-decoded; a list path always ends with "/" as Vault normalizes it. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  tokenId: string | undefined;
}

// Vault's http/logical.go: GET is read (or list with ?list=true), POST and PUT are create/update, LIST is list.
const OPERATIONS: Record<string, Operation> = { GET: 'read', HEAD: 'read', LIST: 'list', POST: 'write', PUT: 'write', DELETE: 'delete', PATCH: 'patch' };

export function parseVaultRequest(method: string, url: string, headers: Record<string, string | string[] | undefined>, raw: Buffer): VaultRequest {
  const parsed = new URL(url, 'http://vault.local');
  let op = OPERATIONS[method];
  if (!op) throw unsupportedOperation();
  if (op === 'read' && parseBool(parsed.searchParams.get('list'))) op = 'list';
  let path = decodePath(parsed.pathname.replace(/^\/v1\/?/, ''));
  if (op === 'list' && !path.endsWith('/')) path += '/';
  return { op, path, query: parsed.searchParams, body: parseBody(raw), tokenId: tokenFrom(headers) };
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

function parseBody(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8').trim();
  if (!text) return {};
  // Observed shape: 400 {"errors":["failed to parse JSON input: <decoder message>"]}; a limit is named as such.
  const v = parseJsonWithin(text, VAULT_JSON_LIMITS);
  if (!v.ok) throw badRequest(`failed to parse JSON input: ${v.message}`);
  const value = v.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`failed to parse JSON input: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type map[string]interface {}`);
  }
  return value as Record<string, unknown>;
}

/** Docs (API overview): X-Vault-Token, or "Authorization: Bearer <token>". */
function tokenFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const direct = first(headers['x-vault-token']);
  if (direct) return direct;
  const auth = first(headers.authorization);
  const m = auth?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}
