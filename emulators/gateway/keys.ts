/**
 * The gateway's two RSA key pairs: one signs forwarded requests (its public half is the proxy's
 * API_GATEWAY_PUBLIC_KEY), one signs the JWTs it issues to mobile apps. Taken from the environment when set,
 * otherwise generated once into a key directory and reused, so restarts keep tokens and the proxy config valid.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GatewayKeys {
  signingPrivateKeyPem: string;
  signingPublicKeyPem: string;
  jwtPrivateKeyPem: string;
  jwtPublicKeyPem: string;
}

/** `.state/gateway/` at the repository root (git-ignored), whatever the working directory. */
export const DEFAULT_KEY_DIR = fileURLToPath(new URL('../../.state/gateway/', import.meta.url));

const SIGNING = { env: 'GATEWAY_PRIVATE_KEY', file: 'signing-key.pem', publicFile: 'signing-key.pub.pem' };
const JWT = { env: 'GATEWAY_JWT_PRIVATE_KEY', file: 'jwt-key.pem', publicFile: 'jwt-key.pub.pem' };

export function loadGatewayKeys(opts: { keyDir?: string; env?: Record<string, string | undefined> } = {}): GatewayKeys {
  const dir = opts.keyDir ?? DEFAULT_KEY_DIR;
  const env = opts.env ?? process.env;
  const signing = loadPair(dir, SIGNING, env);
  const jwt = loadPair(dir, JWT, env);
  return { signingPrivateKeyPem: signing.privatePem, signingPublicKeyPem: signing.publicPem, jwtPrivateKeyPem: jwt.privatePem, jwtPublicKeyPem: jwt.publicPem };
}

function loadPair(dir: string, spec: typeof SIGNING, env: Record<string, string | undefined>): { privatePem: string; publicPem: string } {
  const fromEnv = env[spec.env]?.trim();
  const privatePem = fromEnv ? fromEnv.replace(/\\n/g, '\n') : readOrCreate(dir, spec);
  let key;
  try {
    key = createPrivateKey(privatePem);
  } catch {
    throw new Error(`${fromEnv ? spec.env : path.join(dir, spec.file)} is not a PEM private key`);
  }
  return { privatePem, publicPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString() };
}

function readOrCreate(dir: string, spec: typeof SIGNING): string {
  const file = path.join(dir, spec.file);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  try {
    // "wx": if another process created the key meanwhile, keep theirs so both agree.
    fs.writeFileSync(file, privateKey, { flag: 'wx', mode: 0o600 });
    fs.writeFileSync(path.join(dir, spec.publicFile), publicKey);
    return privateKey;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8');
    throw e;
  }
}
