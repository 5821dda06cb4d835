/** The embedded AWS stack's public surface: the edge, the services it hosts, and seeding. */
export { startAwsEdge, type AwsEdge, type EdgeOptions, type JsonService, type RawService, type AwsJsonError, type CallContext } from './edge.ts';
export { createSsm, type SsmService } from './ssm/routes.ts';
export { createSqs, type SqsService } from './sqs/routes.ts';
export { createDynamo, type DynamoService } from './dynamodb/routes.ts';
export { md5OfMessageAttributes, type MessageAttributeValue } from './sqs/md5.ts';
export { seedAws, extendPasswordParameter, DEFAULT_SEED_FILE, type SeedFile, type SeedReport } from './seed.ts';
