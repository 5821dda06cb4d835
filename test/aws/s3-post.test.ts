/**
 * Browser form uploads (POST Object) signed by @aws-sdk/s3-presigned-post's createPresignedPost, sent as a browser
 * sends them (fetch + FormData): conditions, ${filename}, the three answers, and S3's refusal for each violated
 * condition and each malformed form or policy. AWS's own POST signing example is checked byte for byte.
 */
import { expect } from 'chai';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, GetObjectTaggingCommand, PutBucketPolicyCommand, DeletePublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { docsOnly, type AwsTarget, openS3, closeS3 } from '../helpers/aws.ts';
import { startS3Server } from '../../emulators/aws/s3/serve.ts';

interface Answer { status: number; headers: Headers; body: string }

describe('S3 browser form uploads: POST with a SigV4 POST policy', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;
  before(async () => ({ t, s3, bucket: b } = await openS3('post')));
  after(() => closeS3(t, s3));

  /** POST a form as a browser does: the fields in order, then the file. */
  async function post(url: string, fields: Record<string, string>, file: Buffer | string, filename = 'upload.bin', extra: [string, string][] = []): Promise<Answer> {
    const form = new FormData();
    for (const [k, v] of [...Object.entries(fields), ...extra]) form.append(k, v);
    form.append('file', new Blob([file]), filename);
    const res = await fetch(url, { method: 'POST', body: form, redirect: 'manual' });
    return { status: res.status, headers: res.headers, body: await res.text() };
  }
  const code = (a: Answer) => /<Code>([^<]+)<\/Code>/.exec(a.body)?.[1];
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const message = (a: Answer) => unescape(/<Message>([^<]*)<\/Message>/.exec(a.body)?.[1] ?? '');

  it('uploads under a policy with conditions and answers 201 with a PostResponse', async function () {
    docsOnly(this, t, 'moto answers success_action_status 201 without a PostResponse document');
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: b, Key: 'uploads/${filename}', Expires: 300,
      Conditions: [['starts-with', '$key', 'uploads/'], ['content-length-range', 1, 1024], ['starts-with', '$Content-Type', 'text/'], { 'x-amz-meta-origin': 'browser' }],
      Fields: { success_action_status: '201', 'Content-Type': 'text/plain', 'x-amz-meta-origin': 'browser' },
    });
    const res = await post(url, fields, 'hello from a form', 'C:\\Users\\me\\report.txt');
    expect(res.status, res.body).to.equal(201);
    expect(res.body, res.body).to.match(/<PostResponse><Location>[^<]+\/uploads%2Freport\.txt<\/Location><Bucket>[^<]+<\/Bucket><Key>uploads\/report\.txt<\/Key><ETag>"[0-9a-f]{32}"<\/ETag><\/PostResponse>/);
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'uploads/report.txt' }));
    expect([await got.Body!.transformToString(), got.ContentType, got.Metadata]).to.deep.equal(['hello from a form', 'text/plain', { origin: 'browser' }]);
  });

  it('answers 204 with ETag and Location by default, and 303 to success_action_redirect', async function () {
    docsOnly(this, t, 'moto answers a POST upload without ETag and Location');
    const plain = await createPresignedPost(s3, { Bucket: b, Key: 'k204', Expires: 300 });
    const res = await post(plain.url, plain.fields, 'x');
    expect([res.status, res.headers.get('etag')]).to.deep.equal([204, `"${createHash('md5').update('x').digest('hex')}"`]);
    expect(res.headers.get('location')).to.match(/\/k204$/);
    const redirect = 'https://app.example/done?from=upload';
    const r = await createPresignedPost(s3, { Bucket: b, Key: 'dir/k303', Expires: 300, Fields: { success_action_redirect: redirect } });
    const red = await post(r.url, r.fields, 'y');
    expect(red.status).to.equal(303);
    const to = new URL(red.headers.get('location')!);
    expect([to.origin + to.pathname, to.searchParams.get('from'), to.searchParams.get('bucket'), to.searchParams.get('key'), to.searchParams.get('etag')])
      .to.deep.equal(['https://app.example/done', 'upload', b, 'dir/k303', `"${createHash('md5').update('y').digest('hex')}"`]);
  });

  it('applies tagging, encryption and storage class fields', async function () {
    docsOnly(this, t, 'moto ignores tagging and encryption fields of a POST');
    const tagging = '<Tagging><TagSet><Tag><Key>via</Key><Value>form</Value></Tag></TagSet></Tagging>';
    const { url, fields } = await createPresignedPost(s3, { Bucket: b, Key: 'fancy', Expires: 300, Fields: { tagging, 'x-amz-server-side-encryption': 'AES256', 'x-amz-storage-class': 'STANDARD_IA' } });
    const res = await post(url, fields, 'fancy');
    expect(res.status, res.body).to.equal(204);
    expect(res.headers.get('x-amz-server-side-encryption')).to.equal('AES256');
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'fancy' }));
    expect([head.ServerSideEncryption, head.StorageClass]).to.deep.equal(['AES256', 'STANDARD_IA']);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'fancy' }))).TagSet).to.deep.equal([{ Key: 'via', Value: 'form' }]);
  });

  describe('refusals, as S3 words them', () => {
    before(function () {
      docsOnly(this, t, 'moto does not check POST policies');
    });

    it('refuses each violated condition', async () => {
      const { url, fields } = await createPresignedPost(s3, {
        Bucket: b, Key: 'only/this', Expires: 300,
        Conditions: [['content-length-range', 2, 10], ['eq', '$Content-Type', 'text/plain'], ['starts-with', '$x-amz-meta-tag', 'ok-']],
        Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-tag': 'ok-1' },
      });
      const big = await post(url, fields, 'x'.repeat(11));
      expect([big.status, code(big), message(big)]).to.deep.equal([400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size']);
      expect(big.body).to.include('<ProposedSize>11</ProposedSize><MaxSizeAllowed>10</MaxSizeAllowed>');
      const small = await post(url, fields, 'x');
      expect([small.status, code(small), message(small)]).to.deep.equal([400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size']);
      const type = await post(url, { ...fields, 'Content-Type': 'text/html' }, 'abc');
      expect([type.status, code(type), message(type)]).to.deep.equal([403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "text/plain"]']);
      const key = await post(url, { ...fields, key: 'other/key' }, 'abc');
      expect(message(key)).to.equal('Invalid according to Policy: Policy Condition failed: ["eq", "$key", "only/this"]');
      const prefix = await post(url, { ...fields, 'x-amz-meta-tag': 'bad' }, 'abc');
      expect(message(prefix)).to.equal('Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-tag", "ok-"]');
      const extra = await post(url, fields, 'abc', 'f', [['x-amz-meta-Extra', 'sneaky']]);
      expect([extra.status, message(extra)]).to.deep.equal([403, 'Invalid according to Policy: Extra input fields: x-amz-meta-Extra']);
      // Fields named x-ignore-* are exempt from the policy.
      expect((await post(url, fields, 'abc', 'f', [['x-ignore-tracking', '1']])).status).to.equal(204);
    });

    it('stores the field the policy checked when a field is repeated: a second Content-Type or metadata value cannot slip past a condition', async () => {
      const { url, fields } = await createPresignedPost(s3, {
        Bucket: b, Key: 'repeated', Expires: 300,
        Conditions: [['eq', '$Content-Type', 'image/png'], ['eq', '$x-amz-meta-owner', 'ada']],
        Fields: { 'Content-Type': 'image/png', 'x-amz-meta-owner': 'ada' },
      });
      const res = await post(url, fields, 'png bytes', 'f.png', [['content-type', 'text/html'], ['X-Amz-Meta-Owner', 'mallory']]);
      expect(res.status, res.body).to.be.oneOf([204, 400, 403]);
      if (res.status === 204) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'repeated' }));
        expect([head.ContentType, head.Metadata]).to.deep.equal(['image/png', { owner: 'ada' }]);
      }
    });

    it('refuses a tampered policy, a missing signature and an upload to another bucket', async () => {
      const { url, fields } = await createPresignedPost(s3, { Bucket: b, Key: 'k', Expires: 300 });
      const policy = Buffer.from(fields.Policy, 'base64').toString().replace('"k"', '"other"');
      const tampered = await post(url, { ...fields, Policy: Buffer.from(policy).toString('base64'), key: 'other' }, 'x');
      expect([tampered.status, code(tampered)]).to.deep.equal([403, 'SignatureDoesNotMatch']);
      expect(tampered.body).to.include(`<StringToSign>${Buffer.from(policy).toString('base64')}</StringToSign>`);
      const { 'X-Amz-Signature': _sig, ...unsigned } = fields;
      const missing = await post(url, unsigned, 'x');
      expect([missing.status, code(missing), message(missing)]).to.deep.equal([400, 'InvalidArgument', "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields."]);
      const other = `post2-${randomBytes(4).toString('hex')}`;
      await s3.send(new CreateBucketCommand({ Bucket: other }));
      const wrong = await post(url.replace(b, other), fields, 'x');
      expect([wrong.status, message(wrong)]).to.deep.equal([403, `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "${b}"]`]);
    });

    it('refuses an expired policy and a document that is not a policy', async () => {
      const sign = (doc: object | string) => signedFields(t, typeof doc === 'string' ? doc : JSON.stringify(doc));
      const expired = await post(`${t.endpoint}/${b}`, { key: 'k', ...sign({ expiration: '2020-01-01T00:00:00Z', conditions: [{ bucket: b }, { key: 'k' }] }) }, 'x');
      expect([expired.status, code(expired), message(expired)]).to.deep.equal([403, 'AccessDenied', 'Invalid according to Policy: Policy expired.']);
      const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const cases: [object | string, string][] = [
        ['not json', 'Invalid Policy: Invalid JSON.'],
        [{ conditions: [] }, 'Invalid Policy: Policy missing expiration.'],
        [{ expiration: later }, 'Invalid Policy: Policy missing conditions.'],
        [{ expiration: later, CONDITIONS: [] }, "Invalid Policy: Unexpected: 'conditions'"],
        [{ expiration: '2031-09-13 07:52:58', conditions: [] }, "Invalid Policy: Invalid 'expiration' value: '2031-09-13 07:52:58'"],
        [{ expiration: later, conditions: [{ bucket: b, key: 'k' }] }, 'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.'],
        [{ expiration: later, conditions: [{ 'Content-Length': 5 }] }, 'Invalid Policy: Invalid Simple-Condition: value must be a string.'],
        [{ expiration: later, conditions: [['matches', '$key', 'k']] }, "Invalid Policy: Invalid Condition: unknown operation 'matches'."],
        [{ expiration: later, conditions: [['content-length-range', 0, 512.5]] }, 'Invalid Policy: Invalid JSON.'],
      ];
      for (const [doc, text] of cases) {
        const res = await post(`${t.endpoint}/${b}`, { key: 'k', ...sign(doc) }, 'x');
        expect([res.status, code(res), message(res)], JSON.stringify(doc)).to.deep.equal([400, 'InvalidPolicyDocument', text]);
      }
    });

    it('refuses what is not a form upload: another enclosure type, no key, no file', async () => {
      const notForm = await fetch(`${t.endpoint}/${b}`, { method: 'POST', body: 'key=k', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const text = await notForm.text();
      expect([notForm.status, /<Code>(\w+)/.exec(text)?.[1]]).to.deep.equal([412, 'PreconditionFailed']);
      expect(text).to.include('<Condition>Bucket POST must be of the enclosure-type multipart/form-data</Condition>');
      const { url, fields } = await createPresignedPost(s3, { Bucket: b, Key: 'k', Expires: 300 });
      const { key: _key, ...keyless } = fields;
      const noKey = await post(url, keyless, 'x');
      expect(message(noKey)).to.equal("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      const noFile = await fetch(url, { method: 'POST', body: form });
      expect([noFile.status, message({ status: noFile.status, headers: noFile.headers, body: await noFile.text() })]).to.deep.equal([400, 'POST requires exactly one file upload per request.']);
    });

    it('lets an anonymous form upload in only where the bucket policy allows anyone to write', async function () {
      const anon = { key: 'anon.txt' };
      const denied = await post(`${t.endpoint}/${b}`, anon, 'x');
      expect([denied.status, code(denied)]).to.deep.equal([403, 'AccessDenied']);
      const open = `postopen-${randomBytes(4).toString('hex')}`;
      await s3.send(new CreateBucketCommand({ Bucket: open }));
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: open }));
      await s3.send(new PutBucketPolicyCommand({ Bucket: open, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${open}/drop/*` }] }) }));
      expect((await post(`${t.endpoint}/${open}`, { key: 'drop/${filename}' }, 'anonymous', 'a.txt')).status).to.equal(204);
      expect(await (await s3.send(new GetObjectCommand({ Bucket: open, Key: 'drop/a.txt' }))).Body!.transformToString()).to.equal('anonymous');
      expect((await post(`${t.endpoint}/${open}`, { key: 'elsewhere' }, 'x')).status).to.equal(403);
    });
  });
});

/** Fields signing `policy` (a JSON text) the way createPresignedPost does, for documents the SDK would not write. */
function signedFields(t: AwsTarget, policy: string): Record<string, string> {
  const now = new Date();
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  const amzDate = `${date}T${now.toISOString().slice(11, 19).replace(/:/g, '')}Z`;
  const hmac = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${t.credentials.secretAccessKey}`, date), t.region), 's3'), 'aws4_request');
  const b64 = Buffer.from(policy).toString('base64');
  return {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': `${t.credentials.accessKeyId}/${date}/${t.region}/s3/aws4_request`, 'X-Amz-Date': amzDate,
    Policy: b64, 'X-Amz-Signature': createHmac('sha256', key).update(b64).digest('hex'),
  };
}

describe('S3 POST policy signature: AWS\'s documented example', () => {
  it('verifies the signature of sigv4-post-example.html byte for byte, then finds the 2015 policy expired', async () => {
    // The example's credentials, policy (CRLF line ends) and signature, as the page gives them.
    const srv = await startS3Server({ credentials: { AKIAIOSFODNN7EXAMPLE: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
    try {
      srv.s3.state.createBucket('sigv4examplebucket', 'us-east-1');
      const policy = ['{ "expiration": "2015-12-30T12:00:00.000Z",', '  "conditions": [', '    {"bucket": "sigv4examplebucket"},', '    ["starts-with", "$key", "user/user1/"],',
        '    {"acl": "public-read"},', '    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},', '    ["starts-with", "$Content-Type", "image/"],',
        '    {"x-amz-meta-uuid": "14365123651274"},', '    {"x-amz-server-side-encryption": "AES256"},', '    ["starts-with", "$x-amz-meta-tag", ""],', '',
        '    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},', '    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},', '    {"x-amz-date": "20151229T000000Z" }', '  ]', '}'].join('\r\n');
      const b64 = Buffer.from(policy).toString('base64');
      expect(b64).to.match(/^eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0K/);
      const form = new FormData();
      for (const [k, v] of Object.entries({ key: 'user/user1/${filename}', acl: 'public-read', success_action_redirect: 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html', 'Content-Type': 'image/jpeg', 'x-amz-meta-uuid': '14365123651274', 'x-amz-server-side-encryption': 'AES256', 'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Date': '20151229T000000Z', 'x-amz-meta-tag': '', Policy: b64, 'X-Amz-Signature': '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e' })) form.append(k, v);
      form.append('file', new Blob(['jpeg']), 'photo.jpg');
      const res = await fetch(`${srv.url}/sigv4examplebucket`, { method: 'POST', body: form });
      expect([res.status, /<Message>([^<]+)/.exec(await res.text())?.[1]]).to.deep.equal([403, 'Invalid according to Policy: Policy expired.']);
    } finally {
      await srv.close();
    }
  });
});
