/**
 * The keys of server-side encryption. Every encrypted object has its own random 256-bit data key, stored only
 * wrapped (AES-256-GCM) under a key-encryption key: the edge's master key for SSE-S3 — 32 random bytes kept in
 * `<persistDir>/s3/sse-master.key` (mode 0600), or in memory without persistence — and the customer's own key for
 * SSE-C, which is never stored (serv-side-encryption.html: "each object is encrypted with a unique key … SSE-S3
 * encrypts the key itself with a root key"; ServerSideEncryptionCustomerKeys.html).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_FILE = 'sse-master.key';

export class Keyring {
  private master: Buffer | undefined;

  constructor(private readonly persistDir?: string) {}

  /** The SSE-S3 master key, created on first use (written durably before any object depends on it). */
  masterKey(): Buffer {
    if (this.master) return this.master;
    if (!this.persistDir) return (this.master = randomBytes(32));
    const dir = path.join(this.persistDir, 's3');
    const file = path.join(dir, KEY_FILE);
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, randomBytes(32));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
      const dfd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    }
    const key = fs.readFileSync(file);
    if (key.length !== 32) throw new Error(`${file} is not a 32-byte key; objects encrypted under it cannot be read`);
    return (this.master = key);
  }
}

/** A data key wrapped under `kek`: base64 of IV (12) ‖ ciphertext (32) ‖ tag (16). */
export function wrapKey(kek: Buffer, dataKey: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek, iv);
  const ct = Buffer.concat([c.update(dataKey), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64');
}

/** The data key, or undefined when `kek` is not the key it was wrapped under (the tag does not verify). */
export function unwrapKey(kek: Buffer, wrapped: string): Buffer | undefined {
  const raw = Buffer.from(wrapped, 'base64');
  if (raw.length !== 60) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', kek, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(44));
    return Buffer.concat([d.update(raw.subarray(12, 44)), d.final()]);
  } catch {
    return undefined;
  }
}
