/**
 * The gateway's RSA keys: the signing keys of forwarded requests (a ring by draft-cavage keyId, one of them
 * active; their public halves are the proxy's API_GATEWAY_PUBLIC_KEYS) and the key that signs the JWTs it issues to
 * mobile apps. Taken from the environment when set, otherwise generated once into a key directory and reused, so
 * restarts keep tokens, the active signing key and the proxy's key set valid.
 *
 * Key directory (git-ignored, mode 0700; private keys 0600):
 *   signing-key.pem, signing-key.pub.pem   the first signing key, keyId `gatehouse-gateway`
 *   signing-keys/<keyId>.pem               keys added by a rotation
 *   signing-keys/active                    the keyId the gateway signs with (absent: `gatehouse-gateway`)
 *   jwt-key.pem, jwt-key.pub.pem           the JWT key
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The keyId of the first signing key (and of GATEWAY_PRIVATE_KEY), as the proxy has always known it. */
export const GATEWAY_KEY_ID = 'gatehouse-gateway';

export interface SigningKey {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface GatewayKeys {
  /** The active signing key when the keys were loaded (the ring has the current one). */
  signingKeyId: string;
  signingPrivateKeyPem: string;
  signingPublicKeyPem: string;
  jwtPrivateKeyPem: string;
  jwtPublicKeyPem: string;
  signing: SigningKeyRing;
}

/** `.state/gateway/` at the repository root (git-ignored), whatever the working directory. */
export const DEFAULT_KEY_DIR = fileURLToPath(new URL('../../.state/gateway/', import.meta.url));

const SIGNING = { env: 'GATEWAY_PRIVATE_KEY', file: 'signing-key.pem', publicFile: 'signing-key.pub.pem' };
const JWT = { env: 'GATEWAY_JWT_PRIVATE_KEY', file: 'jwt-key.pem', publicFile: 'jwt-key.pub.pem' };
const RING_DIR = 'signing-keys';
const ACTIVE_FILE = 'active';

export function loadGatewayKeys(opts: { keyDir?: string; env?: Record<string, string | undefined> } = {}): GatewayKeys {
  const dir = opts.keyDir ?? DEFAULT_KEY_DIR;
  const env = opts.env ?? process.env;
  const signing = SigningKeyRing.load(dir, env);
  const jwt = loadPair(dir, JWT, env);
  const active = signing.active();
  return {
    signingKeyId: active.keyId, signingPrivateKeyPem: active.privateKeyPem, signingPublicKeyPem: active.publicKeyPem,
    jwtPrivateKeyPem: jwt.privatePem, jwtPublicKeyPem: jwt.publicPem, signing,
  };
}

/**
 * The signing keys and which one is active. A rotation adds a key (not yet used), activates it once the proxies
 * accept it, and retires the old one once nothing signed with it is in flight. Each change is on disk before it
 * takes effect (the active pointer is replaced by rename), so a restart signs with the key that was active.
 */
export class SigningKeyRing {
  private constructor(private readonly dir: string | undefined, private readonly keys: Map<string, SigningKey>, private activeId: string) {}

  static load(dir: string, env: Record<string, string | undefined>): SigningKeyRing {
    const keys = new Map<string, SigningKey>();
    const fromEnv = env[SIGNING.env]?.trim();
    const activeFile = path.join(dir, RING_DIR, ACTIVE_FILE);
    const rotated = fs.existsSync(activeFile);
    // The first key: from the environment, or from (or, before any rotation, into) the key directory.
    if (fromEnv) keys.set(GATEWAY_KEY_ID, signingKey(GATEWAY_KEY_ID, fromEnv.replace(/\\n/g, '\n'), SIGNING.env));
    else if (!rotated || fs.existsSync(path.join(dir, SIGNING.file))) {
      keys.set(GATEWAY_KEY_ID, signingKey(GATEWAY_KEY_ID, readOrCreate(dir, SIGNING).privatePem, path.join(dir, SIGNING.file)));
    }
    const ringDir = path.join(dir, RING_DIR);
    for (const f of fs.existsSync(ringDir) ? fs.readdirSync(ringDir) : []) {
      if (!f.endsWith('.pem')) continue;
      const keyId = f.slice(0, -4);
      keys.set(keyId, signingKey(keyId, fs.readFileSync(path.join(ringDir, f), 'utf8'), path.join(ringDir, f)));
    }
    const activeId = rotated ? fs.readFileSync(activeFile, 'utf8').trim() : GATEWAY_KEY_ID;
    if (!keys.has(activeId)) throw new Error(`${activeFile} names signing key "${activeId}", which is not in ${ringDir}`);
    return new SigningKeyRing(dir, keys, activeId);
  }

  /** A ring of one key that is never written anywhere (tests, benchmarks). */
  static of(privateKeyPem: string, keyId = GATEWAY_KEY_ID): SigningKeyRing {
    return new SigningKeyRing(undefined, new Map([[keyId, signingKey(keyId, privateKeyPem, 'the given key')]]), keyId);
  }

  active(): SigningKey {
    return this.keys.get(this.activeId)!;
  }

  /** Every key's public half, the active one marked. */
  list(): { keyId: string; publicKeyPem: string; active: boolean }[] {
    return [...this.keys.values()].map((k) => ({ keyId: k.keyId, publicKeyPem: k.publicKeyPem, active: k.keyId === this.activeId }));
  }

  /** A new RSA-2048 key, stored but not used yet; its keyId is derived from the public key. */
  create(): SigningKey {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    const key = signingKey(`gw-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`, privateKey, 'a new key');
    if (this.dir) {
      fs.mkdirSync(path.join(this.dir, RING_DIR), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(this.dir, RING_DIR, `${key.keyId}.pem`), privateKey, { flag: 'wx', mode: 0o600 });
    }
    this.keys.set(key.keyId, key);
    return key;
  }

  activate(keyId: string): void {
    if (!this.keys.has(keyId)) throw new RingError(404, `no signing key "${keyId}"`);
    if (this.dir) {
      const file = path.join(this.dir, RING_DIR, ACTIVE_FILE);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(`${file}.tmp`, keyId, { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    }
    this.activeId = keyId;
  }

  retire(keyId: string): void {
    if (!this.keys.has(keyId)) throw new RingError(404, `no signing key "${keyId}"`);
    if (keyId === this.activeId) throw new RingError(409, `signing key "${keyId}" is active; activate another one first`);
    if (this.dir) {
      // The first key's files are not in the ring directory; the active pointer keeps a restart from recreating it.
      const files = keyId === GATEWAY_KEY_ID && !fs.existsSync(path.join(this.dir, RING_DIR, `${keyId}.pem`))
        ? [SIGNING.file, SIGNING.publicFile].map((f) => path.join(this.dir!, f))
        : [path.join(this.dir, RING_DIR, `${keyId}.pem`)];
      if (!fs.existsSync(path.join(this.dir, RING_DIR, ACTIVE_FILE))) this.activate(this.activeId);
      for (const f of files) fs.rmSync(f, { force: true });
    }
    this.keys.delete(keyId);
  }
}

export class RingError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function signingKey(keyId: string, privateKeyPem: string, where: string): SigningKey {
  let key;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw new Error(`${where} is not a PEM private key`);
  }
  return { keyId, privateKeyPem, publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString() };
}

function loadPair(dir: string, spec: typeof SIGNING, env: Record<string, string | undefined>): { privatePem: string; publicPem: string } {
  const fromEnv = env[spec.env]?.trim();
  const privatePem = fromEnv ? fromEnv.replace(/\\n/g, '\n') : readOrCreate(dir, spec).privatePem;
  const k = signingKey('', privatePem, fromEnv ? spec.env : path.join(dir, spec.file));
  return { privatePem, publicPem: k.publicKeyPem };
}

function readOrCreate(dir: string, spec: typeof SIGNING): { privatePem: string } {
  const file = path.join(dir, spec.file);
  if (fs.existsSync(file)) return { privatePem: fs.readFileSync(file, 'utf8') };
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
    return { privatePem: privateKey };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { privatePem: fs.readFileSync(file, 'utf8') };
    throw e;
  }
}
