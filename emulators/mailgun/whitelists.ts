/**
 * A domain's whitelist (documentation.mailgun.com "Suppressions", Whitelists): addresses or whole domains that
 * are never added to the bounce list — "Mailgun doesn't add an address to bounce list if the address is
 * whitelisted". Records are `{value, reason, type: address|domain, createdAt}`.
 */
import { isValidEmail } from './addresses.ts';
import { badRequest } from './errors.ts';
import { type PageQuery, pageByKey } from './suppressions.ts';

export interface WhitelistRecord {
  value: string;
  reason: string;
  type: 'address' | 'domain';
  createdAt: string;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export class Whitelist {
  private records = new Map<string, WhitelistRecord>();

  /** Exactly one of address or domain ("The single request accepts either one address or domain parameter"). */
  add(input: { address?: string; domain?: string; reason?: string }, now = new Date()): WhitelistRecord {
    if ((input.address === undefined) === (input.domain === undefined)) throw badRequest("Either 'address' or 'domain' parameter is required, not both");
    const type = input.address !== undefined ? 'address' : 'domain';
    const value = (input.address ?? input.domain)!.trim().toLowerCase();
    if (type === 'address' ? !isValidEmail(value) : !DOMAIN.test(value)) throw badRequest(`'${type}' parameter is not a valid ${type}`);
    const record: WhitelistRecord = { value, reason: input.reason ?? '', type, createdAt: now.toUTCString() };
    this.records.set(value, record);
    return record;
  }

  get(value: string): WhitelistRecord | undefined {
    return this.records.get(value.trim().toLowerCase());
  }

  remove(value: string): boolean {
    return this.records.delete(value.trim().toLowerCase());
  }

  clear(): void {
    this.records.clear();
  }

  all(): WhitelistRecord[] {
    return [...this.records.values()].sort((a, b) => a.value.localeCompare(b.value));
  }

  page(q: PageQuery): WhitelistRecord[] {
    return pageByKey(this.all(), (r) => r.value, q);
  }

  /** Whether an address is whitelisted, itself or through its domain. */
  covers(email: string): boolean {
    const e = email.toLowerCase();
    return this.records.has(e) || this.records.get(e.split('@')[1] ?? '')?.type === 'domain';
  }
}
