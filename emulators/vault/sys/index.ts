/**
 * The system backend mounted at sys/ (vault/logical_system.go): its paths, the ones that need no token, and the
 * root-protected ones that need `sudo` (PathsSpecial; sys/seal and sys/step-down are checked the same way by
 * Vault's HTTP layer).
 */
import type { BackendDef } from '../route-types.ts';
import { AUDIT_PATHS } from './audit-routes.ts';
import { AUTH_PATHS } from './auth-routes.ts';
import { CAPABILITIES_PATHS } from './capabilities-routes.ts';
import { LEASE_PATHS } from './lease-routes.ts';
import { MOUNT_PATHS } from './mounts-routes.ts';
import { POLICY_PATHS } from './policy-routes.ts';
import { STATUS_PATHS } from './status-routes.ts';
import { WRAPPING_PATHS } from './wrapping-routes.ts';

export const SYS_BACKEND: BackendDef = {
  unauthenticated: [
    'wrapping/lookup', 'internal/ui/mounts', 'internal/ui/mounts/*', 'init', 'seal-status', 'unseal', 'leader', 'health',
    'generate-root/attempt', 'generate-root/update',
  ],
  root: [
    'auth/*', 'remount', 'audit', 'audit/*', 'raw', 'raw/*', 'rotate', 'config/cors', 'config/auditing/*', 'plugins/catalog/*',
    'revoke-prefix/*', 'revoke-force/*', 'leases/revoke-prefix/*', 'leases/revoke-force/*', 'leases/lookup/*', 'leases', 'internal/inspect/*',
    'seal', 'step-down',
  ],
  paths: [...STATUS_PATHS, ...MOUNT_PATHS, ...AUTH_PATHS, ...POLICY_PATHS, ...LEASE_PATHS, ...WRAPPING_PATHS, ...AUDIT_PATHS, ...CAPABILITIES_PATHS],
};
