/**
 * Address lists as Mailgun reads them: a field may be repeated and each value may hold several comma-separated
 * addresses, each either bare (`a@x.io`) or with a display name (`"Doe, Jo" <a@x.io>`).
 */
export interface Address {
  /** The address as written, display name included. */
  raw: string;
  /** The bare, lower-cased email. */
  email: string;
}

const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** Split one header value on commas that are outside quotes and angle brackets. */
function splitList(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angle = true;
    else if (ch === '>' && !quoted) angle = false;
    if (ch === ',' && !quoted && !angle) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** The bare email inside `Name <email>`, or the whole string. */
export function bareEmail(raw: string): string {
  const m = /<([^>]*)>\s*$/.exec(raw);
  return (m ? m[1] : raw).trim().toLowerCase();
}

export const isValidEmail = (email: string): boolean => EMAIL.test(email);

/**
 * Parse every value of an address field. Returns the addresses (duplicates removed, first wins) or the first
 * entry that is not an address.
 */
export function parseAddressList(values: string[]): { ok: true; addresses: Address[] } | { ok: false; invalid: string } {
  const seen = new Set<string>();
  const addresses: Address[] = [];
  for (const raw of values.flatMap(splitList)) {
    const email = bareEmail(raw);
    if (!isValidEmail(email)) return { ok: false, invalid: raw };
    if (seen.has(email)) continue;
    seen.add(email);
    addresses.push({ raw, email });
  }
  return { ok: true, addresses };
}
