/**
 * GET /sys/health's status code rules (https://developer.hashicorp.com/vault/api-docs/system/health):
 * 200 active, 429 standby, 473 performance standby, 501 not initialized, 503 sealed — each overridable by a
 * query parameter, and standbyok / perfstandbyok turn a standby into the active code.
 */
import type { ServerStatus } from '../seal/seal.ts';

export interface HealthQuery {
  standbyok: boolean;
  perfstandbyok: boolean;
  activecode: number;
  standbycode: number;
  performancestandbycode: number;
  uninitcode: number;
  sealedcode: number;
}

export const HEALTH_DEFAULTS: HealthQuery = {
  standbyok: false, perfstandbyok: false, activecode: 200, standbycode: 429, performancestandbycode: 473, uninitcode: 501, sealedcode: 503,
};

/** Checked in the order the docs list them: initialization, seal, performance standby, standby. */
export function healthCode(s: ServerStatus, q: HealthQuery): number {
  if (!s.initialized) return q.uninitcode;
  if (s.sealed) return q.sealedcode;
  if (s.performance_standby) return q.perfstandbyok ? q.activecode : q.performancestandbycode;
  if (s.standby) return q.standbyok ? q.activecode : q.standbycode;
  return q.activecode;
}

export const VAULT_VERSION = '1.15.6';

/** The body Vault sends whatever the code (docs sample response). */
export function healthBody(s: ServerStatus, clusterId: string, now: Date): Record<string, unknown> {
  return {
    initialized: s.initialized, sealed: s.sealed, standby: s.standby || s.sealed, performance_standby: s.performance_standby,
    replication_performance_mode: 'disabled', replication_dr_mode: 'disabled', server_time_utc: Math.floor(now.getTime() / 1000),
    version: VAULT_VERSION, cluster_name: 'vault-cluster-gatehouse', cluster_id: clusterId,
  };
}
