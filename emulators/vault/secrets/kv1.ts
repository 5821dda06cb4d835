/** The KV version 1 engine: one unversioned JSON object per path (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1). */
import { badRequest, notFound } from '../errors.ts';
import { listOrNotFound, normalizePath } from './paths.ts';
import type { SecretData } from './kv2.ts';

// Docs (KV v1 "Read secret" sample response): lease_duration 2764800, the 768h default TTL, is only advisory.
export const KV1_LEASE_SECONDS = 2_764_800;

export class KvV1 {
  private secrets = new Map<string, SecretData>();

  exists(path: string): boolean {
    return this.secrets.has(normalizePath(path));
  }

  read(path: string): SecretData {
    const data = this.secrets.get(normalizePath(path));
    if (!data) throw notFound();
    return structuredClone(data);
  }

  /** A write replaces the whole object (v1 has no merge and no versions). */
  write(path: string, data: SecretData): void {
    if (Object.keys(data).length === 0) throw badRequest('missing data fields');
    this.secrets.set(normalizePath(path), structuredClone(data));
  }

  delete(path: string): void {
    this.secrets.delete(normalizePath(path));
  }

  list(prefix: string): string[] {
    return listOrNotFound(this.secrets.keys(), prefix);
  }

  keys(): string[] {
    return [...this.secrets.keys()].sort();
  }
}
