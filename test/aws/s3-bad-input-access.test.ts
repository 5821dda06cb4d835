/**
 * Hostile input to the routes added for tagging, ACLs, bucket policies, Block Public Access, ownership controls,
 * encryption, object attributes, multipart checksums and POST uploads: bad and deep XML, oversize and deeply nested
 * policies, broken tags and grant headers, garbage SSE-C keys, broken multipart forms and POST policies. Each is S3's
 * XML error with a 4xx (or S3's own 501), never a 500, and the edge keeps serving. Signed raw requests, so the SDK's
 * checks are bypassed.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { awsTarget, docsOnly, type AwsTarget } from '../helpers/aws.ts';
import { expectRefusal, rawS3, type Answer } from '../helpers/s3-raw.ts';

describe('S3: malformed input to tagging, ACL, policy, encryption, attributes and POST uploads', () => {
  let t: AwsTarget;
  let call: ReturnType<typeof rawS3>;
  const bucket = `s3badacc-${Date.now().toString(36)}`;
  const md5 = (body: string | Buffer) => createHash('md5').update(body).digest('base64');
  const deepXml = (root: string) => `<${root}>${'<a>'.repeat(20000)}${'</a>'.repeat(20000)}</${root}>`;
  const put = (path: string, query: Record<string, string>, body: string | Buffer, headers: Record<string, string> = {}) =>
    call('PUT', path, { query, body, headers: { 'content-md5': md5(body), ...headers } });

  before(async function () {
    t = await awsTarget();
    docsOnly(this, t, 'S3-exact refusals of hostile input are the embedded edge\'s contract');
    call = rawS3(t);
    expect((await call('PUT', `/${bucket}`)).status).to.equal(200);
    expect((await call('PUT', `/${bucket}/obj`, { body: 'x' })).status).to.equal(200);
  });
  after(async () => {
    await t?.close();
  });

  it('refuses broken tag sets and x-amz-tagging headers', async () => {
    const bodies = [
      'not xml', '<Tagging></Tagging>', '<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>', deepXml('Tagging'),
      `<Tagging><TagSet>${'<Tag><Key>k</Key><Value>v</Value></Tag>'.repeat(2)}</TagSet></Tagging>`,
      `<Tagging><TagSet><Tag><Key>${'k'.repeat(129)}</Key><Value>v</Value></Tag></TagSet></Tagging>`,
      '<Tagging><TagSet><Tag><Key>&#0;</Key><Value>v</Value></Tag></TagSet></Tagging>',
      `<Tagging><TagSet>${'<Tag><Key>k</Key><Value>v</Value></Tag>'.repeat(60000)}</TagSet></Tagging>`,
    ];
    for (const body of bodies) {
      expectRefusal(await put(`/${bucket}/obj`, { tagging: '' }, body), `object tagging ${body.slice(0, 50)}`);
      expectRefusal(await put(`/${bucket}`, { tagging: '' }, body), `bucket tagging ${body.slice(0, 50)}`);
    }
    for (const h of ['%%%', 'a=b=c', 'a=1&a=2', 'aws:x=1', `${'k'.repeat(200)}=v`, '=v', Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')]) {
      expectRefusal(await call('PUT', `/${bucket}/t`, { body: 'x', headers: { 'x-amz-tagging': h } }), `x-amz-tagging ${h.slice(0, 40)}`);
    }
  });

  it('refuses broken ACL documents and grant headers', async () => {
    const bodies = [
      'not xml', deepXml('AccessControlPolicy'),
      '<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>nobody</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
      '<AccessControlPolicy><AccessControlList><Grant><Grantee><URI>http://evil/</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
      '<AccessControlPolicy><AccessControlList><Grant><Grantee/><Permission>EVERYTHING</Permission></Grant></AccessControlList></AccessControlPolicy>',
      '<AccessControlPolicy><AccessControlList><Grant><Grantee><EmailAddress>a@b.c</EmailAddress></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
      '<AccessControlPolicy><Owner><ID>someone-else</ID></Owner></AccessControlPolicy>',
    ];
    for (const body of bodies) expectRefusal(await put(`/${bucket}`, { acl: '' }, body), `bucket acl ${body.slice(0, 60)}`);
    for (const [h, v] of [['x-amz-acl', 'public-ready'], ['x-amz-grant-read', 'nonsense'], ['x-amz-grant-read', 'id="0"'], ['x-amz-grant-write', 'uri="x"'], ['x-amz-grant-read', 'emailAddress="a@b.c"']]) {
      expectRefusal(await call('PUT', `/${bucket}/acl-obj`, { body: 'x', headers: { [h]: v } }), `${h}: ${v}`);
    }
    expectRefusal(await put(`/${bucket}/obj`, { acl: '' }, ''), 'object ACL with neither body nor headers');
  });

  it('refuses oversize, deeply nested and malformed bucket policies', async () => {
    const policies = [
      '', ' {}', '[]', '{"Statement": 1}', `{"Statement": ${'['.repeat(100000)}${']'.repeat(100000)}}`,
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*`, Condition: 'x' }] }),
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ['*', 12] }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] }),
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: [null], Resource: `arn:aws:s3:::${bucket}/*` }] }),
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { DateLessThan: { 'aws:CurrentTime': 'yesterday' } } }] }),
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }] }),
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { NullIfExists: { 's3:prefix': 'true' } } }] }),
      `{"Statement": [${'{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::x/*"},'.repeat(5000)}{}]}`,
      randomBytes(300_000),
    ];
    for (const p of policies) expectRefusal(await put(`/${bucket}`, { policy: '' }, p), `policy ${String(p).slice(0, 60)}`);
    // Past the configuration body limit, the body is not even read through.
    expectRefusal(await put(`/${bucket}`, { policy: '' }, Buffer.alloc(2 * 1024 * 1024, 0x20)), '2 MiB policy');
  });

  it('refuses broken Block Public Access, ownership, encryption and request-payment documents', async () => {
    const cases: [string, string][] = [
      ['publicAccessBlock', '<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>'],
      ['publicAccessBlock', deepXml('PublicAccessBlockConfiguration')],
      ['ownershipControls', '<OwnershipControls><Rule><ObjectOwnership>Everyone</ObjectOwnership></Rule></OwnershipControls>'],
      ['ownershipControls', '<OwnershipControls></OwnershipControls>'],
      ['encryption', '<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>'],
      ['encryption', '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>ROT13</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>'],
      ['encryption', '<ServerSideEncryptionConfiguration><Rule><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>'],
      ['encryption', '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>'],
      ['requestPayment', '<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>'],
      ['versioning', '<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Sometimes</MfaDelete></VersioningConfiguration>'],
    ];
    for (const [sub, body] of cases) expectRefusal(await put(`/${bucket}`, { [sub]: '' }, body), `${sub} ${body.slice(0, 70)}`);
  });

  it('refuses garbage encryption headers and SSE-C keys', async () => {
    const key = randomBytes(32);
    const cases: Record<string, string>[] = [
      { 'x-amz-server-side-encryption': 'ROT13' },
      { 'x-amz-server-side-encryption': '' },
      { 'x-amz-server-side-encryption': 'aws:kms' },
      { 'x-amz-server-side-encryption-aws-kms-key-id': 'k' },
      { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' },
      { 'x-amz-server-side-encryption-customer-key': key.toString('base64') },
      { 'x-amz-server-side-encryption-customer-algorithm': 'AES128', 'x-amz-server-side-encryption-customer-key': key.toString('base64'), 'x-amz-server-side-encryption-customer-key-md5': md5(key) },
      { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': '%%%not base64', 'x-amz-server-side-encryption-customer-key-md5': 'x' },
      { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': key.toString('base64'), 'x-amz-server-side-encryption-customer-key-md5': md5(randomBytes(32)) },
    ];
    for (const headers of cases) {
      expectRefusal(await call('PUT', `/${bucket}/sse`, { body: 'x', headers }), `PUT ${JSON.stringify(headers).slice(0, 80)}`);
      expectRefusal(await call('GET', `/${bucket}/obj`, { headers }), `GET ${JSON.stringify(headers).slice(0, 80)}`);
    }
  });

  it('refuses broken attribute requests and checksum settings', async () => {
    for (const attrs of ['', 'Colour', 'ETag,,,', 'ETag, Everything']) {
      expectRefusal(await call('GET', `/${bucket}/obj`, { query: { attributes: '' }, headers: { 'x-amz-object-attributes': attrs } }), `attributes ${attrs}`);
    }
    expectRefusal(await call('GET', `/${bucket}/obj`, { query: { attributes: '' }, headers: { 'x-amz-object-attributes': 'ETag', 'x-amz-max-parts': '-1' } }), 'max-parts');
    const settings: Record<string, string>[] = [{ 'x-amz-checksum-algorithm': 'MD5' }, { 'x-amz-checksum-type': 'FULL_OBJECT' }, { 'x-amz-checksum-algorithm': 'SHA1', 'x-amz-checksum-type': 'FULL_OBJECT' }, { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'HALF' }];
    for (const headers of settings) {
      expectRefusal(await call('POST', `/${bucket}/mp`, { query: { uploads: '' }, headers }), `CreateMultipartUpload ${JSON.stringify(headers)}`);
    }
    expectRefusal(await call('GET', `/${bucket}`, { query: { 'list-type': '2' }, headers: { 'x-amz-optional-object-attributes': 'Everything' } }), 'optional attributes');
    expectRefusal(await call('GET', `/${bucket}/obj`, { headers: { 'x-amz-expected-bucket-owner': 'not-an-account' } }), 'expected owner');
  });

  it('refuses broken form uploads and POST policies', async () => {
    const boundary = 'XyZ';
    const form = (parts: string) => Buffer.from(parts.replace(/\n/g, '\r\n'));
    const field = (name: string, value: string) => `--${boundary}\nContent-Disposition: form-data; name="${name}"\n\n${value}\n`;
    const file = `--${boundary}\nContent-Disposition: form-data; name="file"; filename="f"\n\nbytes\n--${boundary}--\n`;
    const postForm = (body: Buffer | string, contentType = `multipart/form-data; boundary=${boundary}`): Promise<Answer> =>
      call('POST', `/${bucket}`, { body, headers: { 'content-type': contentType }, unsigned: true });
    const signedish = (policy: string) => field('key', 'k') + field('X-Amz-Algorithm', 'AWS4-HMAC-SHA256') + field('X-Amz-Credential', `${t.credentials.accessKeyId}/20260101/us-east-1/s3/aws4_request`)
      + field('X-Amz-Date', '20260101T000000Z') + field('Policy', policy) + field('X-Amz-Signature', '0'.repeat(64)) + file;
    const bodies: [Buffer | string, string?][] = [
      ['key=k', 'application/x-www-form-urlencoded'],
      [form(field('key', 'k') + file), 'multipart/form-data'],
      [form('no boundary anywhere')],
      [form(`--${boundary}\nNo-Colon-Header\n\n`)],
      [form(`--${boundary}\nContent-Disposition: attachment; name="key"\n\nk\n${file}`)],
      [form(field('key', 'k') + `--${boundary}--\n`)],
      [form(field('key', 'k'))],
      [form(field('x'.repeat(30000), 'v') + file)],
      [form(field('key', 'k') + field('junk', 'j'.repeat(30000)) + file)],
      [form(field('key', 'k') + field('X-Amz-Signature', 'abc') + file)],
      [form(field('key', 'k') + field('AWSAccessKeyId', 'a') + field('Signature', 's') + file)],
      [form(signedish('%%% not base64 %%%'))],
      [form(signedish(Buffer.from(`{"expiration":"2099-01-01T00:00:00Z","conditions":${'['.repeat(50000)}${']'.repeat(50000)}}`).toString('base64')))],
      [form(field('key', 'k') + field('X-Amz-Algorithm', 'HMAC-MD5') + field('X-Amz-Credential', 'a/b') + field('X-Amz-Date', 'yesterday') + field('Policy', 'e30=') + field('X-Amz-Signature', 'x') + file)],
      [form(field('key', 'k') + field('X-Amz-Algorithm', 'AWS4-HMAC-SHA256') + field('X-Amz-Credential', 'nobody/20260101/us-east-1/s3/aws4_request') + field('X-Amz-Date', '20260101T000000Z') + field('Policy', 'e30=') + field('X-Amz-Signature', 'x') + file)],
      [form(field('key', 'k') + field('tagging', 'not xml') + file)],
      [randomBytes(4096), `multipart/form-data; boundary=${boundary}`],
    ];
    for (const [body, type] of bodies) expectRefusal(await postForm(body, type), `POST ${String(body).slice(0, 70).replace(/\r\n/g, '|')}`);
  });

  it('keeps serving afterwards', async () => {
    expect((await call('GET', `/${bucket}/obj`)).body).to.equal('x');
  });
});
