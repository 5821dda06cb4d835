/**
 * PII sanitising before anything reaches Customer.io (seed 001, step 2): fields that must never be stored in a
 * marketing tool are dropped, wherever they appear in attributes or event data.
 */
const NEVER_FORWARD = new Set(['ssn', 'social_security_number', 'credit_card', 'card_number', 'cvc', 'cvv', 'password', 'bank_account', 'iban']);

export function sanitize<T>(value: T, depth = 0): T {
  if (depth > 10 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (NEVER_FORWARD.has(k.toLowerCase())) continue;
    out[k] = sanitize(v, depth + 1);
  }
  return out as T;
}
