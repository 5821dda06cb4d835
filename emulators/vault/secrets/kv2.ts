/**
 * The KV version 2 engine: versioned secrets with soft delete, undelete, destroy, check-and-set and per-key
 * metadata. Rules follow https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2. No HTTP here.
 */
import { VaultError, badRequest, notFound } from '../errors.ts';
import { listOrNotFound, normalizePath } from './paths.ts';
import { goDuration } from '../duration.ts';
import type { CustomMetadataInput } from './custom-metadata.ts';

export type SecretData = Record<string, unknown>;

interface VersionRecord {
  data: SecretData | null;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

interface SecretRecord {
  versions: Map<number, VersionRecord>;
  current_version: number;
  oldest_version: number;
  max_versions: number;
  cas_required: boolean;
  /** Seconds; 0 keeps versions forever. */
  delete_version_after: number;
  custom_metadata: Record<string, string> | null;
  created_time: string;
  updated_time: string;
}

/** What a write answers and what a read carries as `metadata`. */
export interface VersionMetadata {
  created_time: string;
  custom_metadata: Record<string, string> | null;
  deletion_time: string;
  destroyed: boolean;
  version: number;
}

export interface MetadataInput {
  max_versions?: number;
  cas_required?: boolean;
  delete_version_after?: number;
  custom_metadata?: CustomMetadataInput;
}

export interface Kv2Config {
  max_versions: number;
  cas_required: boolean;
  /** Seconds. */
  delete_version_after: number;
}

// Docs (configure the KV engine): "When 0 is used or the value is unset, Vault will keep 10 versions."
const DEFAULT_MAX_VERSIONS = 10;

export class KvV2 {
  private secrets = new Map<string, SecretRecord>();

  constructor(
    readonly config: Kv2Config = { max_versions: 0, cas_required: false, delete_version_after: 0 },
    private readonly now: () => Date = () => new Date(),
  ) {}

  exists(path: string): boolean {
    return this.secrets.has(normalizePath(path));
  }

  /** Read a version (0 or absent: the current one). A deleted or destroyed version is a 404 carrying its metadata. */
  read(path: string, version = 0): { data: SecretData; metadata: VersionMetadata } {
    const rec = this.secrets.get(normalizePath(path));
    if (!rec) throw notFound();
    const n = version || rec.current_version;
    const v = rec.versions.get(n);
    if (!v) throw notFound();
    const metadata = this.versionMetadata(rec, n, v);
    // Observed (hvac#906, vault#24499): 404 whose body is the envelope with data null and the version's metadata.
    if (v.destroyed || this.isDeleted(v) || !v.data) throw new VaultError(404, [], { data: null, metadata });
    return { data: structuredClone(v.data), metadata };
  }

  /** Create a new version. `cas` 0 writes only if the key does not exist; otherwise it must equal current_version. */
  write(path: string, data: SecretData, cas?: number): VersionMetadata {
    const key = normalizePath(path);
    const rec = this.secrets.get(key);
    this.checkCas(rec, cas);
    const stamp = this.now().toISOString();
    const target = rec ?? this.emptyRecord(stamp);
    const version = target.current_version + 1;
    const v: VersionRecord = { data: structuredClone(data), created_time: stamp, deletion_time: this.scheduledDeletion(target, stamp), destroyed: false };
    target.versions.set(version, v);
    target.current_version = version;
    target.updated_time = stamp;
    this.secrets.set(key, target);
    this.prune(target);
    return this.versionMetadata(target, version, v);
  }

  /** JSON merge patch (RFC 7386) of the current version into a new one; needs a live current version. */
  patch(path: string, patch: SecretData, cas?: number): VersionMetadata {
    const { data } = this.read(path);
    return this.write(path, mergePatch(data, patch), cas);
  }

  /** Soft-delete the current version (DELETE /:mount/data/:path); a no-op when nothing is stored. */
  deleteLatest(path: string): void {
    const rec = this.secrets.get(normalizePath(path));
    if (rec) this.deleteVersions(path, [rec.current_version]);
  }

  deleteVersions(path: string, versions: number[]): void {
    this.eachVersion(path, versions, (v) => {
      // path_delete.go: a version whose deletion time has passed keeps it; a scheduled one is deleted now.
      if (!v.destroyed && !this.isDeleted(v)) v.deletion_time = this.now().toISOString();
    });
  }

  undelete(path: string, versions: number[]): void {
    this.eachVersion(path, versions, (v) => {
      if (!v.destroyed) v.deletion_time = '';
    });
  }

  destroy(path: string, versions: number[]): void {
    this.eachVersion(path, versions, (v) => {
      v.destroyed = true;
      v.data = null;
    });
  }

  readMetadata(path: string): Record<string, unknown> {
    const rec = this.secrets.get(normalizePath(path));
    if (!rec) throw notFound();
    const versions: Record<string, Omit<VersionRecord, 'data'>> = {};
    for (const [n, v] of rec.versions) versions[String(n)] = { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed };
    // Field set from the docs' "Read secret metadata" sample response.
    return {
      cas_required: rec.cas_required,
      created_time: rec.created_time,
      current_version: rec.current_version,
      custom_metadata: rec.custom_metadata,
      delete_version_after: goDuration(rec.delete_version_after),
      max_versions: rec.max_versions,
      oldest_version: rec.oldest_version,
      updated_time: rec.updated_time,
      versions,
    };
  }

  /** Create or update a key's metadata; a key can have metadata before it has any version. */
  writeMetadata(path: string, input: MetadataInput): void {
    const key = normalizePath(path);
    // path_metadata.go: created_time/updated_time are set for a new key only; versions move updated_time.
    const rec = this.secrets.get(key) ?? this.emptyRecord(this.now().toISOString());
    this.applyMetadata(rec, input, false);
    this.secrets.set(key, rec);
  }

  /** PATCH /:mount/metadata/:path: like a write, but only for a key that exists. */
  patchMetadata(path: string, input: MetadataInput): void {
    const rec = this.secrets.get(normalizePath(path));
    if (!rec) throw notFound();
    this.applyMetadata(rec, input, true);
  }

  /** A patch merges custom_metadata (a null removes that key); a write replaces it. Empty is stored as none (null). */
  private applyMetadata(rec: SecretRecord, input: MetadataInput, merge: boolean): void {
    if (input.max_versions !== undefined) rec.max_versions = input.max_versions;
    if (input.cas_required !== undefined) rec.cas_required = input.cas_required;
    if (input.delete_version_after !== undefined) rec.delete_version_after = input.delete_version_after;
    if (input.custom_metadata === undefined) return;
    const next: Record<string, string> = merge ? { ...rec.custom_metadata } : {};
    for (const [k, v] of Object.entries(input.custom_metadata)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    rec.custom_metadata = Object.keys(next).length > 0 ? next : null;
  }

  /** POST /:mount/config: the engine-wide defaults. */
  configure(input: MetadataInput): void {
    if (input.max_versions !== undefined) this.config.max_versions = input.max_versions;
    if (input.cas_required !== undefined) this.config.cas_required = input.cas_required;
    // path_config.go: a negative duration disables delete_version_after on every key (stored as -1s), zero clears it.
    if (input.delete_version_after !== undefined) this.config.delete_version_after = input.delete_version_after < 0 ? -1 : input.delete_version_after;
  }

  /** Docs "Read secret subkeys": the secret's structure with every leaf value replaced by null, to `depth` levels (0: all). */
  subkeys(path: string, version: number, depth: number): { subkeys: SecretData; metadata: VersionMetadata } {
    const { data, metadata } = this.read(path, version);
    const strip = (v: SecretData, level: number): SecretData =>
      Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isObject(x) && (depth === 0 || level < depth) ? strip(x, level + 1) : null]));
    return { subkeys: strip(data, 1), metadata };
  }

  /** Remove the key, its metadata and every version (DELETE /:mount/metadata/:path). */
  deleteMetadata(path: string): void {
    this.secrets.delete(normalizePath(path));
  }

  list(prefix: string): string[] {
    return listOrNotFound(this.secrets.keys(), prefix);
  }

  /** Every key with its live data, for seeding snapshots and admin views. */
  keys(): string[] {
    return [...this.secrets.keys()].sort();
  }

  private checkCas(rec: SecretRecord | undefined, cas: number | undefined): void {
    if (cas === undefined) {
      // Docs: cas_required "If true the key will require the cas parameter to be set on all write requests."
      if (rec?.cas_required || this.config.cas_required) throw badRequest('check-and-set parameter required for this call');
      return;
    }
    // Observed wire text for a lost check-and-set race (400).
    if (cas !== (rec?.current_version ?? 0)) throw badRequest('check-and-set parameter did not match the current version');
  }

  /** path_data.go: a version is deleted once its deletion_time is in the past (delete_version_after sets a future one). */
  private isDeleted(v: VersionRecord): boolean {
    // <=: with a frozen test clock a delete and the read that follows share one instant.
    return v.deletion_time !== '' && Date.parse(v.deletion_time) <= this.now().getTime();
  }

  /**
   * delete_version_after.go deletionTime: creation plus the smaller non-zero of the engine's and the key's
   * delete_version_after; none when both are zero or the engine's is negative (disabled).
   */
  private scheduledDeletion(rec: SecretRecord, created: string): string {
    const mount = this.config.delete_version_after;
    const meta = rec.delete_version_after;
    if (mount < 0 || (mount === 0 && meta === 0)) return '';
    const after = meta !== 0 && (mount === 0 || meta < mount) ? meta : mount;
    return new Date(Date.parse(created) + after * 1000).toISOString();
  }

  private eachVersion(path: string, versions: number[], change: (v: VersionRecord) => void): void {
    // Docs: delete/undelete/destroy take "versions ([]int: <required>)".
    if (versions.length === 0) throw badRequest('no version number provided');
    const rec = this.secrets.get(normalizePath(path));
    if (!rec) return;
    for (const n of versions) {
      const v = rec.versions.get(n);
      if (v) change(v);
    }
  }

  /** Keep at most max_versions versions; the oldest are removed for good. */
  private prune(rec: SecretRecord): void {
    const max = rec.max_versions || this.config.max_versions || DEFAULT_MAX_VERSIONS;
    const numbers = [...rec.versions.keys()].sort((a, b) => a - b);
    for (const n of numbers.slice(0, Math.max(0, numbers.length - max))) rec.versions.delete(n);
    if (numbers.length > max) rec.oldest_version = Math.min(...rec.versions.keys());
  }

  private versionMetadata(rec: SecretRecord, version: number, v: VersionRecord): VersionMetadata {
    return { created_time: v.created_time, custom_metadata: rec.custom_metadata, deletion_time: v.deletion_time, destroyed: v.destroyed, version };
  }

  private emptyRecord(stamp: string): SecretRecord {
    return {
      versions: new Map(), current_version: 0, oldest_version: 0, max_versions: 0, cas_required: false,
      delete_version_after: 0, custom_metadata: null, created_time: stamp, updated_time: stamp,
    };
  }
}

/** RFC 7386: null removes a key, objects merge recursively, anything else replaces. */
function mergePatch(target: SecretData, patch: SecretData): SecretData {
  const out: SecretData = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = mergePatch(out[k] as SecretData, v);
    else out[k] = v;
  }
  return out;
}

const isObject = (v: unknown): v is SecretData => typeof v === 'object' && v !== null && !Array.isArray(v);
