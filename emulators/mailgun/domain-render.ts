/**
 * Domains API response shapes (documentation.mailgun.com "Domains": the domain object of GET /v4/domains and
 * /v4/domains/{domain}, and its DNS records). The fake checks no DNS: records are `unknown` until the domain is
 * verified, then `valid`.
 */
import { createHash } from 'node:crypto';
import type { DomainState } from './domain.ts';

export function domainJson(d: DomainState) {
  const s = d.settings;
  return {
    created_at: s.createdAt,
    id: s.id,
    is_disabled: s.isDisabled,
    name: d.name,
    require_tls: s.requireTls,
    skip_verification: s.skipVerification,
    smtp_login: `postmaster@${d.name}`,
    spam_action: s.spamAction,
    state: s.state,
    type: s.type,
    web_prefix: s.webPrefix,
    web_scheme: s.webScheme,
    wildcard: s.wildcard,
    use_automatic_sender_security: s.useAutomaticSenderSecurity,
    dkim_host: `${s.dkimSelector}._domainkey.${d.name}`,
    ...(s.mailfromHost ? { mailfrom_host: s.mailfromHost } : {}),
  };
}

/** The DKIM authority: the domain itself, or its root domain (one label less) when it does not sign for itself. */
export function dkimAuthority(d: DomainState): string {
  if (d.settings.dkimAuthoritySelf) return d.name;
  const labels = d.name.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : d.name;
}

export function dnsRecords(d: DomainState) {
  const valid = d.settings.state === 'active' ? 'valid' : 'unknown';
  // A stand-in public key, stable per domain and selector (the fake signs nothing).
  const key = createHash('sha256').update(`${dkimAuthority(d)}\0${d.settings.dkimSelector}`).digest('base64');
  return {
    receiving_dns_records: ['mxa.mailgun.org', 'mxb.mailgun.org'].map((value) => ({ cached: [], priority: '10', record_type: 'MX', valid, value })),
    sending_dns_records: [
      { cached: [], name: d.name, record_type: 'TXT', valid, value: 'v=spf1 include:mailgun.org ~all' },
      { cached: [], name: `${d.settings.dkimSelector}._domainkey.${dkimAuthority(d)}`, record_type: 'TXT', valid, value: `k=rsa; p=${key}` },
      { cached: [], name: `${d.settings.webPrefix}.${d.name}`, record_type: 'CNAME', valid, value: 'mailgun.org' },
    ],
  };
}

export const domainWithRecords = (d: DomainState) => ({ domain: domainJson(d), ...dnsRecords(d) });
