/**
 * A domain's account-level settings as the Domains API manages them (documentation.mailgun.com "Domains", v4 and
 * v3 endpoints): state, spam action, wildcard, tracking, connection, IPs, DKIM authority and selector, web
 * prefix, SMTP credentials and the tracking certificate. No HTTP here; domain-routes.ts renders it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { badRequest, notFound } from './errors.ts';

export type DomainStateName = 'active' | 'unverified' | 'disabled';
export type SpamAction = 'disabled' | 'block' | 'tag';
export const SPAM_ACTIONS: readonly SpamAction[] = ['disabled', 'block', 'tag'];

export interface Tracking {
  open: { active: boolean; place_at_the_top: boolean };
  click: { active: boolean };
  unsubscribe: { active: boolean; html_footer: string; text_footer: string };
}

export interface SmtpCredential {
  login: string;
  /** SHA-256 of the password: enough to check a login, never shown. */
  passwordDigest: string;
  createdAt: string;
}

export interface DomainSettings {
  id: string;
  createdAt: string;
  state: DomainStateName;
  type: 'custom' | 'sandbox';
  isDisabled: boolean;
  spamAction: SpamAction;
  wildcard: boolean;
  webScheme: 'http' | 'https';
  webPrefix: string;
  /** Custom MAIL FROM host and automatic sender security (PUT /v4/domains/{domain}). */
  mailfromHost?: string;
  useAutomaticSenderSecurity: boolean;
  requireTls: boolean;
  skipVerification: boolean;
  /** The DKIM authority: the domain itself, or its root domain on the account. */
  dkimAuthoritySelf: boolean;
  dkimSelector: string;
  ips: string[];
  poolId?: string;
  tracking: Tracking;
  credentials: SmtpCredential[];
  /** postmaster@domain's SMTP password (smtp_password), as a digest. */
  smtpPasswordDigest?: string;
  /** Tracking certificate (/v2/x509): none until generated. */
  certificate?: { status: 'processing' | 'active'; requestedAt: string };
}

// Default unsubscribe footers, as the tracking settings sample shows them.
const HTML_FOOTER = '\n<br>\n<p><a href="%unsubscribe_url%">unsubscribe</a></p>\n';
const TEXT_FOOTER = '\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n';

export const digestPassword = (p: string): string => createHash('sha256').update(p).digest('hex');

export function newSettings(name: string, now: Date, opts: { state?: DomainStateName; ips: string[] }): DomainSettings {
  return {
    // Domain ids are 24 hex characters (the samples' "55a55f40803267158aa113e8").
    id: createHash('sha256').update(`${name}\0${now.toISOString()}\0${randomBytes(4).toString('hex')}`).digest('hex').slice(0, 24),
    createdAt: now.toUTCString(),
    state: opts.state ?? 'unverified',
    type: name.startsWith('sandbox') ? 'sandbox' : 'custom',
    isDisabled: false,
    spamAction: 'disabled',
    wildcard: false,
    webScheme: 'http',
    webPrefix: 'email',
    useAutomaticSenderSecurity: false,
    requireTls: false,
    skipVerification: false,
    dkimAuthoritySelf: true,
    dkimSelector: 'k1',
    ips: [...opts.ips],
    tracking: { open: { active: false, place_at_the_top: false }, click: { active: false }, unsubscribe: { active: false, html_footer: HTML_FOOTER, text_footer: TEXT_FOOTER } },
    credentials: [],
  };
}

/** `true`/`false` (and `yes`/`no`) as the API's boolean form fields take them. */
export function boolField(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'true' || v === 'yes') return true;
  if (v === 'false' || v === 'no') return false;
  throw badRequest(`'${name}' parameter must be true or false`);
}

/** SMTP credentials: login is `user` or `user@<domain>`; passwords are 5–32 characters (Domains API, credentials). */
export function addCredential(s: DomainSettings, domain: string, login: string, password: string, now: Date): void {
  const full = login.includes('@') ? login : `${login}@${domain}`;
  if (!full.toLowerCase().endsWith(`@${domain}`)) throw badRequest(`'login' parameter must be on the ${domain} domain`);
  checkPassword(password);
  if (s.credentials.some((c) => c.login === full)) throw badRequest(`Credentials ${full} already exist`);
  s.credentials.push({ login: full, passwordDigest: digestPassword(password), createdAt: now.toUTCString() });
}

export function credential(s: DomainSettings, domain: string, login: string): SmtpCredential {
  const full = login.includes('@') ? login : `${login}@${domain}`;
  const c = s.credentials.find((x) => x.login === full);
  if (!c) throw notFound('Credentials not found');
  return c;
}

export function checkPassword(password: string): void {
  if (password.length < 5 || password.length > 32) throw badRequest("'password' parameter must be between 5 and 32 characters long");
}
