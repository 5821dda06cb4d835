/** `<email> [--ttl <seconds>]`, the arguments of the token scripts (`npm run token`, `npm run create-token`). */
export function parseEmailTtlArgs(argv: string[]): { email: string; ttl?: number } {
  let email: string | undefined;
  let ttl: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const ttlValue = a === '--ttl' ? argv[++i] : a.startsWith('--ttl=') ? a.slice(6) : undefined;
    if (ttlValue !== undefined) {
      ttl = Number(ttlValue);
      if (!Number.isInteger(ttl) || ttl <= 0) throw new Error(`--ttl must be a positive number of seconds, got "${ttlValue}"`);
    } else if (a.startsWith('-') || email !== undefined) {
      throw new Error(`unexpected argument "${a}"`);
    } else {
      email = a;
    }
  }
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error('an email address is required');
  return { email, ttl };
}
