/**
 * Shamir's secret sharing over GF(2^8), laid out as hashicorp/vault/shamir does: each share holds one
 * polynomial value per secret byte followed by its x coordinate, so any `threshold` distinct shares rebuild the
 * secret and fewer reveal nothing. The fake's unseal keys are real shares of its root key.
 */
import { randomBytes } from 'node:crypto';

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  // Generator 3 over the AES polynomial x^8 + x^4 + x^3 + x + 1.
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x ^= (x << 1) ^ (x & 0x80 ? 0x1b : 0);
    x &= 0xff;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
}

const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]]);
const div = (a: number, b: number): number => (a === 0 ? 0 : EXP[(LOG[a] + 255 - LOG[b]) % 255]);

export function split(secret: Buffer, parts: number, threshold: number): Buffer[] {
  const xs = new Set<number>();
  while (xs.size < parts) {
    const x = randomBytes(1)[0];
    if (x !== 0) xs.add(x);
  }
  const shares = [...xs].map((x) => {
    const b = Buffer.alloc(secret.length + 1);
    b[secret.length] = x;
    return b;
  });
  for (let i = 0; i < secret.length; i++) {
    const coeffs = [secret[i], ...randomBytes(threshold - 1)];
    for (const share of shares) {
      const x = share[secret.length];
      let y = 0;
      for (let c = coeffs.length - 1; c >= 0; c--) y = mul(y, x) ^ coeffs[c];
      share[i] = y;
    }
  }
  return shares;
}

/** Lagrange interpolation at x = 0; throws when the shares do not fit together. */
export function combine(shares: Buffer[]): Buffer {
  const len = shares[0].length;
  if (shares.some((s) => s.length !== len) || len < 2) throw new Error('all parts must be the same length');
  const xs = shares.map((s) => s[len - 1]);
  if (new Set(xs).size !== xs.length) throw new Error('duplicate part detected');
  const out = Buffer.alloc(len - 1);
  for (let i = 0; i < len - 1; i++) {
    let acc = 0;
    for (let j = 0; j < shares.length; j++) {
      let basis = 1;
      for (let k = 0; k < shares.length; k++) if (k !== j) basis = mul(basis, div(xs[k], xs[k] ^ xs[j]));
      acc ^= mul(shares[j][i], basis);
    }
    out[i] = acc;
  }
  return out;
}
