/**
 * What the AWS flows keep off the wire: Extend (a sign-in answered in memory, so ExtendSession reaches its SSM and
 * DynamoDB calls) and, where one flow would otherwise make two DynamoDB calls, the read half of the session table.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpClient, OutboundResponse } from '../../../proxy/core/http-client.ts';

export const FAKE_EXTEND_TOKENS = { token: 'fake-extend-access-token', refreshToken: 'fake-extend-refresh-token' } as const;

/** An Extend that accepts any sign-in with the fake tokens. */
export function extendSignsIn(): HttpClient {
  const body = Buffer.from(JSON.stringify(FAKE_EXTEND_TOKENS));
  const res: OutboundResponse = { status: 200, headers: { 'content-type': 'application/json' }, body, text: () => body.toString(), json: <T>() => JSON.parse(body.toString()) as T };
  return { send: async () => res, onExchange: () => () => {} };
}

/** A session table that has nothing cached (GetItem answered here) and writes through to the real client. */
export function emptyReadsThrough(real: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = (cmd: unknown) => (cmd instanceof GetCommand ? Promise.resolve({}) : real.send(cmd as never));
  return { send } as unknown as DynamoDBDocumentClient;
}
