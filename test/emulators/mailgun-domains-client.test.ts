/**
 * mailgun.js's domains client and its tracking and credentials sub-clients against the fake Mailgun, method by
 * method (enumerated from each prototype), with the answers of documentation.mailgun.com "Domains". The other
 * sub-clients (templates, tags, keys) are not served; README "What the fakes serve" lists them.
 */
import { expect } from 'chai';
import { methodCoverage } from '../helpers/client-methods.ts';
import { DOMAIN, type Json, type MailgunHarness, quiet, rejection, startMailgunHarness } from '../helpers/mailgun.ts';

describe('mailgun.js domains against the fake Mailgun', () => {
  let h: MailgunHarness;
  const d = () => h.client.domains as any;

  before(async () => {
    h = await startMailgunHarness();
  });
  after(() => h?.close());
  beforeEach(() => h.reset());

  const NEW = 'news.example.com';

  describe('domains', () => {
    const coverage = methodCoverage('domains', () => Object.getPrototypeOf(h.client.domains), ['_handleBoolValues', '_parseDomain', '_parseMessage', 'parseDomainList']);
    const { method } = coverage;
    coverage.checkCoverage();

    method('list', () => {
      it('lists the account\'s domains as Domain objects, filtered, sorted and paged', async () => {
        const all = await d().list();
        expect(all.map((x: Json) => x.name)).to.deep.equal(['mg.gatehouse.local', 'sandbox.gatehouse.local']);
        expect(all[0]).to.include({ state: 'active', type: 'custom', spam_action: 'disabled', web_scheme: 'http', smtp_login: 'postmaster@mg.gatehouse.local' });
        expect(all[1].type).to.equal('sandbox');
        expect(all[0].created_at).to.be.instanceOf(Date);
        await d().create({ name: NEW });
        expect((await d().list({ state: 'unverified' })).map((x: Json) => x.name)).to.deep.equal([NEW]);
        expect((await d().list({ limit: 1, skip: 1, sort: 'name:asc' })).map((x: Json) => x.name)).to.deep.equal(['news.example.com']);
        expect((await d().list({ search: 'sandbox' })).map((x: Json) => x.name)).to.deep.equal(['sandbox.gatehouse.local']);
        expect((await rejection(d().list({ state: 'gone' }))).status).to.equal(400);
      });
    });

    method('get', () => {
      it('reads a domain with its DNS records, or without them on request', async () => {
        const one = await d().get(DOMAIN);
        expect(one).to.include({ name: DOMAIN, state: 'active' });
        expect(one.sending_dns_records.map((r: Json) => r.record_type)).to.deep.equal(['TXT', 'TXT', 'CNAME']);
        expect(one.receiving_dns_records.map((r: Json) => r.value)).to.deep.equal(['mxa.mailgun.org', 'mxb.mailgun.org']);
        expect((await d().get(DOMAIN, { with_dns: false })).sending_dns_records).to.equal(null);
        expect((await rejection(d().get('nowhere.example'))).details).to.equal('Domain not found: nowhere.example');
      });
    });

    method('create', () => {
      it('creates an unverified domain with its settings and DNS records to publish', async () => {
        const created = await d().create({ name: NEW, spam_action: 'tag', wildcard: true, web_scheme: 'https', dkim_key_size: 2048 });
        expect(created).to.include({ name: NEW, state: 'unverified', spam_action: 'tag', wildcard: true, web_scheme: 'https' });
        expect(created.sending_dns_records.every((r: Json) => r.valid === 'unknown')).to.equal(true);
        expect(created.sending_dns_records[1].name).to.equal(`k1._domainkey.${NEW}`);
      });

      it('refuses a taken name, a bad name, a bad spam action and an IP the account lacks', async () => {
        expect((await rejection(d().create({ name: DOMAIN }))).details).to.equal('This domain name is already taken');
        expect((await rejection(d().create({ name: 'not a domain' }))).details).to.equal("'not a domain' is not a valid domain name");
        expect((await rejection(d().create({ name: NEW, spam_action: 'drop' }))).details).to.equal("'spam_action' parameter must be one of disabled, block, tag");
        expect((await rejection(d().create({ name: NEW, ips: '192.0.2.1' }))).details).to.equal('IP 192.0.2.1 is not assigned to the account');
        expect((await d().list()).map((x: Json) => x.name)).to.not.include(NEW);
      });
    });

    method('update', () => {
      it('changes spam action, scheme, prefix, wildcard and MAIL FROM host', async () => {
        const updated = await d().update(DOMAIN, { spam_action: 'block', web_scheme: 'https', web_prefix: 'track', wildcard: true, mailfrom_host: `bounce.${DOMAIN}` });
        expect(updated).to.include({ spam_action: 'block', web_scheme: 'https', web_prefix: 'track', wildcard: true, mailfrom_host: `bounce.${DOMAIN}` });
        expect((await rejection(d().update(DOMAIN, { web_scheme: 'gopher' }))).details).to.equal("'web_scheme' parameter must be http or https");
        expect((await rejection(d().update(DOMAIN, { mailfrom_host: 'bounce.elsewhere.example' }))).details).to.equal(`'mailfrom_host' parameter must be a subdomain of ${DOMAIN}`);
      });
    });

    method('verify', () => {
      it('verifies a new domain, which may then send', async () => {
        await d().create({ name: NEW });
        const verified = await d().verify(NEW);
        expect(verified).to.include({ name: NEW, state: 'active' });
        expect(verified.sending_dns_records.every((r: Json) => r.valid === 'valid')).to.equal(true);
        const sent = await h.client.messages.create(NEW, { from: `hello@${NEW}`, to: 'a@example.com', subject: 's', text: 't' });
        expect(sent.message).to.equal('Queued. Thank you.');
        expect((await rejection(d().verify('nowhere.example'))).status).to.equal(404);
      });
    });

    method('destroy', () => {
      it('deletes a domain with the documented message', async () => {
        await d().create({ name: NEW });
        expect(await d().destroy(NEW)).to.deep.equal({ message: 'Domain has been deleted' });
        expect((await rejection(d().get(NEW))).status).to.equal(404);
        expect((await rejection(d().destroy(NEW))).details).to.equal(`Domain not found: ${NEW}`);
      });
    });

    method('getConnection', () => {
      it('reads the delivery connection settings', async () => {
        expect(await d().getConnection(DOMAIN)).to.deep.equal({ connection: { require_tls: false, skip_verification: false } });
      });
    });

    method('updateConnection', () => {
      it('updates require_tls and skip_verification', async () => {
        const out = await d().updateConnection(DOMAIN, { require_tls: true, skip_verification: false });
        expect(out).to.deep.equal({ message: 'Domain connection settings have been updated, may take 10 minutes to fully propagate', 'require-tls': true, 'skip-verification': false });
        expect((await d().getConnection(DOMAIN)).connection.require_tls).to.equal(true);
        expect((await rejection(d().updateConnection(DOMAIN, { require_tls: 'maybe' }))).details).to.equal("'require_tls' parameter must be true or false");
      });
    });

    method('getTracking', () => {
      it('(deprecated) reads the tracking settings through domainTracking', async () => {
        const t = await quiet<any>(() => d().getTracking(DOMAIN));
        expect(t.open).to.deep.equal({ active: false, place_at_the_top: false });
        expect(t.unsubscribe.html_footer).to.include('%unsubscribe_url%');
      });
    });

    method('updateTracking', () => {
      it('(deprecated) updates a tracking setting through domainTracking', async () => {
        expect(await quiet<any>(() => d().updateTracking(DOMAIN, 'click', { active: true }))).to.deep.equal({ message: 'Tracking settings have been updated', click: { active: true } });
      });
    });

    method('getIps', () => {
      it('(deprecated) lists the domain\'s IPs', async () => {
        expect(await quiet<any>(() => d().getIps(DOMAIN))).to.deep.equal(['198.51.100.10', '198.51.100.11']);
      });
    });

    method('assignIp', () => {
      it('(deprecated) assigns an account IP, and refuses one the account lacks', async () => {
        await quiet<any>(() => d().deleteIp(DOMAIN, '198.51.100.10'));
        const res = await quiet<any>(() => d().assignIp(DOMAIN, '198.51.100.10'));
        expect(res).to.deep.include({ status: 200, body: { message: 'success' } });
        expect((await rejection(quiet<any>(() => d().assignIp(DOMAIN, '192.0.2.99')))).details).to.equal('IP 192.0.2.99 is not assigned to the account');
      });
    });

    method('deleteIp', () => {
      it('(deprecated) removes an IP from the domain', async () => {
        expect(await quiet<any>(() => d().deleteIp(DOMAIN, '198.51.100.11'))).to.deep.include({ body: { message: 'success' } });
        expect(await quiet<any>(() => d().getIps(DOMAIN))).to.deep.equal(['198.51.100.10']);
        expect((await rejection(quiet<any>(() => d().deleteIp(DOMAIN, '198.51.100.11')))).status).to.equal(404);
      });
    });

    method('linkIpPool', () => {
      it('(deprecated) links the domain to an IP pool, and refuses an unknown pool', async () => {
        expect(await quiet<any>(() => d().linkIpPool(DOMAIN, 'pool-gatehouse'))).to.deep.include({ body: { message: 'success' } });
        expect((await rejection(quiet<any>(() => d().linkIpPool(DOMAIN, 'pool-none')))).details).to.equal('IP pool pool-none not found');
      });
    });

    method('unlinkIpPoll', () => {
      it('(deprecated) unlinks the pool, replacing it with an IP; refuses both kinds of replacement client-side', async () => {
        await quiet<any>(() => d().linkIpPool(DOMAIN, 'pool-gatehouse'));
        expect(await quiet<any>(() => d().unlinkIpPoll(DOMAIN, { ip: '198.51.100.10' }))).to.deep.include({ body: { message: 'success' } });
        expect((await rejection(quiet<any>(() => d().unlinkIpPoll(DOMAIN, { ip: '198.51.100.10' })))).details).to.equal('Domain is not linked to an IP pool');
        expect(() => d().unlinkIpPoll(DOMAIN, { ip: '1.1.1.1', pool_id: 'p' })).to.throw('Too much data for replacement');
      });
    });

    method('updateDKIMAuthority', () => {
      it('(deprecated) changes the DKIM authority and answers the new sending records', async () => {
        // A subdomain whose root is on the account signs with the root's key unless told otherwise.
        const sub = await d().create({ name: `sub.${DOMAIN}` });
        expect(sub.sending_dns_records[1].name).to.equal(`k1._domainkey.${DOMAIN}`);
        const out = await quiet<any>(() => d().updateDKIMAuthority(`sub.${DOMAIN}`, { self: true }));
        expect(out).to.include({ changed: true, message: 'Domain DKIM authority has been changed' });
        expect(out.sending_dns_records[1].name).to.equal(`k1._domainkey.sub.${DOMAIN}`);
        expect((await quiet<any>(() => d().updateDKIMAuthority(`sub.${DOMAIN}`, { self: true }))).changed).to.equal(false);
      });
    });

    method('updateDKIMSelector', () => {
      it('(deprecated) changes the DKIM selector, and refuses a bad one', async () => {
        expect(await quiet<any>(() => d().updateDKIMSelector(DOMAIN, { dkimSelector: 's2026' }))).to.deep.equal({ status: 200, message: 'Domain DKIM selector updated' });
        expect((await d().get(DOMAIN)).sending_dns_records[1].name).to.equal(`s2026._domainkey.${DOMAIN}`);
        expect((await rejection(quiet<any>(() => d().updateDKIMSelector(DOMAIN, { dkimSelector: '-bad' })))).status).to.equal(400);
      });
    });

    method('updateWebPrefix', () => {
      it('(deprecated) changes the tracking CNAME prefix', async () => {
        expect(await quiet<any>(() => d().updateWebPrefix(DOMAIN, { webPrefix: 'links' }))).to.deep.include({ status: 200, body: { message: 'Domain web prefix updated' } });
        expect((await d().get(DOMAIN)).web_prefix).to.equal('links');
      });
    });
  });

  describe('domains.domainTracking', () => {
    const coverage = methodCoverage('domainTracking', () => Object.getPrototypeOf(h.client.domains.domainTracking), ['_isOpenTrackingInfoWitPlace', '_parseTrackingSettings', '_parseTrackingUpdate']);
    const { method } = coverage;
    const t = () => h.client.domains.domainTracking as any;
    coverage.checkCoverage();

    method('getTracking', () => {
      it('reads open, click and unsubscribe settings as documented', async () => {
        const s = await t().getTracking(DOMAIN);
        expect(Object.keys(s).sort()).to.deep.equal(['click', 'open', 'unsubscribe']);
        expect(s.unsubscribe).to.include({ active: false, text_footer: '\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n' });
      });
    });

    method('updateTracking', () => {
      it('updates open (with place_at_the_top), click (htmlonly) and unsubscribe footers', async () => {
        expect(await t().updateTracking(DOMAIN, 'open', { active: true, place_at_the_top: true })).to.deep.equal({ message: 'Tracking settings have been updated', open: { active: true, place_at_the_top: true } });
        expect((await t().updateTracking(DOMAIN, 'click', { active: 'htmlonly' })).click).to.deep.equal({ active: 'htmlonly' });
        await t().updateTracking(DOMAIN, 'unsubscribe', { active: true, html_footer: '<p>bye</p>' });
        expect((await t().getTracking(DOMAIN)).unsubscribe).to.include({ active: true, html_footer: '<p>bye</p>' });
        expect((await rejection(t().updateTracking(DOMAIN, 'bounce', { active: true }))).status).to.equal(404);
      });
    });

    method('get', () => {
      it('answers 404 before a tracking certificate exists, then its status', async () => {
        expect((await rejection(t().get(DOMAIN))).details).to.equal('Certificate not found');
        await t().generate(DOMAIN);
        expect(await t().get(DOMAIN)).to.include({ responseStatusCode: 200, status: 'processing' });
        expect((await t().get(DOMAIN)).status).to.equal('active');
      });
    });

    method('generate', () => {
      it('starts certificate generation (202) once', async () => {
        expect(await t().generate(DOMAIN)).to.deep.equal({ message: 'Certificate generation in progress', location: `/v2/x509/${DOMAIN}/status`, status: 202 });
        expect((await rejection(t().generate(DOMAIN))).status).to.equal(400);
      });
    });

    method('regenerate', () => {
      it('regenerates an existing certificate, 404 without one', async () => {
        expect((await rejection(t().regenerate(DOMAIN))).status).to.equal(404);
        await t().generate(DOMAIN);
        expect(await t().regenerate(DOMAIN)).to.deep.include({ message: 'Certificate regeneration in progress', status: 202 });
      });
    });
  });

  describe('domains.domainCredentials', () => {
    const coverage = methodCoverage('domainCredentials', () => Object.getPrototypeOf(h.client.domains.domainCredentials), ['_parseDeletedResponse', '_parseDomainCredentialsList', '_parseMessageResponse']);
    const { method } = coverage;
    const c = () => h.client.domains.domainCredentials as any;
    coverage.checkCoverage();

    method('list', () => {
      it('lists SMTP credentials as {items, totalCount}', async () => {
        expect(await c().list(DOMAIN)).to.deep.equal({ items: [], totalCount: 0 });
        await c().create(DOMAIN, { login: 'alice', password: 'secret-1' });
        const out = await c().list(DOMAIN);
        expect(out.totalCount).to.equal(1);
        expect(out.items[0]).to.include({ login: `alice@${DOMAIN}`, mailbox: `alice@${DOMAIN}`, size_bytes: 0 });
        expect(JSON.stringify(out)).to.not.include('secret-1');
      });
    });

    method('create', () => {
      it('creates a login, and refuses a short password and a duplicate', async () => {
        expect(await c().create(DOMAIN, { login: 'bob', password: 'hunter22' })).to.deep.equal({ status: 200, message: 'Created 1 credentials pair(s)' });
        expect((await rejection(c().create(DOMAIN, { login: 'carol', password: 'abc' }))).details).to.equal("'password' parameter must be between 5 and 32 characters long");
        expect((await rejection(c().create(DOMAIN, { login: 'bob', password: 'another1' }))).details).to.equal(`Credentials bob@${DOMAIN} already exist`);
      });
    });

    method('update', () => {
      it('changes a password', async () => {
        await c().create(DOMAIN, { login: 'bob', password: 'hunter22' });
        expect(await c().update(DOMAIN, 'bob', { password: 'hunter23' })).to.deep.equal({ status: 200, message: 'Password changed' });
        expect((await rejection(c().update(DOMAIN, 'nobody', { password: 'hunter23' }))).status).to.equal(404);
      });
    });

    method('destroy', () => {
      it('deletes one login and names it in spec', async () => {
        await c().create(DOMAIN, { login: 'bob', password: 'hunter22' });
        expect(await c().destroy(DOMAIN, 'bob')).to.deep.equal({ status: 200, message: 'Credentials have been deleted', spec: `bob@${DOMAIN}` });
        expect((await rejection(c().destroy(DOMAIN, 'bob'))).details).to.equal('Credentials not found');
      });
    });

    method('destroyAll', () => {
      it('deletes every login and counts them', async () => {
        await c().create(DOMAIN, { login: 'a1', password: 'hunter22' });
        await c().create(DOMAIN, { login: 'a2', password: 'hunter22' });
        expect(await c().destroyAll(DOMAIN)).to.deep.equal({ message: 'All domain credentials have been deleted', count: 2, status: 200 });
        expect((await c().list(DOMAIN)).totalCount).to.equal(0);
      });
    });
  });
});
