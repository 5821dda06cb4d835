/**
 * The local stack's certificate authority: one CA per state directory (default `.state/tls/`, git-ignored) and
 * leaf certificates for the fakes' HTTPS listeners, signed by it. A client that trusts `<dir>/ca.pem`
 * (NODE_EXTRA_CA_CERTS, or `https.Agent({ ca })`) gets a verified connection to any fake.
 *
 * Keys and signatures come from Node's native crypto (fast); node-forge only assembles the X.509 structures.
 * Everything is cached on disk, so after the first run a start only reads files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import forge from 'node-forge';

export const DEFAULT_TLS_DIR = '.state/tls';

const CA_CERT = 'ca.pem';
const CA_KEY = 'ca-key.pem';
const LOCK = 'ca.lock';
const DAY_MS = 86_400_000;

export interface LocalCa {
  certPem: string;
  keyPem: string;
}

export interface ServerCert {
  key: string;
  cert: string;
  /** The CA certificate (PEM) a client must trust. */
  ca: string;
}

/** Create (once) and return the local CA kept under `dir`. Safe when several processes start at once. */
export function ensureLocalCa(dir: string = DEFAULT_TLS_DIR): LocalCa {
  const existing = readCa(dir);
  if (existing) return existing;
  fs.mkdirSync(dir, { recursive: true });
  const lock = tryLock(dir) ?? (clearStaleLock(dir) ? tryLock(dir) : undefined);
  if (lock === undefined) return waitForCa(dir);
  try {
    const again = readCa(dir);
    if (again) return again;
    const ca = createCa();
    fs.writeFileSync(path.join(dir, CA_KEY), ca.keyPem, { mode: 0o600 });
    writeAtomic(path.join(dir, CA_CERT), ca.certPem); // ca.pem appears last: its presence means "CA complete"
    return ca;
  } finally {
    fs.closeSync(lock);
    fs.rmSync(path.join(dir, LOCK), { force: true });
  }
}

/** A leaf certificate for localhost, 127.0.0.1 and `hostnames`, signed by the local CA; cached per name set. */
export function serverCert(dir: string = DEFAULT_TLS_DIR, hostnames: string[] = []): ServerCert {
  const ca = ensureLocalCa(dir);
  const names = [...new Set(['localhost', '127.0.0.1', ...hostnames])].sort();
  const tag = crypto.createHash('sha256').update(names.join(',')).digest('hex').slice(0, 12);
  const certFile = path.join(dir, `server-${tag}.pem`);
  const keyFile = path.join(dir, `server-${tag}-key.pem`);
  const cached = readIfPresent(certFile);
  const cachedKey = readIfPresent(keyFile);
  if (cached && cachedKey && stillValid(cached, cachedKey, ca.certPem)) return { key: cachedKey, cert: cached, ca: ca.certPem };
  const leaf = createLeaf(ca, names);
  writeAtomic(keyFile, leaf.keyPem, 0o600);
  writeAtomic(certFile, leaf.certPem);
  return { key: leaf.keyPem, cert: leaf.certPem, ca: ca.certPem };
}

function readCa(dir: string): LocalCa | undefined {
  const certPem = readIfPresent(path.join(dir, CA_CERT));
  const keyPem = readIfPresent(path.join(dir, CA_KEY));
  if (!certPem || !keyPem) return undefined;
  const cert = new crypto.X509Certificate(certPem);
  if (Date.parse(cert.validTo) - Date.now() < DAY_MS) return undefined; // about to expire: make a new one
  return { certPem, keyPem };
}

function createCa(): LocalCa {
  const keys = rsaKeyPair();
  const cert = baseCert(keys.publicPem, 3650);
  const attrs = [{ name: 'commonName', value: 'Gatehouse Local CA' }, { name: 'organizationName', value: 'Gatehouse local stack' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWithNode(cert, keys.privatePem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function createLeaf(ca: LocalCa, names: string[]): { certPem: string; keyPem: string } {
  const keys = rsaKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = baseCert(keys.publicPem, 397);
  cert.setSubject([{ name: 'commonName', value: names.includes('localhost') ? 'localhost' : names[0] }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signWithNode(cert, ca.keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

function baseCert(publicPem: string, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = '01' + crypto.randomBytes(15).toString('hex'); // leading 01: always a positive integer
  cert.validity.notBefore = new Date(Date.now() - DAY_MS); // tolerate small clock skew
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  return cert;
}

/** forge exports this but its type definitions omit it. */
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/**
 * What `cert.sign` does, with Node's native RSA instead of forge's JavaScript one (about 0.35 s saved per
 * certificate): sha256WithRSAEncryption over the DER of the TBSCertificate.
 */
function signWithNode(cert: forge.pki.Certificate, keyPem: string): void {
  const c = cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1; signatureOid: string; siginfo: { algorithmOid: string } };
  c.signatureOid = c.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  c.tbsCertificate = (forge.pki as unknown as ForgeTbs).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(c.tbsCertificate).getBytes(), 'binary');
  c.signature = crypto.sign('sha256', tbs, keyPem).toString('binary');
}

function rsaKeyPair(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { publicPem: publicKey, privatePem: privateKey };
}

/**
 * A cached leaf is reused only if this CA issued it, the key beside it is its key (two processes racing to
 * write the pair could interleave) and it is not about to expire.
 */
function stillValid(certPem: string, keyPem: string, caPem: string): boolean {
  try {
    const leaf = new crypto.X509Certificate(certPem);
    const ca = new crypto.X509Certificate(caPem);
    const fresh = Date.parse(leaf.validTo) - Date.now() > DAY_MS;
    return fresh && leaf.checkIssued(ca) && leaf.verify(ca.publicKey) && leaf.checkPrivateKey(crypto.createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function tryLock(dir: string): number | undefined {
  try {
    return fs.openSync(path.join(dir, LOCK), 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
}

/** A lock left by a process that died mid-generation (older than 30 s) is removed. */
function clearStaleLock(dir: string): boolean {
  try {
    const age = Date.now() - fs.statSync(path.join(dir, LOCK)).mtimeMs;
    if (age < 30_000) return false;
    fs.rmSync(path.join(dir, LOCK), { force: true });
    return true;
  } catch {
    return true; // the lock vanished meanwhile: try again
  }
}

/** Another process holds the lock: wait (up to 10 s) for its CA instead of minting a second one. */
function waitForCa(dir: string): LocalCa {
  const deadline = Date.now() + 10_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    const ca = readCa(dir);
    if (ca) return ca;
    Atomics.wait(pause, 0, 0, 25);
  }
  throw new Error(`local CA in ${dir} is locked (${LOCK}) but never appeared; remove the stale lock file`);
}

function writeAtomic(file: string, text: string, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

function readIfPresent(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

