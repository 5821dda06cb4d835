/**
 * A bucket's default encryption: Put/Get/DeleteBucketEncryption (API_PutBucketEncryption.html,
 * API_ServerSideEncryptionRule.html). One rule: ApplyServerSideEncryptionByDefault with SSEAlgorithm AES256 makes
 * every write that asks for nothing SSE-S3; aws:kms and aws:kms:dsse need KMS (501); BlockedEncryptionTypes SSE-C
 * refuses SSE-C writes (403), NONE allows them.
 *
 * Two deliberate differences from S3, whose defaults are in README: S3 has applied SSE-S3 to every new object since
 * January 2023 whatever the bucket says; here a bucket has no default until one is put (so a plain GET stays a copy
 * of memory, never a decryption), and GetBucketEncryption shows exactly that. SSE-C is blocked on a new bucket, as on
 * S3 since April 2026.
 */
import { S3Error, errors, invalidArgument } from '../errors.ts';
import { xmlResponse, type S3Handler } from '../request.ts';
import { asArray, asText, doc, leaf, node, parseXmlBody } from '../xml.ts';
import { verifyIntegrity } from '../body.ts';
import type { BucketEncryption } from '../sse/model.ts';

const SSE_C_BLOCKED_BY_DEFAULT = true;

export const putBucketEncryption: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  verifyIntegrity(req.body, req.headers, req.trailers);
  const rules = asArray(parseXmlBody(req.body, 'ServerSideEncryptionConfiguration').Rule);
  // No rule, or more than one: MalformedXML (LocalStack's recording against S3).
  if (rules.length !== 1 || !rules[0] || typeof rules[0] !== 'object') throw errors.MalformedXML();
  const rule = rules[0] as Record<string, unknown>;
  const next: BucketEncryption = { blockSseC: b.encryption?.blockSseC ?? SSE_C_BLOCKED_BY_DEFAULT };
  const byDefault = rule.ApplyServerSideEncryptionByDefault as Record<string, unknown> | undefined;
  if (byDefault !== undefined) {
    const algorithm = asText(byDefault?.SSEAlgorithm);
    if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') {
      throw new S3Error('NotImplemented', 501, `Default encryption with AWS KMS keys (${algorithm}) is not implemented by this emulator: it has no KMS`);
    }
    if (algorithm !== 'AES256') throw errors.MalformedXML();
    if (byDefault.KMSMasterKeyID !== undefined) {
      throw invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', { ArgumentName: 'ApplyServerSideEncryptionByDefault' });
    }
    next.algorithm = 'AES256';
  }
  const bucketKey = asText(rule.BucketKeyEnabled);
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw errors.MalformedXML();
  // Bucket keys only change how KMS is called; with SSE-S3 S3 stores the flag and it changes nothing (LocalStack).
  if (bucketKey === 'true') next.bucketKeyEnabled = true;
  const blocked = rule.BlockedEncryptionTypes as Record<string, unknown> | undefined;
  if (blocked !== undefined) {
    const types = asArray(blocked?.EncryptionType).map(asText);
    if (types.length === 0 || types.some((t) => t !== 'NONE' && t !== 'SSE-C') || (types.includes('NONE') && types.length > 1)) throw errors.MalformedXML();
    next.blockSseC = types.includes('SSE-C');
  }
  state.updateBucket(b.name, (r) => ({ ...r, encryption: next }));
  return { status: 200 };
};

export const getBucketEncryption: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  const e = b.encryption ?? { blockSseC: SSE_C_BLOCKED_BY_DEFAULT };
  return xmlResponse(doc('ServerSideEncryptionConfiguration', node('Rule',
    e.algorithm ? node('ApplyServerSideEncryptionByDefault', leaf('SSEAlgorithm', e.algorithm)) : '',
    leaf('BucketKeyEnabled', e.bucketKeyEnabled ?? false),
    node('BlockedEncryptionTypes', leaf('EncryptionType', e.blockSseC ? 'SSE-C' : 'NONE')))));
};

// Deleting resets the default (here: to none) and keeps the SSE-C setting, which is not part of the default.
export const deleteBucketEncryption: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  state.updateBucket(b.name, (r) => ({ ...r, encryption: { blockSseC: b.encryption?.blockSseC ?? SSE_C_BLOCKED_BY_DEFAULT } }));
  return { status: 204 };
};

/**
 * UpdateObjectEncryption (PUT /key?encryption, API_UpdateObjectEncryption.html): the only target it takes is SSE-KMS,
 * and there is no KMS here, so a well-formed request is 501; a malformed one is S3's 400 first.
 */
export const updateObjectEncryption: S3Handler = (req, { state }) => {
  state.getObject(req.bucket!, req.key!, req.query.get('versionId'));
  const root = parseXmlBody(req.body, 'ObjectEncryption');
  if (root['SSE-KMS'] === undefined) throw errors.MalformedXML();
  throw new S3Error('NotImplemented', 501, 'UpdateObjectEncryption re-encrypts under AWS KMS keys, which this emulator does not have');
};
