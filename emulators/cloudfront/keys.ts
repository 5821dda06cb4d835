/**
 * The key group's private key. Only the public key is committed (fixtures/cloudfront/keys/); the private key is
 * a secret (Secrets Manager / SSM in the seeds), so locally it comes from, in order:
 *   1. `CLOUDFRONT_PRIVATE_KEY` (PEM text; `\n` escapes allowed) or `CLOUDFRONT_PRIVATE_KEY_FILE` (a path),
 *   2. `<stateDir>/<keyPairId>.pem` (git-ignored `.state/cloudfront/` by default),
 *   3. a fresh RSA 2048 pair written to `<stateDir>/<keyPairId>.pem` and `<keyPairId>.pub.pem`.
 * In case 3 (a fresh checkout never had the private key) the edge trusts the generated public key under the
 * same key-pair id in place of the committed one; an override file is only ever written by this module.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_KEY_DIR = '.state/cloudfront';

export interface SigningKey {
  keyPairId: string;
  privateKeyPem: string;
  /** The public key the edge trusts for this id (the committed one unless a local pair was generated). */
  publicKeyPem: string;
  /** Where the private key is (undefined when it came from the environment as text). */
  privateKeyPath?: string;
  source: 'env' | 'state' | 'generated';
}

export function resolveSigningKey(o: { keyPairId: string; committedPublicPem: string; dir?: string; env?: Record<string, string | undefined> }): SigningKey {
  const dir = o.dir ?? DEFAULT_KEY_DIR;
  const env = o.env ?? {};
  const privatePath = join(dir, `${o.keyPairId}.pem`);
  const overridePath = join(dir, `${o.keyPairId}.pub.pem`);
  const trusted = existsSync(overridePath) ? readFileSync(overridePath, 'utf8') : o.committedPublicPem;
  if (env.CLOUDFRONT_PRIVATE_KEY) {
    return { keyPairId: o.keyPairId, privateKeyPem: checked(env.CLOUDFRONT_PRIVATE_KEY.replace(/\\n/g, '\n')), publicKeyPem: trusted, source: 'env' };
  }
  if (env.CLOUDFRONT_PRIVATE_KEY_FILE) {
    const path = env.CLOUDFRONT_PRIVATE_KEY_FILE;
    return { keyPairId: o.keyPairId, privateKeyPem: checked(readFileSync(path, 'utf8')), publicKeyPem: trusted, privateKeyPath: path, source: 'env' };
  }
  if (existsSync(privatePath)) {
    return { keyPairId: o.keyPairId, privateKeyPem: checked(readFileSync(privatePath, 'utf8')), publicKeyPem: trusted, privateKeyPath: privatePath, source: 'state' };
  }
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  mkdirSync(dir, { recursive: true });
  writeAtomic(overridePath, publicKeyPem, 0o644);
  writeAtomic(privatePath, privateKeyPem, 0o600); // last: its presence means "pair complete"
  return { keyPairId: o.keyPairId, privateKeyPem, publicKeyPem, privateKeyPath: privatePath, source: 'generated' };
}

/** Whether a private key belongs to a public key (a mismatch makes every signature fail: worth a warning). */
export function keysMatch(privateKeyPem: string, publicKeyPem: string): boolean {
  try {
    const derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
    return derived.equals(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}

/** Fail at start with a message that never echoes the key material. */
function checked(pem: string): string {
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    throw new Error('CloudFront private key is not a readable PEM private key');
  }
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}
