/**
 * Which backend serves a mount of each type, and its fresh state. Types the fake does not serve are refused the
 * way a Vault without that plugin refuses them ("plugin not found in the catalog: <type>"); the README lists them.
 */
import { respError } from './errors.ts';
import type { MountEntry } from './mounts.ts';
import type { BackendDef } from './route-types.ts';
import type { EngineRegistry, VaultState } from './state.ts';
import { KvV1 } from './secrets/kv1.ts';
import { KvV2 } from './secrets/kv2.ts';
import { KV1_BACKEND, KV2_BACKEND } from './secrets/kv-routes.ts';
import { Transit } from './secrets/transit.ts';
import { TRANSIT_BACKEND } from './secrets/transit-routes.ts';
import { CUBBYHOLE_BACKEND } from './secrets/cubbyhole.ts';
import { AppRole } from './auth/approle.ts';
import { APPROLE_BACKEND } from './auth/approle-routes.ts';
import { USERPASS_BACKEND } from './auth/userpass-routes.ts';
import { UserLockout } from './auth/lockout.ts';
import { TOKEN_BACKEND } from './tokens/routes.ts';
import { SYS_BACKEND } from './sys/index.ts';

type Entry = Omit<MountEntry, 'engine' | 'backend'>;
type Factory = (entry: Entry, state: VaultState) => { engine: unknown; backend: BackendDef };

/** The identity store is listed (every Vault has it) but none of its paths is served. */
const IDENTITY_BACKEND: BackendDef = { paths: [] };

const SECRET_TYPES: Record<string, Factory> = {
  kv: (entry, state) => (entry.options?.version === '2'
    ? { engine: new KvV2(undefined, state.now), backend: KV2_BACKEND }
    : { engine: new KvV1(), backend: KV1_BACKEND }),
  transit: (_entry, state) => ({ engine: new Transit(state.now), backend: TRANSIT_BACKEND }),
  cubbyhole: () => ({ engine: null, backend: CUBBYHOLE_BACKEND }),
  system: () => ({ engine: null, backend: SYS_BACKEND }),
  identity: () => ({ engine: null, backend: IDENTITY_BACKEND }),
};

const AUTH_TYPES: Record<string, Factory> = {
  token: () => ({ engine: null, backend: TOKEN_BACKEND }),
  approle: (_entry, state) => ({ engine: { model: new AppRole(state.now), lockout: new UserLockout(state.now) }, backend: APPROLE_BACKEND }),
  userpass: (_entry, state) => ({ engine: { users: new Map(), lockout: new UserLockout(state.now) }, backend: USERPASS_BACKEND }),
};

export const ENGINES: EngineRegistry = {
  create(entry, state) {
    const factory = (entry.table === 'auth' ? AUTH_TYPES : SECRET_TYPES)[entry.type];
    // vault/plugin_catalog.go: ErrPluginNotFound.
    if (!factory) throw respError(`plugin not found in the catalog: ${entry.type}`);
    if (entry.type === 'kv' && entry.options?.version && !['1', '2'].includes(entry.options.version)) throw respError(`invalid KV version ${entry.options.version}`);
    return factory(entry, state);
  },
};

/** Tuning options.version 1 → 2: the mount becomes KV v2 and every secret becomes version 1 of itself. */
export function upgradeKv(m: MountEntry, state: VaultState): void {
  if (!(m.engine instanceof KvV1)) return;
  const v2 = new KvV2(undefined, state.now);
  for (const path of m.engine.keys()) v2.write(path, m.engine.read(path));
  m.engine = v2;
  m.backend = KV2_BACKEND;
}
