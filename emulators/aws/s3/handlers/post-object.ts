/**
 * POST Object: a browser form upload (RESTObjectPOST.html, sigv4-HTTPPOSTForms.html, sigv4-authentication-HTTPPOST
 * .html), signed by a POST policy — what @aws-sdk/s3-presigned-post's createPresignedPost and botocore's
 * generate_presigned_post produce — or anonymous where the bucket's policy or ACL lets anyone write. In S3's order
 * (observed): the enclosure type (412), the required fields (400 InvalidArgument naming the first one missing), the
 * signature over the base64 policy as sent (403 SignatureDoesNotMatch with StringToSign), the policy document (400
 * InvalidPolicyDocument), its expiry and conditions (403, or 400 EntityTooLarge/EntityTooSmall), the fields it does
 * not name (403), then the bucket's policy and ACLs for s3:PutObject. Fields become the object's headers, metadata,
 * ACL, tags (a Tagging document), storage class and encryption; `${filename}` takes the file's name.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error, errors, invalidArgument } from '../errors.ts';
import { header, xmlResponse, type Caller, type S3Context, type S3Handler, type S3Request, type S3Response } from '../request.ts';
import { escapeXml, parseXmlBody } from '../xml.ts';
import { deriveSigningKey } from '../../sigv4.ts';
import { boundaryOf, malformedPost, parseForm, type FormField } from '../post/form.ts';
import { checkPostPolicy, parsePostPolicy } from '../post/policy.ts';
import { MAX_OBJECT_TAGS, parseTaggingXml } from '../tagging.ts';
import { storedHeadersFrom } from '../object-headers.ts';
import { verifyIntegrity } from '../body.ts';
import { writeSettings } from '../write-settings.ts';
import { sseHeaders, writeEncryption } from '../sse/sse.ts';
import { storePlain, writtenVersionHeader } from './object.ts';
import type { Bucket, ObjectVersion, Tags } from '../model.ts';

/** Fields that carry a PutObject header of the same name. */
const HEADER_FIELDS = /^(content-type|cache-control|content-disposition|content-encoding|expires|content-md5|x-amz-storage-class|x-amz-website-redirect-location|x-amz-server-side-encryption.*|x-amz-checksum-.+|x-amz-object-lock-.+)$/;

export const postObject: S3Handler = async (req, ctx) => {
  const b = ctx.state.bucket(req.bucket!);
  const boundary = boundaryOf(header(req, 'content-type'));
  if (boundary === undefined) throw new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
  if (boundary === null) throw malformedPost();
  const form = parseForm(req.body, boundary);
  // "All variables within the form are expanded prior to validating the POST policy." A file part without a filename
  // parameter leaves ${filename} as it is (observed).
  const fields = form.filename === undefined ? form.fields : form.fields.map((f) => ({ ...f, value: f.value.split('${filename}').join(form.filename!) }));
  const get = (name: string) => fields.find((f) => f.name.toLowerCase() === name)?.value;
  const key = get('key');
  if (!key) throw missingField('key');
  const caller = authenticatePost(req, ctx, b, fields, form.file.length);
  // A repeated field counts once, as its first value: that is the one the policy checked (policy.ts). Taking the last
  // let a form carry `Content-Type: image/png` for the policy and a second `content-type: text/html` for the object.
  const headers: Record<string, string> = {};
  for (const f of fields) {
    const name = f.name.toLowerCase();
    if (HEADER_FIELDS.test(name)) headers[name] ??= f.value;
  }
  const acl = get('acl');
  if (acl !== undefined) headers['x-amz-acl'] = acl;
  const tags = tagsOf(get('tagging'));
  const upload: S3Request = { ...req, key, headers, query: new Map(), body: form.file, trailers: {}, caller };
  ctx.access.check(upload, 's3:putobject', b.name, key, { requestTags: tags });
  const settings = writeSettings(upload, ctx, b);
  if (tags.length) settings.tags = tags;
  const enc = writeEncryption(upload, ctx, b);
  const checksum = verifyIntegrity(form.file, headers, {});
  const storedHeaders = storedHeadersFrom(headers);
  // Metadata fields are stored as sent: S3 decodes no encoded-words in a form (LocalStack's recording).
  const metadata: Record<string, string> = {};
  for (const f of fields) if (f.name.toLowerCase().startsWith('x-amz-meta-')) metadata[f.name.toLowerCase().slice(11)] ??= f.value;
  const { stored, etag, size } = await storePlain(ctx, form.file, enc, settings);
  const v = ctx.state.adopt(stored, () => ctx.state.putObject(b.name, key, { stored, etag, size, headers: storedHeaders, metadata, checksum, settings }));
  return answer(req, b, v, get('success_action_redirect') ?? get('redirect'), get('success_action_status'));
};

const CANONICAL: Record<string, string> = { 'x-amz-algorithm': 'X-Amz-Algorithm', 'x-amz-credential': 'X-Amz-Credential', 'x-amz-date': 'X-Amz-Date', 'x-amz-signature': 'X-Amz-Signature', policy: 'Policy', key: 'key' };

const missingField = (name: string) => invalidArgument(`Bucket POST must contain a field named '${CANONICAL[name] ?? name}'.  If it is specified, please check the order of the fields.`, { ArgumentName: CANONICAL[name] ?? name, ArgumentValue: '' });

/**
 * The caller a form names: anonymous without signature fields (then only the bucket's policy and ACLs can let it
 * in), else the account whose key signed the policy, once the policy holds for this upload.
 */
function authenticatePost(req: S3Request, ctx: S3Context, b: Bucket, fields: FormField[], fileSize: number): Caller {
  const get = (name: string) => fields.find((f) => f.name.toLowerCase() === name)?.value;
  const sigFields = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'];
  if (get('awsaccesskeyid') !== undefined && get('x-amz-algorithm') === undefined) {
    throw new S3Error('NotImplemented', 501, 'Signature Version 2 POST uploads are not implemented by this emulator: sign the policy with AWS4-HMAC-SHA256');
  }
  if (!sigFields.some((f) => get(f) !== undefined)) return { ...req.caller, account: undefined, authType: 'ANONYMOUS' };
  const missing = [...sigFields, 'policy'].find((f) => get(f) === undefined);
  if (missing) throw missingField(missing);
  if (get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw invalidArgument('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', { ArgumentName: 'X-Amz-Algorithm', ArgumentValue: get('x-amz-algorithm')! });
  // Session credentials are not issued by this edge, so no session token can be valid.
  if (get('x-amz-security-token') !== undefined) throw new S3Error('InvalidToken', 400, 'The provided token is malformed or otherwise invalid.');
  const credential = get('x-amz-credential')!;
  const amzDate = get('x-amz-date')!;
  const [accessKeyId, date, region, service, terminal, ...rest] = credential.split('/');
  const credArg = { ArgumentName: 'X-Amz-Credential', ArgumentValue: credential };
  if (rest.length || terminal !== 'aws4_request' || !/^\d{8}$/.test(date ?? '')) {
    throw invalidArgument('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".', credArg);
  }
  if (!accessKeyId) throw invalidArgument('a non-empty Access Key (AKID) must be provided in the credential.', credArg);
  if (service !== 's3') throw invalidArgument(`incorrect service "${service}". This endpoint belongs to "s3".`, credArg);
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) throw invalidArgument('X-Amz-Date must be formated via ISO8601 Long format', { ArgumentName: 'X-Amz-Date', ArgumentValue: amzDate });
  // "The bucket must be in the region that you specified in the credential scope" (sigv4-post-example.html).
  if (region !== b.region) throw invalidArgument(`the region '${region}' is wrong; expecting '${b.region}'`, { ...credArg, Region: b.region });
  const secret = Object.hasOwn(ctx.accounts.credentials, accessKeyId) ? ctx.accounts.credentials[accessKeyId] : undefined;
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });
  const policyB64 = get('policy')!;
  const provided = get('x-amz-signature')!;
  // The string to sign is the base64 policy as sent (sigv4-post-example.html: "The result is the string to sign").
  const expected = createHmac('sha256', deriveSigningKey(secret, date, region, 's3')).update(policyB64, 'utf8').digest('hex');
  if (provided.length !== expected.length || !timingSafeEqual(Buffer.from(provided), Buffer.from(expected))) {
    throw new S3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: accessKeyId, StringToSign: policyB64, SignatureProvided: provided,
      StringToSignBytes: [...Buffer.from(policyB64, 'utf8')].map((x) => x.toString(16).padStart(2, '0')).join(' '),
    });
  }
  const policy = parsePostPolicy(policyB64);
  checkPostPolicy(policy, fields, b.name, fileSize, ctx.now());
  return { ...req.caller, account: ctx.accounts.byAccessKey(accessKeyId), authType: 'POST' };
}

/** A form's `tagging` field: a Tagging document. Another well-formed document sets no tags, as S3 answered. */
function tagsOf(value: string | undefined): Tags {
  if (value === undefined) return [];
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*)/.exec(value)?.[1];
  if (root === undefined) throw errors.MalformedXML();
  if (root !== 'Tagging') {
    parseXmlBody(Buffer.from(value), root);
    return [];
  }
  return parseTaggingXml(Buffer.from(value), MAX_OBJECT_TAGS);
}

/**
 * The answer the form asked for: a 303 to success_action_redirect (an absolute URL; anything else is ignored) with
 * bucket, key and etag appended form-encoded; else success_action_status 200 (empty), 201 (a PostResponse document,
 * no namespace, as captured) or the default 204 — each with the ETag and the object's Location.
 */
function answer(req: S3Request, b: Bucket, v: ObjectVersion, redirect: string | undefined, status: string | undefined): S3Response {
  const pathStyle = req.resource !== '/' && req.resource !== '';
  const host = header(req, 'host') ?? 's3.amazonaws.com';
  const location = pathStyle ? `http://${host}/${b.name}/${encodeURIComponent(v.key)}` : `http://${host}/${encodeURIComponent(v.key)}`;
  const headers: Record<string, string> = { etag: v.etag, location, ...writtenVersionHeader(v), ...sseHeaders(v.sse) };
  if (v.checksum) headers[`x-amz-checksum-${v.checksum.algorithm.toLowerCase()}`] = v.checksum.value;
  if (redirect !== undefined && /^https?:\/\/[^/]/i.test(redirect)) {
    const params = new URLSearchParams({ bucket: b.name, key: v.key, etag: v.etag }).toString();
    return { status: 303, headers: { ...headers, location: `${redirect}${redirect.includes('?') ? '&' : '?'}${params}` } };
  }
  if (status === '201') {
    // Text is escaped where XML needs it only: the captured bodies carry the ETag's quotes as they are.
    const text = (s: string) => s.replace(/[&<>\r]/g, (c) => escapeXml(c));
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${text(location)}</Location><Bucket>${text(b.name)}</Bucket><Key>${text(v.key)}</Key><ETag>${text(v.etag)}</ETag></PostResponse>`;
    return xmlResponse(body, 201, headers);
  }
  return { status: status === '200' ? 200 : 204, headers };
}
