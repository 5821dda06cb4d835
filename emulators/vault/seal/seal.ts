/**
 * Initialization, the seal and its unseal keys, root-token generation and key rotation (vault/init.go,
 * vault/core.go unseal, vault/generate_root.go, vault/keyring.go) as a model with no HTTP. The root key is split
 * with Shamir's scheme, so unsealing really needs `threshold` distinct keys. Like `vault server -dev`, the fake
 * starts initialized and unsealed with one key share; tests read that key in-process (never over HTTP).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { respError } from '../errors.ts';
import { combine, split } from './shamir.ts';

export interface ServerStatus {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performance_standby: boolean;
}

export interface RootGeneration {
  nonce: string;
  otp: string;
  parts: Buffer[];
}

export const OTP_LENGTH = 28;

export class Seal {
  status: ServerStatus = { initialized: true, sealed: false, standby: false, performance_standby: false };
  shares = 1;
  threshold = 1;
  term = 1;
  installTime: Date;
  private rootKey = randomBytes(32);
  private keys: Buffer[] = [Buffer.from(this.rootKey)];
  private unsealParts: Buffer[] = [];
  private unsealNonce = '';
  generation: RootGeneration | undefined;

  constructor(private readonly now: () => Date) {
    this.installTime = now();
  }

  /** The key shares handed out at initialization (the dev server prints its one key the same way). */
  unsealKeys(): Buffer[] {
    return this.keys.map((k) => Buffer.from(k));
  }

  get progress(): number {
    return this.unsealParts.length;
  }

  get nonce(): string {
    return this.unsealNonce;
  }

  /** PUT sys/init: validate the seal configuration (SealConfig.Validate wording), split a new root key, seal. */
  initialize(shares: number, threshold: number): Buffer[] {
    // vault/init.go: ErrAlreadyInit.
    if (this.status.initialized) throw respError('Vault is already initialized');
    const problem = shares < 1 ? 'shares must be at least one'
      : threshold < 1 ? 'threshold must be at least one'
      : shares > 1 && threshold === 1 ? 'threshold must be greater than one for multiple shares'
      : shares > 255 ? 'shares must be less than 256'
      : threshold > 255 ? 'threshold must be less than 256'
      : threshold > shares ? 'threshold cannot be larger than shares' : undefined;
    if (problem) throw respError(`invalid seal configuration: ${problem}`);
    this.rootKey = randomBytes(32);
    this.keys = shares === 1 ? [Buffer.from(this.rootKey)] : split(this.rootKey, shares, threshold);
    this.shares = shares;
    this.threshold = threshold;
    this.status = { ...this.status, initialized: true, sealed: true };
    this.resetUnseal();
    return this.unsealKeys();
  }

  /** PUT sys/unseal with one key; unseals once `threshold` distinct keys combine to the root key. */
  submitUnsealKey(key: Buffer): void {
    if (!this.status.sealed) return;
    if (!this.unsealNonce) this.unsealNonce = randomUUID();
    // vault/core.go unsealFragment: a key already given in this attempt changes nothing.
    if (this.unsealParts.some((p) => p.equals(key))) return;
    this.unsealParts.push(key);
    if (this.unsealParts.length < this.threshold) return;
    const parts = this.unsealParts;
    this.resetUnseal();
    if (!this.rebuilds(parts)) throw respError('failed to decrypt keys from storage: cipher: message authentication failed');
    this.status.sealed = false;
  }

  resetUnseal(): void {
    this.unsealParts = [];
    this.unsealNonce = '';
  }

  seal(): void {
    this.status.sealed = true;
    this.resetUnseal();
  }

  /** PUT sys/generate-root/attempt: start with a given OTP, or make one. */
  startGeneration(otp?: string): RootGeneration {
    if (this.generation) throw respError('root generation already in progress');
    // vault/generate_root.go: the OTP must be as long as a root token.
    if (otp !== undefined && otp.length !== OTP_LENGTH) throw respError('OTP string is wrong length');
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    this.generation = { nonce: randomUUID(), otp: otp ?? [...randomBytes(OTP_LENGTH)].map((b) => chars[b % 62]).join(''), parts: [] };
    return this.generation;
  }

  /** PUT sys/generate-root/update: true once enough keys have been given. */
  submitGenerationKey(key: Buffer, nonce: string): boolean {
    const g = this.generation;
    if (!g) throw respError('no root generation in progress');
    if (nonce !== g.nonce) throw respError(`incorrect nonce supplied; nonce for this root generation operation is ${g.nonce}`);
    if (!g.parts.some((p) => p.equals(key))) g.parts.push(key);
    if (g.parts.length < this.threshold) return false;
    const ok = this.rebuilds(g.parts);
    if (!ok) {
      this.generation = undefined;
      throw respError('unable to authenticate: cipher: message authentication failed');
    }
    return true;
  }

  /** sys/rotate: a new encryption key term. */
  rotate(): void {
    this.term += 1;
    this.installTime = this.now();
  }

  private rebuilds(parts: Buffer[]): boolean {
    try {
      const key = this.threshold === 1 ? parts[0] : combine(parts);
      return key.equals(this.rootKey);
    } catch {
      return false;
    }
  }
}

/** An unseal or generate-root key as given: hex or base64 (http/sys_seal.go). */
export function decodeKey(key: unknown): Buffer {
  if (typeof key !== 'string' || key === '') throw respError("'key' must be specified in request body as JSON, or 'reset' set to true");
  if (/^[0-9a-fA-F]+$/.test(key) && key.length % 2 === 0) return Buffer.from(key, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return Buffer.from(key, 'base64');
  throw respError("'key' must be a valid hex or base64 string");
}
