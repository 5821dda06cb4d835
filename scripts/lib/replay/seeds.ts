/**
 * What the local stack's fakes are seeded with, read from their fixture files: the secret values a recording must
 * never contain, and the seeded users' emails (replay maps their placeholders back to them, so a replayed capture
 * acts as the same seeded user; the redaction scan checks none of them reached a fixture).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSeed as loadVaultSeed, seedSecretValues as vaultSecretValues } from '../../../emulators/vault/seed.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const read = (rel: string): any => JSON.parse(readFileSync(FIXTURES + rel, 'utf8'));

/** Secret values of the fake Vault, AWS (SecureString parameters), Mailgun, Extend, Customer.io and gateway keys. */
export function seededSecretValues(): string[] {
  const out: string[] = [];
  out.push(...vaultSecretValues(loadVaultSeed(FIXTURES + 'vault/seed.json')));
  const mailgun = read('mailgun/seed.json');
  out.push(mailgun.apiKey, ...mailgun.domains.map((d: { webhookSigningKey: string }) => d.webhookSigningKey));
  out.push(...read('extend/seed.json').users.map((u: { password: string }) => u.password));
  out.push(...read('aws/seed.json').parameters.filter((p: { type: string }) => p.type === 'SecureString').map((p: { value: string }) => p.value));
  const cio = read('customerio/seed.json').workspace;
  out.push(cio.trackApiKey, cio.appApiKey);
  out.push(...read('gateway/api-keys.json').apiKeys.map((k: { value: string }) => k.value));
  return [...new Set(out.filter((v): v is string => typeof v === 'string' && v.length >= 6))];
}

/** Every email the seed files name (Customer.io people, Extend users, Mailgun suppressions). */
export function seededEmails(): string[] {
  const text = ['customerio/seed.json', 'extend/seed.json', 'mailgun/seed.json'].map((f) => readFileSync(FIXTURES + f, 'utf8')).join('\n');
  return [...new Set((text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g) ?? []).map((e) => e.toLowerCase()))];
}

/**
 * The webhook signing keys the local stack verifies with: the fake Mailgun domain's (the first, or MAILGUN_DOMAIN)
 * and the fake Customer.io workspace's; the stack puts both in its secret store, and `--reset` puts them back there
 * after a rotation. A developer's own keys (MAILGUN_WEBHOOK_SIGNING_KEY, CIO_WEBHOOK_SIGNING_KEY) win.
 */
export function webhookSigningKeys(env: Record<string, string | undefined> = process.env): { mailgun?: string; customerio?: string } {
  const mailgun = read('mailgun/seed.json') as { domains: { name: string; webhookSigningKey: string }[] };
  const domain = mailgun.domains.find((d) => d.name === env.MAILGUN_DOMAIN) ?? mailgun.domains[0];
  return {
    mailgun: env.MAILGUN_WEBHOOK_SIGNING_KEY || domain?.webhookSigningKey,
    customerio: env.CIO_WEBHOOK_SIGNING_KEY || read('customerio/seed.json').workspace.webhookSigningKey,
  };
}
