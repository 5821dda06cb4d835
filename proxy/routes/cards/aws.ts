/**
 * The AWS clients the cards group uses, built from an environment map (not process.env, so tests and the stack
 * can hand one in). `AWS_ENDPOINT_URL` is the SDK's standard override (LocalStack, our edge); without static keys
 * the SDK's default chain (the Lambda role) applies.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProxyError } from '../../core/errors.ts';

export interface CardsAws {
  ssm: SSMClient;
  ddb: DynamoDBDocumentClient;
}

export function cardsAwsClients(env: Record<string, string | undefined>): CardsAws {
  const cfg = {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
  };
  return { ssm: new SSMClient(cfg), ddb: DynamoDBDocumentClient.from(new DynamoDBClient(cfg), { marshallOptions: { removeUndefinedValues: true } }) };
}

/** An AWS call whose failure is a dependency outage (502), not our bug; the SDK's message names no secret. */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ProxyError) throw e;
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    throw new ProxyError(502, 'aws_unavailable', `${what} failed`, { service: what, error: err.name ?? 'Error', awsStatus: err.$metadata?.httpStatusCode });
  }
}
