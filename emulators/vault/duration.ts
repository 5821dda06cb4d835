/**
 * Durations as Vault reads and prints them. Reading follows go-secure-stdlib parseutil.ParseDurationSecond (a number
 * or a digits-only string is seconds; otherwise Go's time.ParseDuration with an extra "d" unit); printing follows Go's
 * time.Duration.String ("768h0m0s"), which Vault puts in its TTL warnings.
 */

const UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds (integer, truncated); throws with Go's error text. */
export function parseDurationSeconds(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`time: invalid duration "${v}"`);
    return Math.trunc(v);
  }
  if (typeof v !== 'string') throw new Error(`could not parse duration from input`);
  const s = v.trim();
  if (s === '') return 0;
  if (/^[+-]?\d+$/.test(s)) return Number.parseInt(s, 10);
  return Math.trunc(goParseDuration(s));
}

/** Go's time.ParseDuration (plus "d"), in seconds. */
function goParseDuration(orig: string): number {
  let s = orig;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration "${orig}"`);
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(\.\d*)?/.exec(s)!;
    if (num[0] === '' || num[0] === '.') throw new Error(`time: invalid duration "${orig}"`);
    s = s.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new Error(`time: missing unit in duration "${orig}"`);
    const mult = UNITS[unit];
    if (mult === undefined) throw new Error(`time: unknown unit "${unit}" in duration "${orig}"`);
    s = s.slice(unit.length);
    total += Number(num[0]) * mult;
  }
  return sign * total;
}

/** Go's time.Duration.String for a whole number of seconds: 0s, 45s, 1m30s, 768h0m0s. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const neg = seconds < 0;
  let rest = Math.abs(Math.trunc(seconds));
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const text = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  return neg ? `-${text}` : text;
}
