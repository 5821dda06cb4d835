/**
 * The AWS SDK as the console uses it, in one module loaded on first use (`await sdk()`): a console nobody opens
 * never loads the SDK. Imported statically here because the stack's compiled form bundles the SDK's CommonJS, whose
 * named exports a dynamic `import('@aws-sdk/…')` would not see.
 */
export {
  S3Client, ListBucketsCommand, GetBucketVersioningCommand, ListObjectsV2Command, HeadObjectCommand, ListObjectVersionsCommand, GetObjectCommand, GetBucketCorsCommand, PutBucketCorsCommand,
} from '@aws-sdk/client-s3';
export { getSignedUrl } from '@aws-sdk/s3-request-presigner';
export { DynamoDBClient, ListTablesCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
export { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
export {
  SQSClient, ListQueuesCommand, GetQueueAttributesCommand, ReceiveMessageCommand, ChangeMessageVisibilityBatchCommand, ListDeadLetterSourceQueuesCommand, SendMessageBatchCommand, DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
export { SSMClient, DescribeParametersCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
export { SecretsManagerClient, ListSecretsCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
// The stack's one outbound client under the SDK: kept-alive connections the AWS edge closed are replaced, not failed.
export { AwsHttpHandler } from '../../proxy/core/aws-http-handler.ts';
export { createHttpClient } from '../../proxy/core/http-client.ts';
