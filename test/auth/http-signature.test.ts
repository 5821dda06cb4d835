import { expect } from 'chai';
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { ProxyError } from '../../proxy/core/errors.ts';
import { buildSigningString, verifyHttpSignature, verifyHttpSignatureRotating, type SignedRequest, type VerifyOptions } from '../../proxy/auth/http-signature.ts';
import { IDENTITY_HEADER, signatureMiddleware } from '../../proxy/auth/signature-middleware.ts';
import { SignatureReplayCache } from '../../proxy/auth/replay-cache.ts';
import { digestHeader, signRequest, type SignOptions } from '../../emulators/gateway/sign.ts';
import type { Deps, RouteRequest } from '../../proxy/core/types.ts';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const { privateKey, publicKey } = pair();
const other = pair();
const NOW = Date.parse('2024-05-01T12:00:00Z');
const BODY = Buffer.from('{"name":"item_purchased","data":{"price":29.99}}');

function request(over: Partial<SignedRequest> = {}): SignedRequest {
  return { method: 'POST', path: '/api/v1/cio/device', rawQuery: '', headers: { host: 'proxy.local', 'content-type': 'application/json' }, body: BODY, ...over };
}

/** The request with the gateway's signature headers added. */
function signed(req: SignedRequest = request(), opts: SignOptions = {}, key = privateKey): SignedRequest {
  return { ...req, headers: { ...req.headers, ...signRequest(req, key, { now: NOW, ...opts }) } };
}

const verify = (req: SignedRequest, opts: Partial<VerifyOptions> = {}) => verifyHttpSignature(req, { publicKeys: publicKey, now: NOW, ...opts });

function failure(fn: () => unknown): ProxyError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ProxyError);
    return e as ProxyError;
  }
  throw new Error('expected a ProxyError');
}

function expectCode(fn: () => unknown, code: string, status = 401): ProxyError {
  const err = failure(fn);
  expect(err.code, err.message).to.equal(code);
  expect(err.status).to.equal(status);
  return err;
}

/** Replace one signature parameter's raw text. */
const withParam = (req: SignedRequest, name: string, value: string): SignedRequest => ({
  ...req,
  headers: { ...req.headers, signature: req.headers.signature.replace(new RegExp(`${name}=("[^"]*"|[^,]*)`), `${name}=${value}`) },
});

describe('verifyHttpSignature', () => {
  describe('accepts', () => {
    it('a valid rsa-sha256 signature over (request-target) host date digest', () => {
      const req = signed();
      const { signature, ...result } = verify(req);
      expect(result).to.deep.equal({ keyId: 'gatehouse-gateway', algorithm: 'rsa-sha256', signedHeaders: ['(request-target)', 'host', 'date', 'digest'], validUntil: NOW + 300_000 });
      expect(signature.toString('base64')).to.equal(/signature="([^"]+)"/.exec(req.headers.signature)![1]);
    });

    it('a valid hs2019 signature made the draft way (RSASSA-PSS, SHA-512)', () => {
      expect(verify(signed(request(), { algorithm: 'hs2019' })).algorithm).to.equal('hs2019');
    });

    it('hs2019 signed the way deployed implementations do (RSASSA-PKCS1-v1_5, SHA-256)', () => {
      const req = request({ method: 'GET', body: Buffer.alloc(0), headers: { host: 'proxy.local', date: new Date(NOW).toUTCString() } });
      const text = buildSigningString({ headers: ['(request-target)', 'host', 'date'] }, req);
      const sig = sign('sha256', Buffer.from(text), { key: privateKey, padding: constants.RSA_PKCS1_PADDING }).toString('base64');
      req.headers.signature = `keyId="k",algorithm="hs2019",headers="(request-target) host date",signature="${sig}"`;
      expect(verify(req).algorithm).to.equal('hs2019');
    });

    it('(created) instead of a Date header', () => {
      const req = signed(request(), { algorithm: 'hs2019', headers: ['(request-target)', '(created)', 'host', 'digest'] });
      expect(req.headers.date).to.equal(undefined);
      expect(verify(req).signedHeaders).to.include('(created)');
    });

    it('the Authorization: Signature form', () => {
      const req = signed();
      const { signature, ...rest } = req.headers;
      expect(verify({ ...req, headers: { ...rest, authorization: `Signature ${signature}` } }).keyId).to.equal('gatehouse-gateway');
    });

    it('a query string as part of (request-target), and only the signed one', () => {
      const req = signed(request({ method: 'GET', path: '/v1/campaigns', rawQuery: 'limit=10&start=a%20b', body: Buffer.alloc(0) }));
      expect(verify(req).signedHeaders[0]).to.equal('(request-target)');
      expectCode(() => verify({ ...req, rawQuery: 'limit=1000&start=a%20b' }), 'signature_invalid');
      expectCode(() => verify({ ...req, rawQuery: '' }), 'signature_invalid');
    });

    it('a signing string built exactly as draft-cavage-12 §2.3 says', () => {
      const req = request({ method: 'GET', path: '/foo', rawQuery: 'param=value&pet=dog', body: Buffer.alloc(0), headers: { host: 'example.com', date: ' Sun, 05 Jan 2014 21:31:40 GMT ', 'x-multi': 'a, b' } });
      const expected = '(request-target): get /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT\nx-multi: a, b';
      expect(buildSigningString({ headers: ['(request-target)', 'host', 'date', 'x-multi'] }, req)).to.equal(expected);
      const sig = sign('sha256', Buffer.from(expected), privateKey).toString('base64');
      req.headers.signature = `keyId="k",algorithm="rsa-sha256",headers="(request-target) host date x-multi",signature="${sig}"`;
      expect(verify(req, { now: Date.parse('Sun, 05 Jan 2014 21:31:40 GMT') }).signedHeaders).to.have.length(4);
    });

    it('an RFC 3230 Digest list, choosing its SHA-256 entry', () => {
      const req = request();
      req.headers.digest = `MD5=HUXZLQLMuI/KZ5KDcJPcOA==, ${digestHeader(BODY).replace('SHA-256', 'sha-256')}`;
      verify(signed(req));
    });

    it('a Date exactly 300 s away on either side, but not 301 s', () => {
      const req = signed();
      verify(req, { now: NOW + 300_000 });
      verify(req, { now: NOW - 300_000 });
      expectCode(() => verify(req, { now: NOW + 301_000 }), 'date_skew');
      expectCode(() => verify(req, { now: NOW - 301_000 }), 'date_skew');
    });

    it('a created parameter exactly at the skew limit, with a configurable limit', () => {
      const req = signed(request(), { algorithm: 'hs2019', headers: ['(request-target)', '(created)', 'host', 'digest'] });
      verify(req, { now: NOW + 60_000, maxSkewSeconds: 60 });
      expectCode(() => verify(req, { now: NOW + 61_000, maxSkewSeconds: 60 }), 'date_skew');
    });

    it('a key table keyed by keyId, and a PEM whose newlines arrive as "\\n"', () => {
      verify(signed(), { publicKeys: { old: other.publicKey, 'gatehouse-gateway': publicKey } });
      verify(signed(), { publicKeys: publicKey.replace(/\n/g, '\\n') });
    });
  });

  describe('rejects, each with its own code', () => {
    it('signature_missing: no Signature and no Authorization: Signature', () => {
      expectCode(() => verify(request()), 'signature_missing');
      expectCode(() => verify(request({ headers: { host: 'h', authorization: 'Bearer abc' } })), 'signature_missing');
    });

    it('signature_malformed: unparsable, without keyId, non-base64 signature, duplicate or non-numeric parameters', () => {
      expectCode(() => verify(request({ headers: { host: 'h', signature: 'this is not a parameter list' } })), 'signature_malformed');
      expectCode(() => verify(request({ headers: { host: 'h', signature: 'algorithm="rsa-sha256",signature="abc="' } })), 'signature_malformed');
      expectCode(() => verify(withParam(signed(), 'signature', '"not base64!"')), 'signature_malformed');
      expectCode(() => verify({ ...signed(), headers: { ...signed().headers, signature: `${signed().headers.signature},keyId="x"` } }), 'signature_malformed');
      expectCode(() => verify(withParam(signed(request(), { algorithm: 'hs2019' }), 'created', '12.5')), 'signature_malformed');
    });

    it('signature_algorithm_unsupported: hmac-sha256, or an unknown name', () => {
      expectCode(() => verify(withParam(signed(), 'algorithm', '"hmac-sha256"')), 'signature_algorithm_unsupported');
      expectCode(() => verify(withParam(signed(), 'algorithm', '"rsa-sha1"')), 'signature_algorithm_unsupported');
    });

    it('signature_unknown_key: a keyId with no configured key', () => {
      const err = expectCode(() => verify(signed(request(), { keyId: 'someone-else' }), { publicKeys: { 'gatehouse-gateway': publicKey } }), 'signature_unknown_key');
      expect(err.message).to.contain('someone-else');
    });

    it('signature_header_not_signed: host, (request-target), a present Digest, or a required extra header left out', () => {
      expectCode(() => verify(signed(request(), { headers: ['(request-target)', 'date', 'digest'] })), 'signature_header_not_signed');
      expectCode(() => verify(signed(request(), { headers: ['host', 'date', 'digest'] })), 'signature_header_not_signed');
      const get = request({ method: 'GET', body: Buffer.alloc(0), headers: { host: 'h', digest: digestHeader('') } });
      expectCode(() => verify(signed(get, { headers: ['(request-target)', 'host', 'date'] })), 'signature_header_not_signed');
      expectCode(() => verify(signed(), { requiredHeaders: ['content-type'] }), 'signature_header_not_signed');
    });

    it('signature_header_missing: a signed header that is not in the request', () => {
      const req = signed(request({ headers: { host: 'h', 'x-extra': '1' } }), { headers: ['(request-target)', 'host', 'date', 'digest', 'x-extra'] });
      const { 'x-extra': _gone, ...rest } = req.headers;
      expectCode(() => verify({ ...req, headers: rest }), 'signature_header_missing');
    });

    it('signature_pseudo_header_not_allowed: (created) with rsa-sha256 (draft §2.3 MUST error)', () => {
      expectCode(() => verify(signed(request(), { headers: ['(request-target)', '(created)', 'host', 'digest'] })), 'signature_pseudo_header_not_allowed');
    });

    it('digest_missing: a body without a Digest header', () => {
      const req = signed(request(), { headers: ['(request-target)', 'host', 'date'] });
      expectCode(() => verify(req), 'digest_missing');
    });

    it('digest_mismatch: a body changed after signing', () => {
      const req = signed();
      expectCode(() => verify({ ...req, body: Buffer.from('{"name":"item_refunded"}') }), 'digest_mismatch');
    });

    it('digest_unsupported: a Digest with no SHA-256 entry', () => {
      const req = request();
      req.headers.digest = 'MD5=HUXZLQLMuI/KZ5KDcJPcOA==';
      expectCode(() => verify(signed(req)), 'digest_unsupported');
    });

    it('date_missing: neither date nor (created) signed', () => {
      const req = signed(request({ method: 'GET', body: Buffer.alloc(0) }), { headers: ['(request-target)', 'host'] });
      expectCode(() => verify(req), 'date_missing');
    });

    it('date_invalid: a signed Date that is not a date', () => {
      const req = signed(request({ headers: { host: 'h', date: 'yesterday-ish' } }));
      expectCode(() => verify(req), 'date_invalid');
    });

    it('date_skew: a signature older than 300 s', () => {
      const err = expectCode(() => verify(signed(request(), { now: NOW - 600_000 })), 'date_skew');
      expect(err.message).to.contain('300 s');
    });

    it('signature_expired: an expires parameter in the past', () => {
      const req = signed(request(), { algorithm: 'hs2019', expiresInSeconds: 10, headers: ['(request-target)', '(created)', '(expires)', 'host', 'digest'] });
      verify(req, { now: NOW + 10_000 });
      expectCode(() => verify(req, { now: NOW + 11_000 }), 'signature_expired');
    });

    it('signature_invalid: a tampered signed header, another key, or a changed method', () => {
      const req = signed(request({ headers: { host: 'proxy.local', [IDENTITY_HEADER]: 'alice@example.com' } }));
      expectCode(() => verify({ ...req, headers: { ...req.headers, [IDENTITY_HEADER]: 'mallory@example.com' } }), 'signature_invalid');
      expectCode(() => verify(signed(request(), {}, other.privateKey)), 'signature_invalid');
      expectCode(() => verify({ ...req, method: 'PUT' }), 'signature_invalid');
    });

    it('signature_key_invalid (500): a configured key that is not a key', () => {
      expectCode(() => verify(signed(), { publicKeys: 'not a pem' }), 'signature_key_invalid', 500);
    });

    it('never puts the signature or the digest in its messages', () => {
      const req = signed(request({ headers: { host: 'h', date: 'nope' } }));
      const sig = /signature="([^"]+)"/.exec(req.headers.signature)![1];
      for (const err of [failure(() => verify(req)), failure(() => verify({ ...signed(), body: Buffer.from('x') }))]) {
        expect(err.message).not.to.contain(sig.slice(0, 16));
        expect(err.message).not.to.contain(digestHeader(BODY).slice(8, 24));
      }
    });
  });
});

describe('signatureMiddleware', () => {
  const deps = { clock: { now: () => NOW, sleep: async () => {} } } as unknown as Deps;
  const mw = signatureMiddleware({ publicKeys: publicKey });
  const routeReq = (r: SignedRequest): RouteRequest => ({ ...r, requestId: 't', params: {}, query: new URLSearchParams(r.rawQuery) });

  it('sets the identity from a signed x-user-email', async () => {
    const req = routeReq(signed(request({ headers: { host: 'h', [IDENTITY_HEADER]: 'alice@example.com' } })));
    expect(await mw(req, deps)).to.equal(undefined);
    expect(req.identity).to.deep.equal({ email: 'alice@example.com' });
  });

  it('marks a signed request without an identity header as anonymous', async () => {
    const req = routeReq(signed());
    await mw(req, deps);
    expect(req.identity).to.equal(null);
  });

  it('refuses an identity header the signature does not cover', async () => {
    const req = routeReq(signed());
    req.headers[IDENTITY_HEADER] = 'mallory@example.com';
    const err = await mw(req, deps).then(() => undefined, (e: ProxyError) => e);
    expect(err?.code).to.equal('identity_not_signed');
    expect(err?.status).to.equal(401);
  });

  it('uses the injected clock for the skew check', async () => {
    const late = { clock: { now: () => NOW + 301_000, sleep: async () => {} } } as unknown as Deps;
    const err = await mw(routeReq(signed()), late).then(() => undefined, (e: ProxyError) => e);
    expect(err?.code).to.equal('date_skew');
  });
});

describe('a live key set by keyId (rotation)', () => {
  /** A key set whose content changes only when re-read, as the store-backed one does. */
  const liveSet = (stored: Record<string, string>) => {
    let held = { ...stored };
    const set = { reads: 0, stored, lookup: (id: string) => held[id], refresh: async () => { set.reads++; held = { ...set.stored }; } };
    return set;
  };

  it('verifies against the key its keyId names, and refuses a keyId the set does not hold', async () => {
    const set = liveSet({ old: publicKey, next: other.publicKey });
    expect((await verifyHttpSignatureRotating(signed(request(), { keyId: 'next' }, other.privateKey), { publicKeys: set, now: NOW })).keyId).to.equal('next');
    expectCode(() => verifyHttpSignature(signed(request(), { keyId: 'old' }, other.privateKey), { publicKeys: set, now: NOW }), 'signature_invalid');
    const err = await verifyHttpSignatureRotating(signed(request(), { keyId: 'unknown' }), { publicKeys: set, now: NOW }).then(() => { throw new Error("expected a refusal"); }, (e: ProxyError) => e);
    expect(err.code).to.equal('signature_unknown_key');
  });

  it('re-reads the set once when a request names an unknown keyId, then verifies with the key it found', async () => {
    const set = liveSet({ old: publicKey });
    set.stored = { old: publicKey, next: other.publicKey }; // written to the store, not yet re-read
    const ok = await verifyHttpSignatureRotating(signed(request(), { keyId: 'next' }, other.privateKey), { publicKeys: set, now: NOW });
    expect(ok.keyId).to.equal('next');
    expect(set.reads).to.equal(1);
    await verifyHttpSignatureRotating(signed(request(), { keyId: 'next' }, other.privateKey), { publicKeys: set, now: NOW });
    expect(set.reads).to.equal(1);
  });

  it('does not re-read for a known keyId whose signature fails', async () => {
    const set = liveSet({ old: publicKey });
    const err = await verifyHttpSignatureRotating(signed(request(), { keyId: 'old' }, other.privateKey), { publicKeys: set, now: NOW }).then(() => { throw new Error("expected a refusal"); }, (e: ProxyError) => e);
    expect(err.code).to.equal('signature_invalid');
    expect(set.reads).to.equal(0);
  });
});

describe('signatureMiddleware replay protection', () => {
  const at = (now: number) => ({ clock: { now: () => now, sleep: async () => {} } }) as unknown as Deps;
  const routeReq = (r: SignedRequest): RouteRequest => ({ ...r, headers: { ...r.headers }, requestId: 't', params: {}, query: new URLSearchParams(r.rawQuery) });
  const outcome = (mw: ReturnType<typeof signatureMiddleware>, r: SignedRequest, now = NOW) => mw(routeReq(r), at(now)).then(() => 'ok', (e: ProxyError) => `${e.status} ${e.code}`);

  it('accepts a signed request once and refuses the same signature again with 401 signature_replayed', async () => {
    const mw = signatureMiddleware({ publicKeys: publicKey });
    const req = signed();
    expect(await outcome(mw, req)).to.equal('ok');
    expect(await outcome(mw, req)).to.equal('401 signature_replayed');
    expect(await outcome(mw, req, NOW + 299_000), 'still inside the 300 s window').to.equal('401 signature_replayed');
  });

  it('accepts two identical requests the gateway signed with different request ids', async () => {
    const mw = signatureMiddleware({ publicKeys: publicKey });
    const one = signed(request({ headers: { host: 'h', 'x-gateway-request-id': 'a' } }));
    const two = signed(request({ headers: { host: 'h', 'x-gateway-request-id': 'b' } }));
    expect(await outcome(mw, one)).to.equal('ok');
    expect(await outcome(mw, two)).to.equal('ok');
  });

  it('does not count a base64 spelling with other padding bits as a new signature', async () => {
    const mw = signatureMiddleware({ publicKeys: publicKey });
    const req = signed();
    expect(await outcome(mw, req)).to.equal('ok');
    // 256 signature bytes end in "==": the last character before the padding carries 4 unused bits.
    const sig = /signature="([^"]+)"/.exec(req.headers.signature)![1];
    const last = sig[sig.length - 3];
    const twin = sig.slice(0, -3) + String.fromCharCode(last.charCodeAt(0) + 1) + '==';
    expect(Buffer.from(twin, 'base64').equals(Buffer.from(sig, 'base64')), 'same bytes').to.equal(true);
    expect(await outcome(mw, withParam(req, 'signature', `"${twin}"`))).to.equal('401 signature_replayed');
  });

  it('remembers a signature only while it is valid, and stays within its bound by dropping the oldest', async () => {
    const cache = new SignatureReplayCache(2);
    const mw = signatureMiddleware({ publicKeys: publicKey, replays: cache });
    const reqs = ['a', 'b', 'c'].map((id) => signed(request({ headers: { host: 'h', 'x-gateway-request-id': id } })));
    for (const r of reqs) expect(await outcome(mw, r)).to.equal('ok');
    expect(cache.stats()).to.deep.equal({ entries: 2, evicted: 1 });
    expect(await outcome(mw, reqs[2])).to.equal('401 signature_replayed');
    // Past the window the signature is refused as too old, and the cache has let it go.
    expect(await outcome(mw, reqs[2], NOW + 301_000)).to.equal('401 date_skew');
    expect(cache.admit(Buffer.from('x'), NOW + 1000, NOW + 301_000)).to.equal(true);
    expect(cache.stats().entries, 'expired entries swept').to.equal(1);
  });
});
