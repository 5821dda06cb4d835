/**
 * What every AWS request of the pact pins, and what it leaves to the signer. Pinned: the SigV4 `authorization`
 * shape with its service scope, `x-amz-date`, the JSON protocols' `x-amz-target` and `content-type`, S3's
 * `x-amz-content-sha256` (S3 refuses a request without it). Left out: the SDK's user-agent and invocation headers
 * (`x-amz-user-agent`, `amz-sdk-invocation-id`, `amz-sdk-request`) — nothing the provider relies on.
 * Sources: docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (header format), the DynamoDB,
 * SSM, SQS and Secrets Manager API references ("Common parameters": X-Amz-Target, Content-Type).
 */
import { MatchersV3 as M } from '@pact-foundation/pact';

/** Obviously fake credentials: the consumer signs with them, the provider verification re-signs with the edge's. */
export const FAKE_AWS = { accessKeyId: 'AKIAFAKECONTRACTS000', secretAccessKey: 'fake-secret-for-contracts-only' } as const;
export const REGION = 'us-east-1';

export type AwsService = 'dynamodb' | 'ssm' | 'sqs' | 'secretsmanager' | 's3';

/** The environment the proxy's own client factories read, pointed at the Pact mock server. */
export const awsEnv = (endpoint: string): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: FAKE_AWS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS.secretAccessKey,
});

const FAKE_SIGNATURE = 'f'.repeat(64);

/** `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=<hex>`. */
export const sigV4 = (service: AwsService) => M.regex(
  `^AWS4-HMAC-SHA256 Credential=[A-Z0-9]{16,128}/\\d{8}/[a-z0-9-]+/${service}/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`,
  `AWS4-HMAC-SHA256 Credential=${FAKE_AWS.accessKeyId}/20250101/${REGION}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${FAKE_SIGNATURE}`,
);

/** ISO 8601 basic format, the signing time. */
export const amzDate = () => M.regex('^\\d{8}T\\d{6}Z$', '20250101T000000Z');

/** The headers of an AWS JSON protocol call: `X-Amz-Target: <prefix>.<Operation>` and its content type. */
export function jsonCall(service: Exclude<AwsService, 's3'>, target: string, version: '1.0' | '1.1') {
  return { authorization: sigV4(service), 'x-amz-date': amzDate(), 'x-amz-target': target, 'content-type': `application/x-amz-json-${version}` };
}

/** The JSON protocol's answer carries the same content type (observed from DynamoDB, SSM, SQS, Secrets Manager). */
export const jsonAnswer = (version: '1.0' | '1.1') => ({ 'content-type': M.regex(`^application/x-amz-json-${version.replace('.', '\\.')}`, `application/x-amz-json-${version}`) });

/** An S3 REST call: SigV4 plus the payload hash S3 requires (an empty body's SHA-256 for GET and DELETE). */
export function s3Call() {
  return {
    authorization: sigV4('s3'), 'x-amz-date': amzDate(),
    'x-amz-content-sha256': M.regex('^([0-9a-f]{64}|UNSIGNED-PAYLOAD)$', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
  };
}

/** S3 answers listings as XML (S3 API reference, ListObjectsV2 / ListObjectVersions responses). */
export const xmlAnswer = () => ({ 'content-type': M.regex('^application/xml', 'application/xml') });

/** ISO timestamps as the proxy writes them (`new Date().toISOString()`). */
export const isoTime = (example = '2025-01-01T00:00:00.000Z') => M.regex('^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', example);

/** DynamoDB's number attribute is a decimal string on the wire (DynamoDB API reference, AttributeValue N). */
export const ddbNumber = (example: number) => ({ N: M.regex('^-?\\d+(\\.\\d+)?$', String(example)) });
export const ddbString = (example: string) => ({ S: M.like(example) });
