/**
 * Domains API (documentation.mailgun.com "Domains"): /v4/domains list, get, create, update and verify;
 * /v3/domains/{domain} delete, connection, tracking, IPs, DKIM authority and selector, web prefix and SMTP
 * credentials; /v2/x509 tracking certificates. Messages are the reference's where it gives them.
 */
import type { Express, Request } from 'express';
import { badRequest, notFound } from './errors.ts';
import type { DomainState } from './domain.ts';
import { domainJson, domainWithRecords, dkimAuthority, dnsRecords } from './domain-render.ts';
import { addCredential, boolField, checkPassword, credential, digestPassword, SPAM_ACTIONS, type SpamAction } from './domain-settings.ts';
import { field, parseForm, type ParsedForm } from './form.ts';
import type { MailgunState } from './state.ts';
import { handle, param, queryStrings } from './wire.ts';

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The Domains API takes form bodies; a JSON one is refused as the Sending API refuses a wrong content type. */
function form(req: Request): Promise<ParsedForm> {
  const type = req.headers['content-type'] ?? '';
  if (/^application\/json/i.test(type)) throw badRequest(`Invalid request content type. Expecting 'multipart/form-data' or 'application/x-www-form-urlencoded' but got '${type}'`);
  return parseForm(req.body, type);
}

function spamAction(v: string | undefined): SpamAction | undefined {
  if (v === undefined) return undefined;
  if (!(SPAM_ACTIONS as readonly string[]).includes(v)) throw badRequest(`'spam_action' parameter must be one of ${SPAM_ACTIONS.join(', ')}`);
  return v as SpamAction;
}

function webScheme(v: string | undefined): 'http' | 'https' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'http' && v !== 'https') throw badRequest("'web_scheme' parameter must be http or https");
  return v;
}

function webPrefix(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(v)) throw badRequest("'web_prefix' parameter is not a valid host name label");
  return v.toLowerCase();
}

/** The settings POST and PUT /v4/domains share. */
function applyCommon(d: DomainState, f: ParsedForm): void {
  const s = d.settings;
  s.spamAction = spamAction(field(f, 'spam_action')) ?? s.spamAction;
  s.webScheme = webScheme(field(f, 'web_scheme')) ?? s.webScheme;
  s.webPrefix = webPrefix(field(f, 'web_prefix')) ?? s.webPrefix;
  s.wildcard = boolField(field(f, 'wildcard'), 'wildcard') ?? s.wildcard;
  s.useAutomaticSenderSecurity = boolField(field(f, 'use_automatic_sender_security'), 'use_automatic_sender_security') ?? s.useAutomaticSenderSecurity;
  const mailfrom = field(f, 'mailfrom_host');
  if (mailfrom !== undefined) {
    if (!DOMAIN_NAME.test(mailfrom) || !mailfrom.endsWith(d.name)) throw badRequest(`'mailfrom_host' parameter must be a subdomain of ${d.name}`);
    s.mailfromHost = mailfrom;
  }
  const password = field(f, 'smtp_password');
  if (password !== undefined) {
    checkPassword(password);
    s.smtpPasswordDigest = digestPassword(password);
  }
}

export function domainRoutes(app: Express, state: MailgunState): void {
  const domainOf = (req: Request) => state.domain(param(req, 'domain'));

  app.get('/v4/domains', handle((req) => {
    const q = queryStrings(req);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    const skip = q.skip === undefined ? 0 : Number(q.skip);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest("'limit' parameter must be an integer between 1 and 1000");
    if (!Number.isInteger(skip) || skip < 0) throw badRequest("'skip' parameter must be a non-negative integer");
    if (q.state !== undefined && !['active', 'unverified', 'disabled'].includes(q.state)) throw badRequest("'state' parameter must be active, unverified or disabled");
    let all = state.listDomains().filter((d) => (!q.state || d.settings.state === q.state) && (!q.authority || dkimAuthority(d) === q.authority) && (!q.search || d.name.includes(q.search)));
    all = all.sort((a, b) => a.name.localeCompare(b.name));
    if (q.sort?.replace(/\s/g, '') === 'name:desc') all.reverse();
    return { body: { items: all.slice(skip, skip + limit).map(domainJson), total_count: all.length } };
  }));

  app.get('/v4/domains/:domain', handle((req) => {
    const d = domainOf(req);
    // h:with_dns=false leaves the DNS records out (mailgun.js DomainGetQuery).
    return { body: queryStrings(req)['h:with_dns'] === 'false' ? { domain: domainJson(d) } : domainWithRecords(d) };
  }));

  app.post('/v4/domains', handle(async (req) => {
    const f = await form(req);
    const name = field(f, 'name')?.toLowerCase();
    if (!name) throw badRequest("'name' parameter is missing");
    if (!DOMAIN_NAME.test(name)) throw badRequest(`'${name}' is not a valid domain name`);
    const size = field(f, 'dkim_key_size');
    if (size !== undefined && size !== '1024' && size !== '2048') throw badRequest("'dkim_key_size' parameter must be 1024 or 2048");
    const ips = field(f, 'ips')?.split(',').map((ip) => ip.trim()).filter(Boolean);
    // "If the request cannot be fulfilled (e.g. a requested IP is not assigned to the account), a 400 will be returned."
    for (const ip of ips ?? []) if (!state.accountIps.includes(ip)) throw badRequest(`IP ${ip} is not assigned to the account`);
    const poolId = field(f, 'pool_id');
    if (poolId !== undefined && !state.ipPool(poolId)) throw badRequest(`IP pool ${poolId} not found`);
    const forceAuthority = boolField(field(f, 'force_dkim_authority'), 'force_dkim_authority');
    const selector = field(f, 'dkim_selector');
    if (selector !== undefined && !/^[a-z0-9][a-z0-9._-]*$/i.test(selector)) throw badRequest("'dkim_selector' parameter is not a valid selector");
    const d = state.createDomain(name);
    try {
      applyCommon(d, f);
    } catch (e) {
      state.deleteDomain(name);
      throw e;
    }
    if (ips) d.settings.ips = ips;
    if (poolId !== undefined) d.settings.poolId = poolId;
    // Without force_dkim_authority a subdomain signs with its root domain's key when the root is on the account.
    const labels = name.split('.');
    const root = labels.slice(1).join('.');
    d.settings.dkimAuthoritySelf = forceAuthority === true || labels.length <= 2 || !state.listDomains().some((x) => x.name === root);
    if (selector) d.settings.dkimSelector = selector;
    return { body: { message: 'Domain has been created', ...domainWithRecords(d) } };
  }));

  app.put('/v4/domains/:domain', handle(async (req) => {
    const d = domainOf(req);
    applyCommon(d, await form(req));
    return { body: { message: 'Domain has been updated', ...domainWithRecords(d) } };
  }));

  app.put('/v4/domains/:domain/verify', handle((req) => {
    // The fake checks no DNS: verifying succeeds and the domain may send.
    const d = domainOf(req);
    d.settings.state = 'active';
    return { body: { message: 'Domain DNS records have been updated', ...domainWithRecords(d) } };
  }));

  app.delete('/v3/domains/:domain', handle((req) => {
    state.deleteDomain(param(req, 'domain'));
    return { body: { message: 'Domain has been deleted' } };
  }));

  app.get('/v3/domains/:domain/connection', handle((req) => {
    const s = domainOf(req).settings;
    return { body: { connection: { require_tls: s.requireTls, skip_verification: s.skipVerification } } };
  }));

  app.put('/v3/domains/:domain/connection', handle(async (req) => {
    const s = domainOf(req).settings;
    const f = await form(req);
    s.requireTls = boolField(field(f, 'require_tls'), 'require_tls') ?? s.requireTls;
    s.skipVerification = boolField(field(f, 'skip_verification'), 'skip_verification') ?? s.skipVerification;
    return { body: { message: 'Domain connection settings have been updated, may take 10 minutes to fully propagate', 'require-tls': s.requireTls, 'skip-verification': s.skipVerification } };
  }));

  app.get('/v3/domains/:domain/tracking', handle((req) => ({ body: { tracking: domainOf(req).settings.tracking } })));

  app.put('/v3/domains/:domain/tracking/:type', handle(async (req) => {
    const t = domainOf(req).settings.tracking;
    const f = await form(req);
    const type = param(req, 'type');
    if (type === 'open') {
      t.open.active = boolField(field(f, 'active'), 'active') ?? t.open.active;
      t.open.place_at_the_top = boolField(field(f, 'place_at_the_top'), 'place_at_the_top') ?? t.open.place_at_the_top;
      return { body: { message: 'Tracking settings have been updated', open: { ...t.open } } };
    }
    if (type === 'click') {
      const active = field(f, 'active');
      // Click tracking also takes `htmlonly` (links rewritten in the HTML part only).
      t.click.active = active === 'htmlonly' ? ('htmlonly' as unknown as boolean) : boolField(active, 'active') ?? t.click.active;
      return { body: { message: 'Tracking settings have been updated', click: { ...t.click } } };
    }
    if (type === 'unsubscribe') {
      t.unsubscribe.active = boolField(field(f, 'active'), 'active') ?? t.unsubscribe.active;
      t.unsubscribe.html_footer = field(f, 'html_footer') ?? t.unsubscribe.html_footer;
      t.unsubscribe.text_footer = field(f, 'text_footer') ?? t.unsubscribe.text_footer;
      return { body: { message: 'Tracking settings have been updated', unsubscribe: { ...t.unsubscribe } } };
    }
    throw notFound(`Tracking type ${type} not found; expected open, click or unsubscribe`);
  }));

  ipRoutes(app, state, domainOf);
  keyRoutes(app, domainOf);
  credentialRoutes(app, domainOf);
  certificateRoutes(app, state);
}

function ipRoutes(app: Express, state: MailgunState, domainOf: (req: Request) => DomainState): void {
  app.get('/v3/domains/:domain/ips', handle((req) => {
    const ips = domainOf(req).settings.ips;
    return { body: { items: [...ips], total_count: ips.length } };
  }));
  app.post('/v3/domains/:domain/ips', handle(async (req) => {
    const s = domainOf(req).settings;
    const f = await form(req);
    const ip = field(f, 'ip');
    const pool = field(f, 'pool_id');
    if (ip === undefined && pool === undefined) throw badRequest("'ip' parameter is missing");
    if (ip !== undefined) {
      if (!state.accountIps.includes(ip)) throw badRequest(`IP ${ip} is not assigned to the account`);
      if (!s.ips.includes(ip)) s.ips.push(ip);
    }
    if (pool !== undefined) {
      if (!state.ipPool(pool)) throw badRequest(`IP pool ${pool} not found`);
      s.poolId = pool;
    }
    return { body: { message: 'success' } };
  }));
  app.delete('/v3/domains/:domain/ips/ip_pool', handle((req) => {
    const s = domainOf(req).settings;
    const q = queryStrings(req);
    if (!s.poolId) throw notFound('Domain is not linked to an IP pool');
    // The pool is replaced by another pool or by a single IP (DomainsClient.unlinkIpPoll).
    if (q.pool_id !== undefined && !state.ipPool(q.pool_id)) throw badRequest(`IP pool ${q.pool_id} not found`);
    if (q.ip !== undefined && !state.accountIps.includes(q.ip)) throw badRequest(`IP ${q.ip} is not assigned to the account`);
    s.poolId = q.pool_id;
    if (q.ip !== undefined && !s.ips.includes(q.ip)) s.ips.push(q.ip);
    return { body: { message: 'success' } };
  }));
  app.delete('/v3/domains/:domain/ips/:ip', handle((req) => {
    const s = domainOf(req).settings;
    const ip = param(req, 'ip');
    if (!IPV4.test(ip)) throw badRequest(`'${ip}' is not a valid IP address`);
    if (!s.ips.includes(ip)) throw notFound(`IP ${ip} is not assigned to the domain`);
    s.ips = s.ips.filter((x) => x !== ip);
    return { body: { message: 'success' } };
  }));
}

function keyRoutes(app: Express, domainOf: (req: Request) => DomainState): void {
  app.put('/v3/domains/:domain/dkim_authority', handle((req) => {
    const d = domainOf(req);
    const self = boolField(queryStrings(req).self, 'self');
    if (self === undefined) throw badRequest("'self' parameter is missing");
    const changed = d.settings.dkimAuthoritySelf !== self;
    d.settings.dkimAuthoritySelf = self;
    return { body: { changed, message: 'Domain DKIM authority has been changed', sending_dns_records: dnsRecords(d).sending_dns_records } };
  }));
  app.put('/v3/domains/:domain/dkim_selector', handle((req) => {
    const d = domainOf(req);
    const selector = queryStrings(req).dkim_selector;
    if (!selector) throw badRequest("'dkim_selector' parameter is missing");
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(selector)) throw badRequest("'dkim_selector' parameter is not a valid selector");
    d.settings.dkimSelector = selector;
    return { body: { message: 'Domain DKIM selector updated' } };
  }));
  app.put('/v3/domains/:domain/web_prefix', handle((req) => {
    const d = domainOf(req);
    const prefix = webPrefix(queryStrings(req).web_prefix);
    if (!prefix) throw badRequest("'web_prefix' parameter is missing");
    d.settings.webPrefix = prefix;
    return { body: { message: 'Domain web prefix updated' } };
  }));
}

function credentialRoutes(app: Express, domainOf: (req: Request) => DomainState): void {
  app.get('/v3/domains/:domain/credentials', handle((req) => {
    const { credentials } = domainOf(req).settings;
    const q = queryStrings(req);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    const skip = q.skip === undefined ? 0 : Number(q.skip);
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(skip) || skip < 0) throw badRequest("'limit' and 'skip' parameters must be non-negative integers");
    const items = credentials.slice(skip, skip + limit).map((c) => ({ size_bytes: 0, created_at: c.createdAt, mailbox: c.login, login: c.login }));
    return { body: { total_count: credentials.length, items } };
  }));
  app.post('/v3/domains/:domain/credentials', handle(async (req) => {
    const d = domainOf(req);
    const f = await form(req);
    const login = field(f, 'login');
    const password = field(f, 'password');
    if (!login) throw badRequest("'login' parameter is missing");
    if (!password) throw badRequest("'password' parameter is missing");
    addCredential(d.settings, d.name, login, password, new Date());
    return { body: { message: 'Created 1 credentials pair(s)' } };
  }));
  app.put('/v3/domains/:domain/credentials/:login', handle(async (req) => {
    const d = domainOf(req);
    const password = field(await form(req), 'password');
    if (!password) throw badRequest("'password' parameter is missing");
    checkPassword(password);
    credential(d.settings, d.name, param(req, 'login')).passwordDigest = digestPassword(password);
    return { body: { message: 'Password changed' } };
  }));
  app.delete('/v3/domains/:domain/credentials/:login', handle((req) => {
    const d = domainOf(req);
    const c = credential(d.settings, d.name, param(req, 'login'));
    d.settings.credentials = d.settings.credentials.filter((x) => x !== c);
    return { body: { message: 'Credentials have been deleted', spec: c.login } };
  }));
  app.delete('/v3/domains/:domain/credentials', handle((req) => {
    const s = domainOf(req).settings;
    const count = s.credentials.length;
    s.credentials = [];
    return { body: { message: 'All domain credentials have been deleted', count } };
  }));
}

/** Tracking certificates (/v2/x509/{domain}): generation is asynchronous, so a new certificate reads `processing` once. */
function certificateRoutes(app: Express, state: MailgunState): void {
  const location = (d: DomainState) => `/v2/x509/${d.name}/status`;
  app.get('/v2/x509/:domain/status', handle((req) => {
    const d = state.domain(param(req, 'domain'));
    const cert = d.settings.certificate;
    if (!cert) throw notFound('Certificate not found');
    const status = cert.status;
    if (status === 'processing') cert.status = 'active';
    return { body: { status, error: '', certificate: status === 'active' ? `-----BEGIN CERTIFICATE-----\n(tracking certificate for ${d.settings.webPrefix}.${d.name})\n-----END CERTIFICATE-----\n` : '' } };
  }));
  app.post('/v2/x509/:domain', handle((req) => {
    const d = state.domain(param(req, 'domain'));
    if (d.settings.certificate) throw badRequest('Certificate already exists; use PUT to regenerate it');
    d.settings.certificate = { status: 'processing', requestedAt: new Date().toUTCString() };
    return { status: 202, body: { message: 'Certificate generation in progress', location: location(d) } };
  }));
  app.put('/v2/x509/:domain', handle((req) => {
    const d = state.domain(param(req, 'domain'));
    if (!d.settings.certificate) throw notFound('Certificate not found');
    d.settings.certificate = { status: 'processing', requestedAt: new Date().toUTCString() };
    return { status: 202, body: { message: 'Certificate regeneration in progress', location: location(d) } };
  }));
}
