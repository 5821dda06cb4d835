/**
 * The server's own endpoints, most served by Vault's HTTP layer with bare (un-enveloped) JSON bodies:
 * sys/health, sys/seal-status, sys/init, sys/unseal, sys/seal, sys/step-down, sys/leader, sys/generate-root/*,
 * sys/rotate and sys/key-status (https://developer.hashicorp.com/vault/api-docs/system).
 */
import { respError } from '../errors.ts';
import type { Ctx, PathDef, Resp } from '../route-types.ts';
import { parseBool } from '../request.ts';
import { decodeKey, OTP_LENGTH } from '../seal/seal.ts';
import type { VaultState } from '../state.ts';
import { healthBody, healthCode, HEALTH_DEFAULTS, VAULT_VERSION, type HealthQuery } from './health.ts';
import { withTopLevel } from './mounts-routes.ts';

const raw = (body: unknown, status = 200): Resp => ({ raw: { status, body } });

function health(ctx: Ctx): Resp {
  const q = ctx.req.query;
  const query: HealthQuery = { ...HEALTH_DEFAULTS };
  for (const key of ['standbyok', 'perfstandbyok'] as const) if (q.has(key)) query[key] = q.get(key) === '' || parseBool(q.get(key));
  for (const key of ['activecode', 'standbycode', 'performancestandbycode', 'uninitcode', 'sealedcode'] as const) {
    const n = Number(q.get(key));
    if (q.has(key) && Number.isInteger(n) && n >= 100 && n <= 599) query[key] = n;
  }
  return raw(healthBody(ctx.state.status, ctx.state.clusterId, ctx.state.now()), healthCode(ctx.state.status, query));
}

/** http/sys_seal.go handleSysSealStatusRaw. */
export function sealStatus(state: VaultState): Record<string, unknown> {
  const s = state.seal;
  const init = s.status.initialized;
  return {
    type: 'shamir', initialized: init, sealed: s.status.sealed || !init, t: init ? s.threshold : 0, n: init ? s.shares : 0, progress: s.progress,
    nonce: s.nonce, version: VAULT_VERSION, build_date: '2024-02-28T17:07:34Z', migration: false, cluster_name: 'vault-cluster-gatehouse',
    cluster_id: state.clusterId, recovery_seal: false, storage_type: 'inmem',
  };
}

function generateRootStatus(state: VaultState, extra: Record<string, unknown> = {}): Resp {
  const g = state.seal.generation;
  return raw({
    started: !!g, nonce: g?.nonce ?? '', progress: g?.parts.length ?? 0, required: state.seal.threshold, complete: false,
    encoded_token: '', encoded_root_token: '', pgp_fingerprint: '', otp_length: OTP_LENGTH, ...extra,
  });
}

export const STATUS_PATHS: PathDef[] = [
  { pattern: /^health$/, help: 'Checks the health status of the Vault.', ops: { read: health, update: health } },
  { pattern: /^seal-status$/, help: 'Check the seal status of a Vault.', ops: { read: (ctx) => raw(sealStatus(ctx.state)) } },
  {
    pattern: /^init$/,
    fields: { secret_shares: { type: 'int' }, secret_threshold: { type: 'int' }, pgp_keys: { type: 'comma-string-slice' }, root_token_pgp_key: { type: 'string' }, stored_shares: { type: 'int' }, recovery_shares: { type: 'int' }, recovery_threshold: { type: 'int' } },
    help: 'Initializes or returns the initialization status of the Vault.',
    ops: {
      read: (ctx) => raw({ initialized: ctx.state.status.initialized }),
      update: (ctx) => {
        if (ctx.data.get<string[]>('pgp_keys').length || ctx.data.get<string>('root_token_pgp_key')) throw respError('PGP-encrypted keys are not served by this Vault emulator');
        const keys = ctx.state.seal.initialize(ctx.data.get<number>('secret_shares'), ctx.data.get<number>('secret_threshold'));
        const root = ctx.state.createRootToken();
        return raw({ keys: keys.map((k) => k.toString('hex')), keys_base64: keys.map((k) => k.toString('base64')), root_token: root.id });
      },
    },
  },
  {
    pattern: /^unseal$/,
    fields: { key: { type: 'string' }, reset: { type: 'bool' }, migrate: { type: 'bool' } },
    help: 'Unseals the Vault.',
    ops: {
      update: (ctx) => {
        const seal = ctx.state.seal;
        // vault/core.go ErrNotInit.
        if (!seal.status.initialized) throw respError('Vault is not initialized');
        if (ctx.data.get<boolean>('reset')) seal.resetUnseal();
        else seal.submitUnsealKey(decodeKey(ctx.req.data.key));
        return raw(sealStatus(ctx.state));
      },
    },
  },
  { pattern: /^seal$/, help: 'Seals the Vault.', ops: { update: (ctx) => (ctx.state.seal.seal(), null) } },
  // A dev server is not in HA mode: stepping down changes nothing.
  { pattern: /^step-down$/, help: 'Cause the node to give up active status.', ops: { update: () => null } },
  {
    pattern: /^leader$/,
    help: 'Returns the high availability status and current leader instance of Vault.',
    ops: { read: () => raw({ ha_enabled: false, is_self: false, active_time: '0001-01-01T00:00:00Z', leader_address: '', leader_cluster_address: '', performance_standby: false, performance_standby_last_remote_wal: 0, raft_committed_index: 0, raft_applied_index: 0 }) },
  },
  {
    pattern: /^generate-root\/attempt$/,
    fields: { otp: { type: 'string' }, pgp_key: { type: 'string' } },
    help: 'Reads, generates, or deletes a root token regeneration process.',
    ops: {
      read: (ctx) => generateRootStatus(ctx.state),
      update: (ctx) => {
        if (ctx.data.get<string>('pgp_key')) throw respError('PGP-encrypted root tokens are not served by this Vault emulator');
        const given = ctx.data.get<string>('otp');
        const g = ctx.state.seal.startGeneration(given || undefined);
        return generateRootStatus(ctx.state, given ? {} : { otp: g.otp });
      },
      delete: (ctx) => ((ctx.state.seal.generation = undefined), null),
    },
  },
  {
    pattern: /^generate-root\/update$/,
    fields: { key: { type: 'string' }, nonce: { type: 'string' } },
    help: 'Reads, generates, or deletes a root token regeneration process.',
    ops: {
      update: (ctx) => {
        const seal = ctx.state.seal;
        const g = seal.generation;
        if (!seal.submitGenerationKey(decodeKey(ctx.req.data.key), ctx.data.get<string>('nonce'))) return generateRootStatus(ctx.state);
        const root = ctx.state.createRootToken();
        // vault/generate_root.go: the new token XOR the OTP, base64 without padding.
        const encoded = Buffer.from([...Buffer.from(root.id)].map((b, i) => b ^ g!.otp.charCodeAt(i))).toString('base64').replace(/=+$/, '');
        seal.generation = undefined;
        return raw({ started: true, nonce: g!.nonce, progress: g!.parts.length, required: seal.threshold, complete: true, encoded_token: encoded, encoded_root_token: encoded, pgp_fingerprint: '', otp_length: OTP_LENGTH });
      },
    },
  },
  { pattern: /^rotate$/, help: 'Rotates the backend encryption key used to persist data.', ops: { update: (ctx) => (ctx.state.seal.rotate(), null) } },
  {
    pattern: /^key-status$/,
    help: 'Provides information about the backend encryption key.',
    ops: { read: (ctx) => withTopLevel({ term: ctx.state.seal.term, install_time: ctx.state.seal.installTime.toISOString(), encryptions: 0 }) },
  },
];
