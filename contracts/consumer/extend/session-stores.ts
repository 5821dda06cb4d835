/**
 * In-memory stand-ins for the two AWS stores ExtendSession reads (the password in SSM, the session cache in
 * DynamoDB), so the consumer test drives the proxy's real session and client code with only Extend on the wire.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CachedSession } from '../../../proxy/routes/cards/session.ts';

/** An SSM that holds one (fake) password for every user. */
export function passwordStore(password: string): SSMClient {
  const send = async (cmd: unknown) => {
    if (!(cmd instanceof GetParameterCommand)) throw new Error('the contract SSM stand-in only answers GetParameter');
    return { Parameter: { Name: cmd.input.Name, Value: password } };
  };
  return { send } as unknown as SSMClient;
}

/** A DynamoDB session table as a Map keyed by email; the test seeds and reads it directly. */
export function sessionTable(items: Map<string, CachedSession>): DynamoDBDocumentClient {
  const send = async (cmd: unknown) => {
    if (cmd instanceof GetCommand) return { Item: items.get(String(cmd.input.Key?.email)) };
    if (cmd instanceof PutCommand) {
      const item = cmd.input.Item as CachedSession;
      items.set(item.email, item);
      return {};
    }
    throw new Error('the contract DynamoDB stand-in only answers GetItem and PutItem');
  };
  return { send } as unknown as DynamoDBDocumentClient;
}
