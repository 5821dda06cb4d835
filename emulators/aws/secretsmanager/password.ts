/**
 * GetRandomPassword (Secrets Manager API reference): length 1–4096 (default 32) drawn from letters, digits,
 * punctuation and optionally a space, minus excluded characters; by default at least one character of every
 * included type. Uses the OS CSPRNG, as a password generator must.
 */
import { randomInt } from 'node:crypto';
import { SecretsError } from './state.ts';

export interface PasswordOptions {
  length?: number;
  excludeCharacters?: string;
  excludeNumbers?: boolean;
  excludePunctuation?: boolean;
  excludeUppercase?: boolean;
  excludeLowercase?: boolean;
  includeSpace?: boolean;
  requireEachIncludedType?: boolean;
}

// The punctuation set the API reference lists for ExcludePunctuation.
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export function randomPassword(o: PasswordOptions): string {
  const length = o.length ?? 32;
  if (length < 1 || length > 4096) {
    throw new SecretsError('ValidationException', `1 validation error detected: Value '${length}' at 'passwordLength' failed to satisfy constraint: Member must have value between 1 and 4096`);
  }
  const excluded = new Set(o.excludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const types = [
    o.excludeLowercase ? '' : keep('abcdefghijklmnopqrstuvwxyz'),
    o.excludeUppercase ? '' : keep('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    o.excludeNumbers ? '' : keep('0123456789'),
    o.excludePunctuation ? '' : keep(PUNCTUATION),
    o.includeSpace ? keep(' ') : '',
  ].filter((t) => t.length > 0);
  const all = types.join('');
  if (!all) throw new SecretsError('InvalidParameterException', 'The password can\'t be generated: every character type is excluded.');
  const require = o.requireEachIncludedType ?? true;
  if (require && types.length > length) {
    throw new SecretsError('InvalidParameterException', `The password length ${length} is too short to include a character of each of the ${types.length} required types.`);
  }
  const chars = require ? types.map((t) => t[randomInt(t.length)]) : [];
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  // Shuffle so the required characters are not always first (Fisher–Yates).
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
