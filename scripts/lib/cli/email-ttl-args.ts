/**
 * `<email> [--ttl <seconds>]`, the arguments of the token scripts (`npm run token`, `npm run create-token`); with
 * `rotation`, also `--rotate` and `--grace <seconds>` (create-token's rotation).
 */
export interface EmailTtlArgs {
  email: string;
  ttl?: number;
  rotate?: boolean;
  grace?: number;
}

export function parseEmailTtlArgs(argv: string[], o: { rotation?: boolean } = {}): EmailTtlArgs {
  const out: Partial<EmailTtlArgs> = {};
  const seconds = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive number of seconds, got "${v ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(ttl|grace)(?:=(.*))?$/s.exec(a);
    if (m && (m[1] === 'ttl' || o.rotation)) out[m[1] as 'ttl' | 'grace'] = seconds(m[1], m[2] ?? argv[++i]);
    else if (a === '--rotate' && o.rotation) out.rotate = true;
    else if (a.startsWith('-') || out.email !== undefined) throw new Error(`unexpected argument "${a}"`);
    else out.email = a;
  }
  if (!out.email || !/^[^@\s]+@[^@\s]+$/.test(out.email)) throw new Error('an email address is required');
  if (out.grace !== undefined && !out.rotate) throw new Error('--grace only applies with --rotate');
  return out as EmailTtlArgs;
}
