/** The AWS clients the cards group uses (configuration shared with every group: `proxy/core/aws.ts`). */
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../../core/aws.ts';
import type { HttpClient } from '../../core/http-client.ts';

export interface CardsAws {
  ssm: SSMClient;
  ddb: DynamoDBDocumentClient;
}

export function cardsAwsClients(env: Record<string, string | undefined>, http?: HttpClient): CardsAws {
  const cfg = awsClientConfig(env, http);
  return { ssm: new SSMClient(cfg), ddb: DynamoDBDocumentClient.from(new DynamoDBClient(cfg), { marshallOptions: { removeUndefinedValues: true } }) };
}
