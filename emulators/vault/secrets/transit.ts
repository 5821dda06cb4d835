/**
 * The transit engine's model (builtin/logical/transit, sdk/helper/keysutil): named, versioned symmetric keys that
 * encrypt and decrypt without handing the key out. Ciphertext reads "vault:v<version>:<base64(nonce|sealed|tag)>"
 * as Vault writes it; derived keys take a per-request context (HKDF-SHA256), convergent ones a nonce made from the
 * plaintext. Served key types: aes128-gcm96, aes256-gcm96, chacha20-poly1305 (asymmetric types are not served).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { respError } from '../errors.ts';

export const KEY_TYPES: Record<string, { bytes: number; cipher: CipherGCMTypes | 'chacha20-poly1305' }> = {
  'aes128-gcm96': { bytes: 16, cipher: 'aes-128-gcm' },
  'aes256-gcm96': { bytes: 32, cipher: 'aes-256-gcm' },
  'chacha20-poly1305': { bytes: 32, cipher: 'chacha20-poly1305' },
};

export interface TransitKey {
  name: string;
  type: string;
  versions: Map<number, { key: Buffer; created: number }>;
  latestVersion: number;
  minDecryptionVersion: number;
  minEncryptionVersion: number;
  deletionAllowed: boolean;
  exportable: boolean;
  allowPlaintextBackup: boolean;
  derived: boolean;
  convergent: boolean;
  autoRotatePeriod: number;
}

export class Transit {
  private readonly keys = new Map<string, TransitKey>();

  constructor(private readonly now: () => Date) {}

  get(name: string): TransitKey | undefined {
    return this.keys.get(name);
  }

  names(): string[] {
    return [...this.keys.keys()].sort();
  }

  /** Create a key (a no-op for an existing one, as Vault's upsert is). */
  create(name: string, opts: { type: string; derived: boolean; convergent: boolean; exportable: boolean; allowPlaintextBackup: boolean; autoRotatePeriod: number }): TransitKey {
    const existing = this.keys.get(name);
    if (existing) return existing;
    // builtin/logical/transit path_keys.go.
    if (!KEY_TYPES[opts.type]) throw respError(`unknown key type ${opts.type}`);
    if (opts.convergent && !opts.derived) throw respError('convergent encryption requires derivation to be enabled');
    const key: TransitKey = {
      name, type: opts.type, versions: new Map(), latestVersion: 0, minDecryptionVersion: 1, minEncryptionVersion: 0, deletionAllowed: false,
      exportable: opts.exportable, allowPlaintextBackup: opts.allowPlaintextBackup, derived: opts.derived, convergent: opts.convergent, autoRotatePeriod: opts.autoRotatePeriod,
    };
    this.rotate(key);
    this.keys.set(name, key);
    return key;
  }

  rotate(key: TransitKey): void {
    key.latestVersion += 1;
    key.versions.set(key.latestVersion, { key: randomBytes(KEY_TYPES[key.type].bytes), created: Math.floor(this.now().getTime() / 1000) });
  }

  delete(name: string): void {
    const key = this.keys.get(name);
    // path_keys.go pathPolicyDelete: "error deleting policy <name>: <reason>".
    if (!key) throw respError(`error deleting policy ${name}: could not delete key; not found`);
    if (!key.deletionAllowed) throw respError(`error deleting policy ${name}: deletion is not allowed for this key`);
    this.keys.delete(name);
  }

  encrypt(key: TransitKey, plaintext: Buffer, context: Buffer | undefined, version = 0): string {
    const v = version || key.latestVersion;
    if (v < key.minEncryptionVersion || v > key.latestVersion || v < 1) throw respError('requested version for encryption is not valid');
    const secret = this.versionKey(key, v, context);
    const nonce = key.convergent ? createHmac('sha256', secret).update(plaintext).digest().subarray(0, 12) : randomBytes(12);
    const cipher = createCipheriv(KEY_TYPES[key.type].cipher as CipherGCMTypes, secret, nonce, { authTagLength: 16 });
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `vault:v${v}:${Buffer.concat([nonce, sealed]).toString('base64')}`;
  }

  decrypt(key: TransitKey, ciphertext: string, context: Buffer | undefined): Buffer {
    // keysutil/policy.go Decrypt: its error texts.
    if (!ciphertext.startsWith('vault:')) throw respError('invalid ciphertext: no prefix');
    const m = /^vault:v(\d+):(.*)$/s.exec(ciphertext);
    if (!m) throw respError('invalid ciphertext: wrong number of fields');
    const v = Number(m[1]);
    if (v < key.minDecryptionVersion) throw respError('ciphertext or signature version is disallowed by policy (too old)');
    if (v > key.latestVersion || !key.versions.has(v)) throw respError('invalid ciphertext: version is too new');
    const raw = Buffer.from(m[2], 'base64');
    if (raw.length < 12 + 16 || raw.toString('base64') !== m[2].replace(/\s/g, '')) throw respError('invalid ciphertext: could not decode base64');
    const decipher = createDecipheriv(KEY_TYPES[key.type].cipher as CipherGCMTypes, this.versionKey(key, v, context), raw.subarray(0, 12), { authTagLength: 16 });
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    try {
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    } catch {
      throw respError('cipher: message authentication failed');
    }
  }

  private versionKey(key: TransitKey, version: number, context: Buffer | undefined): Buffer {
    const base = key.versions.get(version)!.key;
    if (!key.derived) return base;
    // keysutil: a derived key needs the request's context.
    if (!context || context.length === 0) throw respError('missing \'context\' for key derivation; the key was created using a derived key, which means additional, per-request information must be included in order to perform operations with the key');
    return Buffer.from(hkdfSync('sha256', base, Buffer.alloc(0), context, base.length));
  }
}

/** The key's read response (path_keys.go pathPolicyRead, symmetric keys). */
export function describeKey(k: TransitKey): Record<string, unknown> {
  return {
    allow_plaintext_backup: k.allowPlaintextBackup, auto_rotate_period: k.autoRotatePeriod, deletion_allowed: k.deletionAllowed,
    derived: k.derived, exportable: k.exportable, imported_key: false,
    keys: Object.fromEntries([...k.versions].map(([v, x]) => [String(v), x.created])),
    latest_version: k.latestVersion, min_available_version: 0, min_decryption_version: k.minDecryptionVersion, min_encryption_version: k.minEncryptionVersion,
    name: k.name, supports_decryption: true, supports_derivation: true, supports_encryption: true, supports_signing: false, type: k.type,
    ...(k.derived ? { kdf: 'hkdf_sha256', convergent_encryption: k.convergent, convergent_encryption_version: k.convergent ? 3 : 0 } : {}),
  };
}
