/**
 * The cards group's AWS calls, from its own code (proxy/routes/cards/api-tokens.ts, session.ts) with the clients
 * of cardsAwsClients pointed at the mock server: API-token lookups and creation, the Extend session cache and the
 * Extend password in SSM. Wire shapes: DynamoDB API reference (GetItem, PutItem), SSM API reference (GetParameter).
 */
import { MatchersV3 as M } from '@pact-foundation/pact';
import { silentLogger } from '../../../proxy/core/log.ts';
import { systemClock } from '../../../proxy/core/types.ts';
import { ApiTokenStore, hashApiToken } from '../../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../../proxy/routes/cards/aws.ts';
import { EXTEND_DEFAULT_ACCEPT, type CardsConfig } from '../../../proxy/routes/cards/config.ts';
import { ExtendApi } from '../../../proxy/routes/cards/extend-api.ts';
import { ExtendSession } from '../../../proxy/routes/cards/session.ts';
import { passwordStore } from '../extend/session-stores.ts';
import type { AwsFlow, AwsInteraction } from './run.ts';
import { emptyReadsThrough, extendSignsIn, FAKE_EXTEND_TOKENS } from './stand-ins.ts';
import { AWS_STATES as S, EXAMPLES as X } from './states.ts';
import { awsEnv, ddbNumber, ddbString, isoTime, jsonAnswer, jsonCall } from './wire.ts';

const ddb = (op: string) => jsonCall('dynamodb', `DynamoDB_20120810.${op}`, '1.0');
const ddbOk = (json: unknown, reads?: string): Pick<AwsInteraction, 'status' | 'responseHeaders' | 'json' | 'reads'> => ({ status: 200, responseHeaders: jsonAnswer('1.0'), json, reads });
const email = () => ddbString(X.email);
/** Far in the future, so the proxy takes the cached session as it is. */
const SESSION_EXPIRES = 4102444800;

const cfg: CardsConfig = {
  extendBaseUrl: 'http://extend.contract.invalid', extendAccept: EXTEND_DEFAULT_ACCEPT, passwordSsmPrefix: '/gatehouse/extend/users',
  extendTokenTable: X.sessionTable, apiTokenTable: X.apiTokenTable, upstreamTimeoutMs: 5000,
};

function session(endpoint: string, wire: { ssm: boolean; reads: boolean }): ExtendSession {
  const aws = cardsAwsClients(awsEnv(endpoint));
  return new ExtendSession({
    cfg, api: new ExtendApi(cfg, extendSignsIn()), clock: systemClock, log: silentLogger(),
    ssm: wire.ssm ? aws.ssm : passwordStore('unused'),
    ddb: wire.reads ? aws.ddb : emptyReadsThrough(aws.ddb),
  });
}

const tokenHead = { tokenHash: { S: M.regex('^[0-9a-f]{64}$', hashApiToken(X.apiToken)) }, email: email(), createdAt: { S: isoTime() } };
const apiTokenItem = { ...tokenHead, revoked: { BOOL: M.boolean(false) } };

export const cardsFlows: AwsFlow[] = [
  {
    title: 'ApiTokenStore.emailFor reads a token\'s item by its hash (GetItem, consistent read)',
    interactions: [{
      given: [S.apiTokenStored], uponReceiving: 'a GetItem of an API token by its hash', method: 'POST', path: '/', headers: ddb('GetItem'),
      body: { TableName: M.like(X.apiTokenTable), Key: { tokenHash: { S: M.regex('^[0-9a-f]{64}$', hashApiToken(X.apiToken)) } }, ConsistentRead: true },
      ...ddbOk({ Item: apiTokenItem }, 'Item'),
    }],
    run: (endpoint) => new ApiTokenStore(cardsAwsClients(awsEnv(endpoint)).ddb, X.apiTokenTable).emailFor(X.apiToken, Date.now()),
    expected: X.email,
  },
  {
    title: 'ApiTokenStore.create stores only the hash, once (PutItem, attribute_not_exists)',
    interactions: [{
      given: [S.apiTokenTable], uponReceiving: 'a conditional PutItem of a new API token', method: 'POST', path: '/', headers: ddb('PutItem'),
      body: {
        TableName: M.like(X.apiTokenTable),
        Item: { ...tokenHead, expiresAt: ddbNumber(1735693200), revoked: { BOOL: false } },
        ConditionExpression: 'attribute_not_exists(tokenHash)',
      },
      ...ddbOk({}),
    }],
    run: async (endpoint) => (await new ApiTokenStore(cardsAwsClients(awsEnv(endpoint)).ddb, X.apiTokenTable).create(X.email, Date.now(), 3600)).item.email,
    expected: X.email,
  },
  {
    title: 'ExtendSession takes a cached session from the session table (GetItem, consistent read)',
    interactions: [{
      given: [S.sessionCached], uponReceiving: 'a GetItem of a user\'s cached Extend session', method: 'POST', path: '/', headers: ddb('GetItem'),
      body: { TableName: M.like(X.sessionTable), Key: { email: email() }, ConsistentRead: true },
      ...ddbOk({
        Item: {
          email: email(), accessToken: ddbString(FAKE_EXTEND_TOKENS.token), refreshToken: ddbString(FAKE_EXTEND_TOKENS.refreshToken),
          issuedAt: { S: isoTime() }, expiresAt: { N: M.regex('^\\d+$', String(SESSION_EXPIRES)) },
        },
      }, 'Item'),
    }],
    run: (endpoint) => session(endpoint, { ssm: false, reads: true }).accessToken(X.email),
    expected: FAKE_EXTEND_TOKENS.token,
  },
  {
    title: 'ExtendSession signs in with the password from SSM and caches the session (GetParameter, PutItem)',
    interactions: [
      {
        given: [S.extendPassword], uponReceiving: 'a GetParameter of a user\'s Extend password, decrypted', method: 'POST', path: '/',
        headers: jsonCall('ssm', 'AmazonSSM.GetParameter', '1.1'),
        body: { Name: M.regex('^/gatehouse/extend/users/[^/]+/password$', X.passwordParameter), WithDecryption: true },
        status: 200, responseHeaders: jsonAnswer('1.1'),
        json: { Parameter: { Name: M.like(X.passwordParameter), Type: 'SecureString', Value: M.like('fake-extend-password-for-contracts'), Version: M.integer(1) } }, reads: 'Parameter',
      },
      {
        given: [S.sessionTable], uponReceiving: 'a PutItem of a new Extend session', method: 'POST', path: '/', headers: ddb('PutItem'),
        body: {
          TableName: M.like(X.sessionTable),
          Item: {
            email: email(), accessToken: ddbString(FAKE_EXTEND_TOKENS.token), refreshToken: ddbString(FAKE_EXTEND_TOKENS.refreshToken),
            issuedAt: { S: isoTime() }, expiresAt: { N: M.regex('^\\d+$', '1735690200') },
          },
        },
        ...ddbOk({}),
      },
    ],
    run: (endpoint) => session(endpoint, { ssm: true, reads: false }).accessToken(X.email),
    expected: FAKE_EXTEND_TOKENS.token,
  },
];
