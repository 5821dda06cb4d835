/**
 * The local CloudFront edge in front of S3 (the embedded AWS edge, or AWS_ENDPOINT_URL): objects seeded with the
 * SDK, URLs and cookies signed with @aws-sdk/cloudfront-signer (and by hand, as botocore signs), fetched over
 * HTTP and HTTPS (trusting the local CA).
 */
import { expect } from 'chai';
import { createSign, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { awsTarget, type AwsTarget } from '../helpers/aws.ts';
import { encodeCloudFrontBase64, splitSigningParams, startCloudFront, verifySignedRequest, type RunningCloudFront } from '../../emulators/cloudfront/index.ts';

const DOMAIN = 'd111111abcdef8.cloudfront.net';
const BUCKET = 'gatehouse-package-assets';
const REPORT = 'reports/2025/08/statement 42.pdf';
const PARQUET = 'O1/D123/P456/data.parquet';
const reportBytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
const parquetBytes = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 1), Buffer.from('PAR1')]);
const T0 = Date.UTC(2025, 7, 12, 9, 0, 0);

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

describe('CloudFront edge (signed URLs and cookies)', () => {
  let aws: AwsTarget;
  let cf: RunningCloudFront;
  let ca: string;
  let caFile: string;
  let keyDir: string;
  let clock = T0;
  const dirs: string[] = [];
  const tmp = (p: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), p));
    dirs.push(d);
    return d;
  };
  const at = (offsetSeconds: number) => new Date(clock + offsetSeconds * 1000).toISOString();
  const inOneDay = () => at(86_400);

  /** A GET/HEAD against the edge; `url` may name the distribution's domain (rewritten to the local listener). */
  function fetchEdge(url: string, o: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const target = new URL(cf.toLocal(url));
    const lib = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(target, { method: o.method ?? 'GET', headers: o.headers, ca, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  const admin = async (p: string, method = 'GET') => (await fetch(`${cf.http.url}/__admin${p}`, { method })).json() as Promise<any>;
  const sign = (url: string, extra: Record<string, string | undefined> = {}) =>
    getSignedUrl({ url, keyPairId: cf.keyPairId, privateKey: cf.privateKeyPem(), dateLessThan: inOneDay(), ...extra });
  const expectDenied = (r: Reply, code: string, message: string) => {
    expect(r.status).to.equal(403);
    expect(r.headers['content-type']).to.equal('text/xml');
    expect(r.headers['x-cache']).to.equal('Error from cloudfront');
    expect(r.body.toString()).to.equal(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
  };
  const lastDenial = async () => ((await admin('/state')).denials.recent as { reason: string }[]).at(-1)?.reason;

  before(async () => {
    aws = await awsTarget();
    const s3 = new S3Client({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((e: { name?: string }) => {
      if (e.name !== 'BucketAlreadyOwnedByYou') throw e;
    });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: REPORT, Body: reportBytes, ContentType: 'application/pdf' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: PARQUET, Body: parquetBytes, ContentType: 'application/vnd.apache.parquet' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'public/hello.txt', Body: 'hello', ContentType: 'text/plain' }));
    s3.destroy();
    const tlsDir = tmp('cf-tls-');
    keyDir = tmp('cf-keys-');
    cf = await startCloudFront({ port: 0, httpsPort: 0, origin: aws, tlsDir, keyDir, env: {}, now: () => clock, trustForwardedFor: true });
    caFile = path.join(tlsDir, 'ca.pem');
    ca = fs.readFileSync(caFile, 'utf8');
  });
  after(async () => {
    await cf?.close();
    await aws?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  beforeEach(async () => {
    clock = T0;
    await admin('/reset', 'POST');
  });

  const reportUrl = (scheme = 'https') => `${scheme}://${DOMAIN}/reports/2025/08/statement%2042.pdf`;

  describe('valid signatures', () => {
    it('serves the exact bytes for a canned-policy URL over HTTPS, with S3 metadata and CloudFront headers', async () => {
      const r = await fetchEdge(sign(reportUrl()));
      expect(r.status).to.equal(200);
      expect(r.body.equals(reportBytes)).to.equal(true);
      expect(r.headers).to.include({ 'content-type': 'application/pdf', 'content-length': '3000', 'cache-control': 'max-age=86400', 'x-cache': 'Miss from cloudfront', server: 'CloudFront' });
      expect(r.headers.etag).to.match(/^"[0-9a-f]{32}"$/);
      expect(Date.parse(String(r.headers['last-modified']))).to.be.a('number').and.not.NaN;
      expect(r.headers.via).to.match(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
      expect(r.headers['x-amz-cf-id']).to.be.a('string').with.length.above(20);
    });

    it('serves a canned-policy URL over plain HTTP when it was signed for http://', async () => {
      const r = await fetchEdge(sign(reportUrl('http')));
      expect(r.status).to.equal(200);
      expect(r.body.equals(reportBytes)).to.equal(true);
    });

    it('accepts a custom policy with a wildcard resource, a start date and the client in the CIDR', async () => {
      const url = sign(reportUrl(), { dateGreaterThan: at(-60), ipAddress: '127.0.0.0/8' });
      expect(url).to.include('Policy=').and.not.include('Expires=');
      expect((await fetchEdge(url)).status).to.equal(200);
      const policy = JSON.stringify({ Statement: [{ Resource: `https://${DOMAIN}/reports/*`, Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(clock / 1000) + 600 } } }] });
      const wild = getSignedUrl({ url: reportUrl(), keyPairId: cf.keyPairId, privateKey: cf.privateKeyPem(), policy });
      const r = await fetchEdge(wild);
      expect(r.status).to.equal(200);
      expect(r.body.equals(reportBytes)).to.equal(true);
    });

    it('accepts signed cookies with a canned and with a custom policy', async () => {
      const canned = getSignedCookies({ url: reportUrl(), keyPairId: cf.keyPairId, privateKey: cf.privateKeyPem(), dateLessThan: inOneDay() });
      expect(canned).to.have.property('CloudFront-Expires');
      const policy = JSON.stringify({ Statement: [{ Resource: `https://${DOMAIN}/*`, Condition: { DateLessThan: { 'AWS:EpochTime': Math.floor(clock / 1000) + 600 } } }] });
      const custom = getSignedCookies({ keyPairId: cf.keyPairId, privateKey: cf.privateKeyPem(), policy });
      for (const cookies of [canned, custom]) {
        const cookie = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
        const r = await fetchEdge(reportUrl(), { headers: { cookie } });
        expect(r.status).to.equal(200);
        expect(r.body.equals(reportBytes)).to.equal(true);
      }
    });

    it('verifies a URL signed as botocore CloudFrontSigner.generate_presigned_url does (RSA-SHA1, compact canned policy)', async () => {
      const expires = Math.floor(clock / 1000) + 25 * 86_400;
      const resource = reportUrl();
      const policy = `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
      const signature = createSign('RSA-SHA1').update(policy).sign(cf.privateKeyPem(), 'base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
      const r = await fetchEdge(`${resource}?Expires=${expires}&Signature=${signature}&Key-Pair-Id=${cf.keyPairId}`);
      expect(r.status).to.equal(200);
      expect(r.body.equals(reportBytes)).to.equal(true);
    });

    it('accepts a request addressed to the distribution domain (SNI and Host), its certificate trusted via the local CA', async () => {
      const signed = new URL(sign(reportUrl()));
      const r = await new Promise<number>((resolve, reject) => {
        https.get({ host: '127.0.0.1', port: cf.https.port, servername: DOMAIN, ca, path: signed.pathname + signed.search, headers: { host: DOMAIN }, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(r).to.equal(200);
    });
  });

  describe('refusals', () => {
    it('refuses an expired URL and one not yet valid with AccessDenied', async () => {
      const url = sign(reportUrl(), { dateLessThan: at(60) });
      clock += 61_000;
      expectDenied(await fetchEdge(url), 'AccessDenied', 'Access denied');
      expect(await lastDenial()).to.equal('expired');
      const later = sign(reportUrl(), { dateGreaterThan: at(3600) });
      expectDenied(await fetchEdge(later), 'AccessDenied', 'Access denied');
      expect(await lastDenial()).to.equal('not-yet-valid');
    });

    it('refuses a tampered signature, path or expiry', async () => {
      const url = sign(reportUrl());
      const sig = /Signature=([^&]+)/.exec(url)![1];
      const tampered = url.replace(`Signature=${sig}`, `Signature=${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`);
      expectDenied(await fetchEdge(tampered), 'AccessDenied', 'Access denied');
      expect(await lastDenial()).to.equal('bad-signature');
      expectDenied(await fetchEdge(url.replace('statement%2042', 'statement%2043')), 'AccessDenied', 'Access denied');
      const expires = Number(/Expires=(\d+)/.exec(url)![1]);
      expectDenied(await fetchEdge(url.replace(`Expires=${expires}`, `Expires=${expires + 86_400}`)), 'AccessDenied', 'Access denied');
      expect(await lastDenial()).to.equal('bad-signature');
    });

    it('refuses a custom-policy URL used for another object (resource mismatch)', async () => {
      const url = sign(reportUrl(), { ipAddress: '127.0.0.1' });
      expectDenied(await fetchEdge(url.replace('/reports/', '/other/')), 'AccessDenied', 'Access denied');
      expect(await lastDenial()).to.equal('resource-mismatch');
    });

    it('refuses an unknown key-pair id with InvalidKey and a signature it cannot decode with MalformedSignature', async () => {
      const url = sign(reportUrl());
      expectDenied(await fetchEdge(url.replace(`Key-Pair-Id=${cf.keyPairId}`, 'Key-Pair-Id=KUNKNOWN000000')), 'InvalidKey', 'Unknown Key');
      expectDenied(await fetchEdge(url.replace(/Signature=[^&]+/, 'Signature=not*base64')), 'MalformedSignature', 'Could not unencode Signature');
    });

    it('refuses a viewer outside the policy IP range, and admits it inside', async () => {
      const url = sign(reportUrl(), { ipAddress: '203.0.113.0/24' });
      expectDenied(await fetchEdge(url), 'AccessDenied', 'Access denied');
      expect(await lastDenial()).to.equal('ip-not-allowed');
      expect((await fetchEdge(url, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).to.equal(200);
    });

    it('refuses missing parameters: no Key-Pair-Id (MissingKey), no Signature, a policy that is not a policy', async () => {
      expectDenied(await fetchEdge(reportUrl()), 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
      const url = sign(reportUrl());
      expectDenied(await fetchEdge(url.replace(/&?Key-Pair-Id=[^&]+/, '')), 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
      expectDenied(await fetchEdge(url.replace(/Signature=[^&]+&?/, '')), 'AccessDenied', 'Access denied');
      expect(await lastDenial()).to.equal('missing-signature');
      const custom = sign(reportUrl(), { ipAddress: '127.0.0.1' });
      expectDenied(await fetchEdge(custom.replace(/Policy=[^&]+/, `Policy=${Buffer.from('{"Statement":[]}').toString('base64').replace(/=/g, '_')}`)), 'MalformedPolicy', 'Malformed Policy');
    });

    it('refuses tampered or incomplete signed cookies', async () => {
      const cookies = getSignedCookies({ url: reportUrl(), keyPairId: cf.keyPairId, privateKey: cf.privateKeyPem(), dateLessThan: inOneDay() });
      const cookie = (c: Record<string, string | number | undefined>) => Object.entries(c).map(([k, v]) => `${k}=${v}`).join('; ');
      const later = { ...cookies, 'CloudFront-Expires': String(Number(cookies['CloudFront-Expires']) + 60) };
      expectDenied(await fetchEdge(reportUrl(), { headers: { cookie: cookie(later) } }), 'AccessDenied', 'Access denied');
      expect((await admin('/state')).denials.recent.at(-1)).to.include({ via: 'cookie', reason: 'bad-signature' });
      const { 'CloudFront-Key-Pair-Id': _omitted, ...keyless } = cookies;
      expectDenied(await fetchEdge(reportUrl(), { headers: { cookie: cookie(keyless) } }), 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
    });

    it('ignores X-Forwarded-For unless configured to trust it', async () => {
      const strict = await startCloudFront({ port: 0, httpsPort: 0, origin: aws, tlsDir: path.dirname(caFile), keyDir, env: {}, now: () => clock });
      try {
        const url = sign(`http://${DOMAIN}/reports/2025/08/statement%2042.pdf`, { ipAddress: '203.0.113.0/24' });
        const r = await fetch(strict.toLocal(url), { headers: { 'x-forwarded-for': '203.0.113.9' } });
        expect(r.status).to.equal(403);
        expect(await r.text()).to.include('<Code>AccessDenied</Code>');
      } finally {
        await strict.close();
      }
    });

    it('answers hostile input with a 403 in CloudFront\'s shape and stays up', async () => {
      const url = sign(reportUrl());
      expectDenied(await fetchEdge(url.replace(/Expires=\d+/, 'Expires=soon')), 'MalformedPolicy', 'Malformed Policy');
      expectDenied(await fetchEdge(`${reportUrl()}?Policy=%%%&Signature=AAAA&Key-Pair-Id=${cf.keyPairId}`), 'MalformedPolicy', 'Malformed Policy');
      expectDenied(await fetchEdge(`https://${DOMAIN}/%E0%A4%A?Expires=1&Signature=AAAA&Key-Pair-Id=${cf.keyPairId}`), 'AccessDenied', 'Access denied');
      expectDenied(await fetchEdge(reportUrl(), { headers: { cookie: 'CloudFront-Key-Pair-Id=; =x; junk' } }), 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
      expect((await fetchEdge(url)).status).to.equal(200);
    });

    it('answers a method other than GET/HEAD with CloudFront\'s HTML 403 page', async () => {
      const r = await fetchEdge(sign(reportUrl()), { method: 'POST' });
      expect(r.status).to.equal(403);
      expect(r.body.toString()).to.include('not configured to allow the HTTP request method');
    });
  });

  describe('serving', () => {
    it('answers Range with 206 and Content-Range, from the origin and then from the cache', async () => {
      const url = sign(reportUrl());
      const first = await fetchEdge(url, { headers: { range: 'bytes=100-199' } });
      expect(first.status).to.equal(206);
      expect(first.headers['content-range']).to.equal('bytes 100-199/3000');
      expect(first.body.equals(reportBytes.subarray(100, 200))).to.equal(true);
      await fetchEdge(url);
      const cached = await fetchEdge(url, { headers: { range: 'bytes=-10' } });
      expect(cached.status).to.equal(206);
      expect(cached.headers['x-cache']).to.equal('Hit from cloudfront');
      expect(cached.headers['content-range']).to.equal('bytes 2990-2999/3000');
      expect(cached.body.equals(reportBytes.subarray(2990))).to.equal(true);
    });

    it('answers HEAD with the object headers and no body', async () => {
      const r = await fetchEdge(sign(reportUrl()), { method: 'HEAD' });
      expect(r.status).to.equal(200);
      expect(r.headers['content-length']).to.equal('3000');
      expect(r.headers['content-type']).to.equal('application/pdf');
      expect(r.body.length).to.equal(0);
    });

    it('caches parquet for 30 days and other files for 24 h, Miss then Hit until the TTL passes', async () => {
      const url = sign(`https://${DOMAIN}/${PARQUET}`, { dateLessThan: at(40 * 86_400) });
      const miss = await fetchEdge(url);
      expect(miss.headers).to.include({ 'cache-control': 'max-age=2592000', 'x-cache': 'Miss from cloudfront' });
      expect(miss.body.equals(parquetBytes)).to.equal(true);
      clock += 86_400_000 * 2;
      const hit = await fetchEdge(url);
      expect(hit.headers).to.include({ 'x-cache': 'Hit from cloudfront', age: String(2 * 86_400) });
      expect(hit.body.equals(parquetBytes)).to.equal(true);

      const report = sign(reportUrl(), { dateLessThan: at(3 * 86_400) });
      expect((await fetchEdge(report)).headers['x-cache']).to.equal('Miss from cloudfront');
      expect((await fetchEdge(report)).headers['x-cache']).to.equal('Hit from cloudfront');
      clock += 86_400_000 + 1000;
      expect((await fetchEdge(report)).headers['x-cache']).to.equal('Miss from cloudfront');
    });

    it('passes the origin\'s 404 NoSuchKey through for a missing object', async () => {
      const r = await fetchEdge(sign(`https://${DOMAIN}/reports/missing.pdf`));
      expect(r.status).to.equal(404);
      expect(r.headers['x-cache']).to.equal('Error from cloudfront');
      expect(r.body.toString()).to.match(/<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist\.<\/Message><Key>reports\/missing\.pdf<\/Key>/);
    });

    it('serves a behaviour that does not require signing without a signature', async () => {
      const r = await fetchEdge(`http://${DOMAIN}/public/hello.txt`);
      expect(r.status).to.equal(200);
      expect(r.body.toString()).to.equal('hello');
    });
  });

  describe('faults', () => {
    it('answers an injected 503 once, then serves again', async () => {
      const url = sign(reportUrl());
      const added = await fetch(`${cf.http.url}/__admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 503, match: { path: '/reports/' } }) });
      expect(added.status).to.equal(201);
      expect((await fetchEdge(url)).status).to.equal(503);
      expect((await fetchEdge(url)).status).to.equal(200);
    });
  });

  describe('admin', () => {
    it('reports cache stats, clears the cache on reset and never journals a signature', async () => {
      const url = sign(reportUrl());
      await fetchEdge(url);
      await fetchEdge(url);
      const state = await admin('/state');
      expect(state.cache).to.include({ hits: 1, misses: 1, entries: 1 });
      expect(state.distribution).to.include({ domainName: DOMAIN });
      const journal = JSON.stringify(await admin('/journal'));
      const sig = /Signature=([^&]+)/.exec(url)![1];
      expect(journal).to.include('Signature=***').and.not.include(sig);
      await admin('/reset', 'POST');
      expect((await admin('/state')).cache.entries).to.equal(0);
      expect((await fetchEdge(url)).headers['x-cache']).to.equal('Miss from cloudfront');
    });
  });

  describe('keys', () => {
    it('generated a local pair whose public key the edge trusts, and refuses a private key that is not in the key group', async () => {
      const state = await admin('/state');
      expect(state.signingKey).to.include({ keyPairId: cf.keyPairId, source: 'generated' });
      expect(fs.readFileSync(state.signingKey.privateKeyPath, 'utf8')).to.equal(cf.privateKeyPem());
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      const url = getSignedUrl({ url: reportUrl(), keyPairId: cf.keyPairId, privateKey: stranger, dateLessThan: inOneDay() });
      expectDenied(await fetchEdge(url), 'AccessDenied', 'Access denied');
    });
  });
});

describe('CloudFront verification (pure functions)', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyFor = (id: string) => (id === 'KTEST' ? publicKey : undefined);
  const now = 1_750_000_000;
  const resource = `https://${DOMAIN}/a/b.csv`;
  /** Verify a signed URL as the edge would for a request to that same URL. */
  const check = (signed: string, clientIp = '192.0.2.10') => {
    const { values, rest } = splitSigningParams(new URL(signed).search.slice(1));
    const base = signed.split('?')[0] + (rest ? `?${rest}` : '');
    return verifySignedRequest({ urls: [base], credentials: values, via: 'url', clientIp, now }, keyFor);
  };
  const customPolicy = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    `${resource}?Policy=${encodeCloudFrontBase64(JSON.stringify({ Statement: [{ Resource: resource, Condition: condition, ...extra }] }))}&Signature=AAAA&Key-Pair-Id=KTEST`;

  it('accepts SHA256 signatures when Hash-Algorithm says so, and not without it', () => {
    const url = getSignedUrl({ url: resource, keyPairId: 'KTEST', privateKey, dateLessThan: new Date((now + 60) * 1000).toISOString(), algorithm: 'SHA256' });
    expect(url).to.include('Hash-Algorithm=SHA256');
    expect(check(url)).to.include({ ok: true, policy: 'canned' });
    const without = check(url.replace('&Hash-Algorithm=SHA256', ''));
    expect(without.ok).to.equal(false);
    expect(!without.ok && without.denial.reason).to.equal('bad-signature');
  });

  it('keeps the viewer\'s own query parameters in the canned resource, wherever the signing ones sit', () => {
    const url = getSignedUrl({ url: `${resource}?size=large`, keyPairId: 'KTEST', privateKey, dateLessThan: new Date((now + 60) * 1000).toISOString() });
    expect(check(url)).to.include({ ok: true });
    expect(check(url.replace('size=large', 'size=small')).ok).to.equal(false);
  });

  it('matches IpAddress against IPv4 and IPv4-mapped clients, never a plain IPv6 one', () => {
    const url = getSignedUrl({ url: resource, keyPairId: 'KTEST', privateKey, dateLessThan: new Date((now + 60) * 1000).toISOString(), ipAddress: '192.0.2.0/24' });
    expect(check(url, '192.0.2.200').ok).to.equal(true);
    expect(check(url, '::ffff:192.0.2.200').ok).to.equal(true);
    const v6 = check(url, '2001:db8::1');
    expect(!v6.ok && v6.denial.reason).to.equal('ip-not-allowed');
  });

  it('calls a policy malformed when it breaks the documented shape', () => {
    const malformed = (u: string) => {
      const v = check(u);
      return !v.ok && v.denial.code === 'MalformedPolicy';
    };
    expect(malformed(customPolicy({ DateLessThan: { 'AWS:EpochTime': String(now + 60) } })), 'quoted epoch').to.equal(true);
    expect(malformed(customPolicy({ DateGreaterThan: { 'AWS:EpochTime': now } })), 'no DateLessThan').to.equal(true);
    expect(malformed(customPolicy({ DateLessThan: { 'AWS:EpochTime': now + 60 }, StringLike: {} })), 'unknown condition').to.equal(true);
    expect(malformed(customPolicy({ DateLessThan: { 'AWS:EpochTime': now + 60 }, IpAddress: { 'AWS:SourceIp': '2001:db8::/32' } })), 'IPv6 range').to.equal(true);
    expect(malformed(`${resource}?Policy=${encodeCloudFrontBase64('not json')}&Signature=AAAA&Key-Pair-Id=KTEST`), 'not JSON').to.equal(true);
    expect(malformed(customPolicy({ DateLessThan: { 'AWS:EpochTime': now + 60 } }))).to.equal(false);
  });
});
