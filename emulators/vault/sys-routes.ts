/**
 * Built-in paths outside the KV mounts: sys/health, sys/seal-status, sys/seal, sys/mounts, AppRole login and
 * role credentials, token lookup-self. Each pattern's first capture becomes `ctx.rest`.
 */
import { healthBody, healthCode, HEALTH_DEFAULTS, VAULT_VERSION, type HealthQuery } from './health.ts';
import { VaultError, notFound } from './errors.ts';
import { parseBool } from './request.ts';
import { noContent, ok, type Reply } from './reply.ts';
import type { RouteContext, RouteDef } from './route-types.ts';
import type { VaultState } from './state.ts';

export const SYS_ROUTES: [RegExp, RouteDef][] = [
  // Docs /sys/health: unauthenticated, answered even when sealed, body not wrapped in the envelope.
  [/^sys\/health$/, { open: true, whileSealed: true, ops: { read: health } }],
  // Docs /sys/seal-status: unauthenticated.
  [/^sys\/seal-status$/, { open: true, whileSealed: true, ops: { read: (ctx) => ({ status: 200, body: sealStatus(ctx.state) }) } }],
  // Docs /sys/seal: PUT, needs sudo, 204.
  [/^sys\/seal$/, { sudo: true, ops: { write: (ctx) => ((ctx.state.status.sealed = true), noContent()) } }],
  [/^sys\/mounts$/, { ops: { read: mounts } }],
  // Docs AppRole "Login with AppRole": {"role_id","secret_id"} → auth block with client_token.
  [/^auth\/approle\/login$/, { open: true, ops: { write: login } }],
  [/^auth\/approle\/role\/([^/]+)\/role-id$/, { ops: { read: roleId } }],
  [/^auth\/approle\/role\/([^/]+)\/secret-id$/, { ops: { write: secretId } }],
  // Docs token "Lookup a token (self)": GET, data describes the caller's own token.
  [/^auth\/token\/lookup-self$/, { ops: { read: (ctx) => ok(ctx.state.tokens.describe(ctx.state.authenticate(ctx.req.tokenId)), { mount_type: 'token' }) } }],
];

function health(ctx: RouteContext): Reply {
  const q = ctx.req.query;
  const query: HealthQuery = { ...HEALTH_DEFAULTS };
  for (const key of ['standbyok', 'perfstandbyok'] as const) if (q.has(key)) query[key] = q.get(key) === '' || parseBool(q.get(key));
  for (const key of ['activecode', 'standbycode', 'performancestandbycode', 'uninitcode', 'sealedcode'] as const) {
    const n = Number(q.get(key));
    if (q.has(key) && Number.isInteger(n) && n >= 100 && n <= 599) query[key] = n;
  }
  return { status: healthCode(ctx.state.status, query), body: healthBody(ctx.state.status, ctx.state.clusterId, new Date()) };
}

function sealStatus(state: VaultState): Record<string, unknown> {
  return {
    type: 'shamir', initialized: state.status.initialized, sealed: state.status.sealed, t: 1, n: 1, progress: 0, nonce: '',
    version: VAULT_VERSION, migration: false, cluster_name: 'vault-cluster-gatehouse', cluster_id: state.clusterId, recovery_seal: false, storage_type: 'inmem',
  };
}

function login(ctx: RouteContext): Reply {
  const t = ctx.state.login(ctx.req.body.role_id, ctx.req.body.secret_id);
  // Field set from the AppRole docs' login sample response.
  const auth = {
    client_token: t.id, accessor: t.accessor, policies: t.policies, token_policies: t.policies, metadata: t.meta,
    lease_duration: t.ttl, renewable: true, entity_id: '', token_type: 'service', orphan: true, mfa_requirement: null, num_uses: 0,
  };
  return ok(null, { auth, mount_type: '' });
}

function roleId(ctx: RouteContext): Reply {
  const id = ctx.state.approles.roleId(ctx.rest);
  if (!id) throw notFound();
  return ok({ role_id: id }, { mount_type: 'approle' });
}

function secretId(ctx: RouteContext): Reply {
  const id = ctx.state.approles.newSecretId(ctx.rest);
  // Vault's approle path_role.go: a secret_id for an unknown role is a 400 naming the role.
  if (!id) throw new VaultError(400, [`role "${ctx.rest}" does not exist`]);
  return ok({ secret_id: id, secret_id_accessor: crypto.randomUUID(), secret_id_num_uses: 0, secret_id_ttl: 0 }, { mount_type: 'approle' });
}

/** Docs /sys/mounts: the KV mounts plus the built-in ones, keyed "path/"; Vault repeats them at the top level. */
function mounts(ctx: RouteContext): Reply {
  const builtIn = { 'sys/': { type: 'system', description: 'system endpoints used for control, policy and debugging' }, 'cubbyhole/': { type: 'cubbyhole', description: 'per-token private secret storage' } };
  const data: Record<string, unknown> = {};
  for (const m of ctx.state.mounts.values()) {
    data[`${m.path}/`] = {
      type: 'kv', description: m.description, accessor: m.accessor, uuid: m.uuid, options: { version: String(m.version) },
      config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false }, local: false, seal_wrap: false, external_entropy_access: false,
    };
  }
  Object.assign(data, builtIn);
  const reply = ok(data, { mount_type: 'system' });
  return { status: 200, body: { ...data, ...(reply.body as object) } };
}
