/**
 * Hostile input to the S3 operations and headers added for issues 13 and 16 (UploadPartCopy ranges and sources,
 * ListMultipartUploads and ListParts parameters, partNumber reads, conditional headers, RFC 2047 metadata, XML
 * bodies with character references and deep nesting): each is answered with S3's XML error and a 4xx/5xx that is
 * S3's own (501 NotImplemented is one), never a 500, and the edge keeps serving. Signed raw requests, so the SDK's
 * own checks are bypassed.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { awsTarget, type AwsTarget } from '../helpers/aws.ts';
import { expectRefusal, rawS3 } from '../helpers/s3-raw.ts';

describe('S3: malformed input to the operations added for issues 13 and 16', () => {
  let t: AwsTarget;
  let uploadId = '';
  const bucket = `s3bad-${Date.now().toString(36)}`;
  let call: ReturnType<typeof rawS3>;

  before(async () => {
    t = await awsTarget();
    call = rawS3(t);
    expect((await call('PUT', `/${bucket}`)).status).to.equal(200);
    expect((await call('PUT', `/${bucket}/src`, { body: '0123456789' })).status).to.equal(200);
    const created = await call('POST', `/${bucket}/dst`, { query: { uploads: '' } });
    uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)![1];
  });
  after(async () => {
    await t?.close();
  });

  it('refuses broken copy sources and ranges on UploadPartCopy', async () => {
    const part = (headers: Record<string, string>, partNumber = '1') => call('PUT', `/${bucket}/dst`, { query: { partNumber, uploadId }, headers });
    for (const range of ['bytes=abc', 'bytes=5-1', 'bytes=0-99999999999999999999', 'bytes=-3', 'items=0-1', 'bytes=0-10', '']) {
      expectRefusal(await part({ 'x-amz-copy-source': `/${bucket}/src`, 'x-amz-copy-source-range': range }), `range ${JSON.stringify(range)}`);
    }
    for (const source of ['%%%', '/', `/${bucket}`, `/${bucket}/`, '/no-such-bucket/src', `/${bucket}/missing`, `/${bucket}/src?versionId=nope`]) {
      expectRefusal(await part({ 'x-amz-copy-source': source }), `source ${source}`);
    }
    for (const n of ['0', '-1', '10001', 'abc', '1e3', '99999999999999999999']) {
      expectRefusal(await part({ 'x-amz-copy-source': `/${bucket}/src` }, n), `partNumber ${n}`);
    }
    expectRefusal(await part({ 'x-amz-copy-source': `/${bucket}/src`, 'x-amz-copy-source-if-match': '"nope"' }), 'failing copy-source condition');
    expectRefusal(await call('PUT', `/${bucket}/dst`, { query: { partNumber: '1', uploadId: 'no-such-upload' }, headers: { 'x-amz-copy-source': `/${bucket}/src` } }), 'unknown upload');
  });

  it('refuses broken listing parameters for uploads and parts', async () => {
    for (const query of <Record<string, string>[]>[{ uploads: '', 'max-uploads': '-1' }, { uploads: '', 'max-uploads': 'all' }, { uploads: '', 'encoding-type': 'base64' }]) {
      expectRefusal(await call('GET', `/${bucket}`, { query }), JSON.stringify(query));
    }
    for (const query of <Record<string, string>[]>[{ uploadId, 'max-parts': 'x' }, { uploadId, 'part-number-marker': '-5' }, { uploadId: 'missing' }]) {
      expectRefusal(await call('GET', `/${bucket}/dst`, { query }), JSON.stringify(query));
    }
    // Markers that match nothing are not errors: an empty or shorter page.
    const odd = await call('GET', `/${bucket}`, { query: { uploads: '', 'key-marker': '\u{10FFFF}\u0001', 'upload-id-marker': '%%' } });
    expect(odd.status).to.equal(200);
  });

  it('refuses partNumber reads it cannot satisfy', async () => {
    for (const n of ['0', '2', 'x', '-1', '10001']) expectRefusal(await call('GET', `/${bucket}/src`, { query: { partNumber: n } }), `partNumber ${n}`);
    expectRefusal(await call('GET', `/${bucket}/src`, { query: { partNumber: '1' }, headers: { range: 'bytes=0-1' } }), 'partNumber with Range');
  });

  it('refuses conditional headers it cannot honour, and stores odd encoded-words as sent', async () => {
    expectRefusal(await call('PUT', `/${bucket}/cond`, { headers: { 'if-none-match': '"etag"' }, body: 'x' }), 'If-None-Match with an ETag');
    expectRefusal(await call('PUT', `/${bucket}/cond`, { headers: { 'if-match': '' }, body: 'x' }), 'empty If-Match');
    const dates = await call('PUT', `/${bucket}/copy`, { headers: { 'x-amz-copy-source': `/${bucket}/src`, 'x-amz-copy-source-if-modified-since': 'not a date', 'x-amz-copy-source-if-unmodified-since': '31 Feb 99999' } });
    expect(dates.status, 'unparseable dates are ignored, as S3 ignores them').to.equal(200);
    const words = ['=?UTF-8?B?@@@@?=', '=?UTF-8?Q?=ZZ=?=', '=?klingon?B?AAAA?=', '=?UTF-8?X?abc?=', '=?=?=?'];
    for (const [i, word] of words.entries()) {
      const put = await call('PUT', `/${bucket}/meta${i}`, { headers: { 'x-amz-meta-w': word }, body: 'x' });
      expect(put.status, word).to.equal(200);
      const head = await call('HEAD', `/${bucket}/meta${i}`);
      expect(head.status).to.equal(200);
    }
  });

  it('refuses broken XML: character references past Unicode, deep nesting, wrong shapes', async () => {
    const post = (path: string, query: Record<string, string>, body: string) => call('POST', path, { query, headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') }, body });
    const deep = `${'<a>'.repeat(20000)}${'</a>'.repeat(20000)}`;
    const bodies = [
      '<Delete><Object><Key>&#xFFFFFFFF;</Key></Object></Delete>',
      '<Delete><Object><Key>&#99999999999;</Key></Object></Delete>',
      `<Delete><Object><Key>k</Key></Object>${deep}</Delete>`,
      '<Delete><Object>text only</Object></Delete>',
      '<Delete></Delete>',
      'not xml at all',
    ];
    for (const body of bodies) expectRefusal(await post(`/${bucket}`, { delete: '' }, body), `DeleteObjects ${body.slice(0, 60)}`);
    const completes = [
      '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
      `<CompleteMultipartUpload>${deep}</CompleteMultipartUpload>`,
      `<CompleteMultipartUpload>${'<Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part>'.repeat(3)}</CompleteMultipartUpload>`,
    ];
    for (const body of completes) expectRefusal(await post(`/${bucket}/dst`, { uploadId }, body), `Complete ${body.slice(0, 60)}`);
  });

  it('keeps serving afterwards', async () => {
    expect((await call('GET', `/${bucket}/src`)).body).to.equal('0123456789');
  });
});
