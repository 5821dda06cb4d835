/**
 * What sys/mounts and sys/auth share: a mount entry as Vault lists it (logical_system.go mountInfo), the `config`
 * an enable request carries (APIMountConfig, with "system" and duration strings), and tuning
 * (handleTuneWriteCommon / handleTuneReadCommon) with its wording.
 */
import { respError } from '../errors.ts';
import { parseDurationSeconds } from '../duration.ts';
import type { MountEntry } from '../mounts.ts';
import type { Resp } from '../route-types.ts';
import { SYSTEM_TTL } from '../tokens/ttl.ts';
import { VAULT_VERSION } from './health.ts';
import type { UserLockout, LockoutConfig } from '../auth/lockout.ts';

const BUILTIN_PLUGINS = ['kv', 'transit', 'approle', 'userpass'];

export function mountInfo(m: MountEntry): Record<string, unknown> {
  const config: Record<string, unknown> = { default_lease_ttl: m.config.default_lease_ttl, force_no_cache: m.config.force_no_cache, max_lease_ttl: m.config.max_lease_ttl };
  for (const k of ['listing_visibility', 'audit_non_hmac_request_keys', 'audit_non_hmac_response_keys', 'passthrough_request_headers', 'allowed_response_headers'] as const) {
    const v = m.config[k];
    if (v !== undefined && (!Array.isArray(v) || v.length)) config[k] = v;
  }
  if (m.table === 'auth') config.token_type = m.config.token_type ?? 'default-service';
  const lockout = (m.engine as { lockout?: UserLockout } | undefined)?.lockout;
  if (lockout) config.user_lockout_config = lockoutInfo(lockout.config);
  return {
    accessor: m.accessor, config, ...(BUILTIN_PLUGINS.includes(m.type) ? { deprecation_status: 'supported' } : {}), description: m.description,
    external_entropy_access: m.externalEntropyAccess, local: m.local, options: m.options, plugin_version: '',
    running_plugin_version: m.type === 'kv' ? 'v0.16.1+builtin' : `v${VAULT_VERSION}+builtin.vault`, running_sha256: '', seal_wrap: m.sealWrap, type: m.type, uuid: m.uuid,
  };
}

const lockoutInfo = (c: LockoutConfig): Record<string, unknown> => ({
  user_lockout_counter_reset_duration: c.lockout_counter_reset, user_lockout_disable: c.lockout_disable,
  user_lockout_duration: c.lockout_duration, user_lockout_threshold: c.lockout_threshold,
});

/** A TTL in an enable or tune request: "" keeps, "system" resets to 0, else seconds or a Go duration. */
function ttlValue(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (v === 'system') return 0;
  try {
    return parseDurationSeconds(v);
  } catch (e) {
    // logical_system.go handleMount: "unable to parse default TTL of %s: %s".
    throw respError(`unable to parse ${what} TTL of ${String(v)}: ${(e as Error).message}`);
  }
}

const stringList = (v: unknown): string[] | undefined =>
  v === undefined || v === null ? undefined : (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()).filter(Boolean);

/** Apply a config map (enable's `config`, or a tune body) to an entry's config, with Vault's checks. */
export function applyConfig(m: Pick<MountEntry, 'config' | 'table'>, raw: Record<string, unknown>, creating: boolean): void {
  const def = ttlValue(raw.default_lease_ttl, 'default');
  const max = ttlValue(raw.max_lease_ttl, 'max');
  const newDef = def ?? m.config.default_lease_ttl;
  const newMax = max ?? m.config.max_lease_ttl;
  if (creating) {
    if (newMax !== 0 && newDef > newMax) throw respError('given default lease TTL greater than given max lease TTL');
    if (newDef > SYSTEM_TTL && newMax === 0) throw respError(`given default lease TTL greater than system max lease TTL of ${SYSTEM_TTL}`);
  } else if ((newMax || SYSTEM_TTL) < (newDef || 0)) {
    // logical_system.go tuneMountTTLs.
    throw respError(`new backend default lease TTL of ${newDef} greater than new backend max lease TTL of ${newMax || SYSTEM_TTL}`);
  }
  m.config.default_lease_ttl = newDef;
  m.config.max_lease_ttl = newMax;
  if (raw.force_no_cache !== undefined && creating) m.config.force_no_cache = raw.force_no_cache === true || raw.force_no_cache === 'true';
  if (raw.listing_visibility !== undefined) {
    const lv = String(raw.listing_visibility);
    if (!['', 'unauth', 'hidden'].includes(lv)) throw respError(`invalid listing_visibility ${lv}`);
    m.config.listing_visibility = lv;
  }
  for (const k of ['audit_non_hmac_request_keys', 'audit_non_hmac_response_keys', 'passthrough_request_headers', 'allowed_response_headers'] as const) {
    const v = stringList(raw[k]);
    if (v) m.config[k] = v;
  }
  if (raw.token_type !== undefined && raw.token_type !== '') {
    if (m.table !== 'auth') throw respError('tuning of token_type only supported for auth mounts');
    const t = String(raw.token_type);
    if (!['default', 'default-service', 'default-batch', 'service', 'batch'].includes(t)) throw respError(`invalid value for 'token_type': ${t}`);
    m.config.token_type = t === 'default' ? 'default-service' : t;
  }
}

/** GET sys/mounts/:path/tune and sys/auth/:path/tune; `label` is the path as Vault names it in the refusal. */
export function readTune(m: MountEntry | undefined, label: string): Resp {
  // logical_system.go handleTuneReadCommon.
  if (!m) throw respError(`cannot fetch sysview for path ${JSON.stringify(label)}`);
  return { data: tuneInfo(m) };
}

/** The tune view: effective TTLs, the system's when unset. */
export function tuneInfo(m: MountEntry): Record<string, unknown> {
  const info = mountInfo(m);
  const config = info.config as Record<string, unknown>;
  return {
    ...config, description: m.description, default_lease_ttl: m.config.default_lease_ttl || SYSTEM_TTL, max_lease_ttl: m.config.max_lease_ttl || SYSTEM_TTL,
    force_no_cache: m.config.force_no_cache, ...(m.options ? { options: m.options } : {}),
  };
}

/** user_lockout_config in an auth tune (lockout_threshold, lockout_duration, lockout_counter_reset, lockout_disable). */
export function applyLockout(lockout: UserLockout | undefined, raw: unknown): void {
  if (raw === undefined || raw === null) return;
  if (!lockout) throw respError('user lockout config not supported for this auth method');
  if (typeof raw !== 'object' || Array.isArray(raw)) throw respError('unable to parse user lockout config');
  const r = raw as Record<string, unknown>;
  const c = { ...lockout.config };
  try {
    if (r.lockout_threshold !== undefined) c.lockout_threshold = Number.parseInt(String(r.lockout_threshold), 10);
    if (r.lockout_duration !== undefined) c.lockout_duration = parseDurationSeconds(r.lockout_duration);
    if (r.lockout_counter_reset !== undefined) c.lockout_counter_reset = parseDurationSeconds(r.lockout_counter_reset);
    if (r.lockout_disable !== undefined) c.lockout_disable = r.lockout_disable === true || r.lockout_disable === 'true';
  } catch (e) {
    throw respError(`unable to parse user lockout config: ${(e as Error).message}`);
  }
  if (!Number.isFinite(c.lockout_threshold) || c.lockout_threshold < 0) throw respError('unable to parse user lockout config: lockout_threshold');
  lockout.config = c;
}
