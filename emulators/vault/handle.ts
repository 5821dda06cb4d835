/**
 * One request through the fake Vault, in Vault's order (vault/request_handling.go): the seal, the mount that
 * serves the path, the token (unless the path is a login path), the existence check that makes a write a create
 * or an update, the ACL (plus sudo on root-protected paths), the backend's path and operation, its fields, the
 * handler, response wrapping, and the audit log. Framework-agnostic: a parsed request in, a status and body out.
 */
import { VaultError, noHandler, sealed, unsupportedOperation, unsupportedPath } from './errors.ts';
import { FieldData, ignoredWarning, validateFields } from './fields.ts';
import { errorReply, envelope, render, type Reply } from './reply.ts';
import type { VaultRequest } from './request.ts';
import { matchesSpecial, type Ctx, type LogicalOp, type PathDef } from './route-types.ts';
import { routePath, type MountEntry } from './mounts.ts';
import type { VaultState } from './state.ts';
import type { TokenEntry } from './tokens/store.ts';
import { wrap } from './wrapping.ts';

/** sys/ paths the HTTP layer serves while sealed or uninitialized (http/handler.go). */
const WHILE_SEALED = ['health', 'seal-status', 'unseal', 'init', 'leader'];

interface Trace {
  token?: TokenEntry;
  mount?: MountEntry;
  op: string;
}

export function handle(state: VaultState, req: VaultRequest): Reply {
  const trace: Trace = { op: req.op };
  let reply: Reply;
  let lastUse = false;
  try {
    const out = process(state, req, trace);
    reply = out.reply;
    lastUse = out.lastUse;
  } catch (err) {
    reply = errorReply(err, !!trace.token);
  }
  if (lastUse && trace.token) state.tokens.revokeTree(trace.token.id);
  state.audit.record({
    operation: trace.op, path: req.path, mountType: trace.mount?.type ?? '', mountAccessor: trace.mount?.accessor ?? '', remoteAddress: req.remoteAddress,
    token: trace.token && { id: trace.token.id, accessor: trace.token.accessor, displayName: trace.token.displayName, policies: trace.token.policies, metadata: trace.token.meta, issueTime: trace.token.issueTime },
    requestData: req.data, status: reply.status, responseBody: reply.body,
    error: reply.status >= 400 ? ((reply.body as { errors?: string[] } | undefined)?.errors ?? []).join('; ') : undefined,
  });
  return reply;
}

function process(state: VaultState, req: VaultRequest, trace: Trace): { reply: Reply; lastUse: boolean } {
  const found = state.mounts.find(req.path);
  const mount = found?.mount;
  trace.mount = mount;
  const rest = found?.rest ?? '';
  const isSys = mount?.type === 'system';
  if ((state.seal.status.sealed || !state.seal.status.initialized) && !(isSys && WHILE_SEALED.includes(rest.replace(/\/$/, '')))) throw sealed();
  const matched = mount && matchPath(mount.backend.paths, rest);
  const unauthenticated = !!mount && matchesSpecial(mount.backend.unauthenticated, rest);
  const token = unauthenticated ? undefined : state.authenticate(req.tokenId, req.remoteAddress);
  trace.token = token;
  // Login and other unauthenticated paths still see a valid token the client sent (sys/internal/ui/mounts uses it).
  const caller = token ?? state.tokens.lookup(req.tokenId);
  const data = new FieldData(req.data, matched?.def.fields ?? {});
  const ctx: Ctx = { req, state, mount: mount!, rest, params: matched?.params ?? {}, data, op: 'update', token: caller };
  let op: LogicalOp = req.op === 'help' ? 'read' : req.op;
  if (req.op === 'update' && matched?.def.exists) {
    // The existence check validates the fields first; its refusal has no "Field validation failed" prefix.
    if (!matched.def.arbitraryInput) checkFields(req.data, matched.def, false);
    op = matched.def.exists(ctx) ? 'update' : 'create';
  }
  ctx.op = op;
  trace.op = op;
  if (token && req.op !== 'help') {
    const root = !!mount && matchesSpecial(mount.backend.root, rest);
    state.authorize(token, req.path, op, root, { data: req.data, wrapTtl: req.wrapTtl });
  }
  if (!mount) throw noHandler(req.path.replace(/\/$/, ''));
  const lastUse = token ? state.tokens.use(token) : false;
  if (!matched) throw unsupportedPath();
  if (req.op === 'help') return { reply: help(matched.def, routePath(mount) + rest), lastUse };
  const handler = matched.def.ops[op] ?? (op === 'create' || op === 'update' ? matched.def.ops.write : undefined);
  if (!handler) throw unsupportedOperation();
  const ignored = matched.def.arbitraryInput ? [] : checkFields(req.data, matched.def, true);
  let resp = handler(ctx);
  // sdk/framework: the warning goes on the response, made for it when a write had none (reads keep their 404).
  if (ignored.length && (resp || (op !== 'read' && op !== 'list'))) resp = { ...resp, warnings: [...(resp?.warnings ?? []), ignoredWarning(ignored)] };
  let reply = render(resp, op, mount.type);
  if (req.wrapTtl && resp && !resp.raw && reply.status === 200) {
    const info = wrap(state, reply.body, req.wrapTtl, req.path, resp.wrappedAccessor ?? '');
    reply = { status: 200, body: envelope({}, '', info) };
  }
  return { reply, lastUse };
}

function checkFields(data: Record<string, unknown>, def: PathDef, prefixed: boolean): string[] {
  try {
    return validateFields(data, def.fields ?? {});
  } catch (e) {
    if (!prefixed && e instanceof VaultError) throw new VaultError(400, [e.errors[0].replace(/^Field validation failed: /, '')]);
    throw e;
  }
}

/** The first path pattern of the backend that matches (framework.Backend.route). */
export function matchPath(paths: PathDef[], rest: string): { def: PathDef; params: Record<string, string> } | undefined {
  for (const def of paths) {
    const m = def.pattern.exec(rest);
    if (m) return { def, params: { ...(m.groups ?? {}) } };
  }
  return undefined;
}

/** `?help=1`: the path's synopsis, and an OpenAPI stub naming the path (sdk/framework help response shape). */
function help(def: PathDef, path: string): Reply {
  const text = def.help ?? 'No help available.';
  return {
    status: 200,
    body: {
      help: `Request:        ${path}\nMatching Route: ${def.pattern.source}\n\n${text}`,
      openapi: { openapi: '3.0.2', info: { title: 'HashiCorp Vault API', version: '' }, paths: { [`/${path}`]: { description: text } } },
      see_also: null,
    },
  };
}
