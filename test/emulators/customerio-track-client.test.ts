/**
 * customerio-node's TrackClient against the fake Customer.io, method by method: each public method of the client
 * (read from its prototype) has a describe here with the answer Customer.io documents (Track API v1: 200 `{}`) and
 * the errors a wrong call gets — the client's own MissingParamError, and the fake's 400/401 `{"meta":{"error"}}`.
 */
import { expect } from 'chai';
import { TrackClient } from 'customerio-node';
import { basic, expectRejected, SITE, startCioHarness, TRACK_KEY, type CioHarness } from '../helpers/customerio.ts';
import { methodCoverage } from '../helpers/client-methods.ts';

describe('customerio-node TrackClient against the fake Customer.io', () => {
  let h: CioHarness;
  let track: TrackClient;
  const coverage = methodCoverage('TrackClient', () => TrackClient.prototype);
  const { method } = coverage;

  before(async () => {
    h = await startCioHarness();
    track = h.track();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  const person = async (id: string) => (await h.admin(`/people/${encodeURIComponent(id)}`)).body;
  const state = async () => (await h.admin('/state')).body;
  const activities = async (id: string, query = '') => ((await h.api().request.get(`${h.cio.https.url}/v1/customers/${id}/activities${query}`)) as any).activities as any[];
  const attributes = async (id: string, idType = 'id') => ((await h.api().getAttributes(id, idType as any)) as any).customer;

  coverage.checkCoverage();

  method('identify', () => {
    it('creates a person by id and answers {}', async () => {
      expect(await track.identify('user-new', { email: 'new@example.com', plan: 'team' })).to.deep.equal({});
      expect((await attributes('user-new')).attributes).to.include({ email: 'new@example.com', plan: 'team' });
    });

    it('creates an email-only person when the identifier is an email', async () => {
      await track.identify('solo@example.com', { plan: 'free' });
      const p = await person('solo@example.com');
      expect(p).to.include({ email: 'solo@example.com', deleted: false });
      expect(p.id).to.equal(undefined);
    });

    it('updates an existing person by cio_id, and never creates one from an unknown cio_id', async () => {
      const ada = await person('user-ada');
      await track.identify(`cio_${ada.cioId}`, { plan: 'enterprise' });
      expect((await attributes('user-ada')).attributes.plan).to.equal('enterprise');
      expect(await track.identify('cio_ffffffff', { plan: 'x' })).to.deep.equal({});
      expect((await h.admin('/people/cio_ffffffff')).status).to.equal(404);
    });

    it('refuses a blank id client-side, an oversized value with 400, wrong credentials with 401', async () => {
      expect(() => track.identify('')).to.throw('customerId is required');
      const err = await expectRejected(track.identify('user-ada', { bio: 'b'.repeat(1001) }), 400);
      expect(err.message).to.equal("value for attribute 'bio' cannot be longer than 1000 bytes");
      expect((await expectRejected(h.track(SITE, 'wrong').identify('user-ada', { plan: 'x' }), 401)).message).to.equal('Unauthorized request');
    });
  });

  method('destroy', () => {
    it('deletes the person: the App API no longer finds them', async () => {
      expect(await track.destroy('user-grace')).to.deep.equal({});
      await expectRejected(h.api().getAttributes('user-grace'), 404);
      // Deletion forgets the identifiers too: the id is free for someone new.
      expect((await h.admin('/people/user-grace')).status).to.equal(404);
    });

    it('answers {} for someone who does not exist, and refuses a blank id client-side', async () => {
      expect(await track.destroy('nobody')).to.deep.equal({});
      expect(() => track.destroy(' ')).to.throw('customerId is required');
    });
  });

  method('suppress', () => {
    it('deletes and blocks the identifier: later identifies are accepted and ignored', async () => {
      expect(await track.suppress('user-ada')).to.deep.equal({});
      await track.identify('user-ada', { plan: 'back' });
      await expectRejected(h.api().getAttributes('user-ada'), 404);
      expect(await person('user-ada')).to.include({ suppressed: true, deleted: true });
    });

    it('blocks an identifier nobody has yet, and refuses a blank one client-side', async () => {
      await track.suppress('future-user');
      await track.identify('future-user', { plan: 'x' });
      await expectRejected(h.api().getAttributes('future-user'), 404);
      expect(() => track.suppress('')).to.throw('customerId is required');
    });
  });

  method('unsuppress', () => {
    it('lifts a suppression so the identifier can be identified again', async () => {
      await track.suppress('user-ada');
      expect(await track.unsuppress('user-ada')).to.deep.equal({});
      await track.identify('user-ada', { plan: 'back' });
      expect((await attributes('user-ada')).attributes.plan).to.equal('back');
      expect(() => track.unsuppress('')).to.throw('customerId is required');
    });
  });

  method('track', () => {
    it('records an event the App API lists among the activities, once per event id', async () => {
      const event = { name: 'purchase', id: '01HZX3Q8Y4J6T2B9C0D1E2F3G4', data: { price: 23.45 } };
      expect(await track.track('user-ada', event)).to.deep.equal({});
      await track.track('user-ada', event);
      const purchases = await activities('user-ada', '?type=event&name=purchase');
      expect(purchases).to.have.length(1);
      expect(purchases[0].data).to.deep.equal({ price: 23.45 });
    });

    it('refuses a missing name client-side and data that is not a hash with 400', async () => {
      expect(() => track.track('user-ada', {})).to.throw('data.name is required');
      expect(() => track.track('', { name: 'x' })).to.throw('customerId is required');
      const err = await expectRejected(track.track('user-ada', { name: 'x', data: 'nope' }), 400);
      expect(err.message).to.equal('event data must be a hash');
    });
  });

  method('trackAnonymous', () => {
    it('records an anonymous event that merges into the person later identified with its anonymous_id', async () => {
      expect(await track.trackAnonymous('anon-42', { name: 'watched_video', data: { video: 'intro' } })).to.deep.equal({});
      expect((await state()).anonymousEvents).to.have.length(1);
      await track.identify('user-grace', { anonymous_id: 'anon-42' });
      expect(await activities('user-grace', '?name=watched_video')).to.have.length(1);
    });

    it('records an event without an anonymous id, and refuses a missing name client-side', async () => {
      await track.trackAnonymous('', { name: 'invite_sent' });
      const [e] = (await state()).anonymousEvents;
      expect(e).to.include({ name: 'invite_sent' });
      expect(e.anonymousId).to.equal(undefined);
      expect(() => track.trackAnonymous('anon-1', {})).to.throw('data.name is required');
    });
  });

  method('trackPageView', () => {
    it('records a page event named by the path', async () => {
      expect(await track.trackPageView('user-ada', '/pricing')).to.deep.equal({});
      const [page] = await activities('user-ada', '?type=page');
      expect(page).to.include({ type: 'page', name: '/pricing' });
    });

    it('refuses a missing path or id client-side, and a path over 100 bytes with 400', async () => {
      expect(() => track.trackPageView('user-ada', '')).to.throw('path is required');
      expect(() => track.trackPageView('', '/x')).to.throw('customerId is required');
      const err = await expectRejected(track.trackPageView('user-ada', `/${'p'.repeat(100)}`), 400);
      expect(err.message).to.equal('event name cannot be longer than 100 bytes');
    });
  });

  method('trackPush', () => {
    it('records a push metric against its delivery, without credentials as the endpoint allows', async () => {
      const { SendPushRequest } = await import('customerio-node');
      const { delivery_id } = (await h.api().sendPush(new SendPushRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 2 }))) as any;
      expect(await track.trackPush({ delivery_id, device_id: 'fcm-token-ada-pixel', event: 'opened', timestamp: 1710000000 })).to.deep.equal({});
      expect((await activities('user-ada')).map((a) => a.type)).to.include('opened_push');
      expect(await h.track(SITE, 'wrong').trackPush({ delivery_id, event: 'delivered' })).to.deep.equal({});
    });

    it('refuses an event outside opened/converted/delivered and a missing delivery_id with 400', async () => {
      const err = await expectRejected(track.trackPush({ delivery_id: 'd', event: 'clicked' as any }), 400);
      expect(err.message).to.equal('event must be one of: opened, converted, delivered');
      expect((await expectRejected(track.trackPush({ event: 'opened' }), 400)).message).to.equal('delivery_id is required');
    });
  });

  method('addDevice', () => {
    it('adds a device and updates it in place on a second call', async () => {
      expect(await track.addDevice('user-grace', 'apns-token-ipad', 'ios', { last_used: 1710000000, app_version: '2.1' })).to.deep.equal({});
      await track.addDevice('user-grace', 'apns-token-ipad', 'ios', { last_used: 1710000999 });
      const devices = (await attributes('user-grace')).devices;
      expect(devices).to.deep.include({ id: 'apns-token-ipad', platform: 'ios', last_used: 1710000999 });
      expect(devices).to.have.length(2);
      expect((await person('user-grace')).devices.find((d: any) => d.id === 'apns-token-ipad').attributes).to.deep.equal({ app_version: '2.1' });
    });

    it('refuses missing arguments client-side and a platform outside ios/android with 400', async () => {
      expect(() => track.addDevice('user-ada', '', 'ios')).to.throw('device_id is required');
      expect(() => track.addDevice('user-ada', 'tok', '')).to.throw('platform is required');
      const err = await expectRejected(track.addDevice('user-ada', 'tok', 'windows'), 400);
      expect(err.message).to.equal('device platform must be one of: ios, android');
    });
  });

  method('deleteDevice', () => {
    it('removes a device; an unknown one is answered {} too', async () => {
      expect(await track.deleteDevice('user-grace', 'apns-token-grace-iphone')).to.deep.equal({});
      expect((await attributes('user-grace')).devices).to.deep.equal([]);
      expect(await track.deleteDevice('user-grace', 'never-registered')).to.deep.equal({});
    });

    it('refuses a missing token or id client-side', async () => {
      expect(() => track.deleteDevice('user-ada', '')).to.throw('deviceToken is required');
      expect(() => track.deleteDevice('', 'tok')).to.throw('customerId is required');
    });
  });

  method('mergeCustomers', () => {
    it('merges the secondary into the primary and deletes the secondary', async () => {
      await track.identify('dup@example.com', { company: 'Analytical Engines', plan: 'ignored' });
      await track.track('dup@example.com', { name: 'signed_up' });
      await track.addDevice('dup@example.com', 'fcm-token-dup', 'android');
      expect(await track.mergeCustomers('id' as any, 'user-ada', 'email' as any, 'dup@example.com')).to.deep.equal({});
      const ada = await attributes('user-ada');
      // Attributes the primary lacks come over; ones it has stay.
      expect(ada.attributes).to.include({ company: 'Analytical Engines', plan: 'pro', email: 'ada@example.com' });
      expect(ada.devices.map((d: any) => d.id)).to.have.members(['fcm-token-ada-pixel', 'fcm-token-dup']);
      expect((await activities('user-ada', '?name=signed_up')).length).to.equal(1);
      expect((await h.admin('/people/dup@example.com')).status).to.equal(404);
      expect(((await h.api().getCustomersByEmail('dup@example.com')) as any).results).to.deep.equal([]);
    });

    it('gives the primary the secondary\'s email when it has none, by cio_id', async () => {
      await track.identify('user-noemail', { plan: 'x' });
      const primary = await person('user-noemail');
      await track.mergeCustomers('cio_id' as any, primary.cioId, 'id' as any, 'user-grace');
      expect((await attributes('user-noemail')).identifiers).to.include({ id: 'user-noemail', email: 'grace@example.com' });
      await expectRejected(h.api().getAttributes('user-grace'), 404);
    });

    it('does nothing when the primary does not exist (still 200 {})', async () => {
      expect(await track.mergeCustomers('id' as any, 'nobody', 'id' as any, 'user-grace')).to.deep.equal({});
      expect((await attributes('user-grace')).identifiers.id).to.equal('user-grace');
    });

    it('refuses a bad identifier type client-side and two identifiers in one side with 400', async () => {
      expect(() => track.mergeCustomers('phone' as any, '1', 'id' as any, '2')).to.throw('primaryIdType and secondaryIdType must be one of "id", "cio_id", or "email"');
      expect(() => track.mergeCustomers('id' as any, '', 'id' as any, '2')).to.throw('primaryId is required');
      const res = await h.raw('POST', '/api/v1/merge_customers', { primary: { id: 'user-ada', email: 'ada@example.com' }, secondary: { id: 'user-grace' } }, basic(SITE, TRACK_KEY));
      expect(res).to.deep.include({ status: 400, body: { meta: { error: 'primary must identify a person by exactly one of id, email or cio_id' } } });
      expect((await h.raw('POST', '/api/v1/merge_customers', { primary: { id: 'user-ada' } })).body.meta.error).to.equal('secondary is required: an object with one of id, email or cio_id');
    });
  });
});
