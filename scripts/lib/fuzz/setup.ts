/**
 * Live credentials for a running stack, so fuzzed requests pass authentication where a real client's would:
 * gateway JWTs and the gateway's signing key (from the stack's state directory), a cards API token, the CRM's
 * API key, an Extend session, a CloudFront-signed report URL, and the AWS edge's fuzz-owned resources.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { GatewayState, loadGatewayKeys } from '../../../emulators/gateway/index.ts';
import { loadDistribution } from '../../../emulators/cloudfront/index.ts';
import { DEFAULT_DISTRIBUTION_FILE } from '../../../emulators/cloudfront/distribution.ts';
import { ApiTokenStore } from '../../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../../proxy/routes/cards/aws.ts';
import { loadCardsConfig } from '../../../proxy/routes/cards/config.ts';
import { prepareAws } from './templates-aws.ts';
import type { Credentials, StackUrls } from './surfaces.ts';

const fixture = (p: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../fixtures/${p}`, import.meta.url)), 'utf8'));

export const AWS_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const USERS = ['ada@example.com', 'grace@example.com', 'linus@example.com'];
const REPORT = '/reports/DN-1001/2025/07/royalty-statement.pdf';

export async function prepareCredentials(urls: StackUrls, stateDir: string): Promise<Credentials> {
  const keys = loadGatewayKeys({ keyDir: join(stateDir, 'gateway'), env: {} });
  const gateway = new GatewayState(keys, new URL('http://127.0.0.1/'));
  const jwt: Record<string, string> = {};
  for (const u of USERS) jwt[u] = await gateway.mintToken(u, 24 * 3600);

  const env = { AWS_ENDPOINT_URL: urls.aws, AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };
  const cardsAws = cardsAwsClients(env);
  const tokens = new ApiTokenStore(cardsAws.ddb, loadCardsConfig(env).apiTokenTable);
  const newCardsToken = async () => (await tokens.create('ada@example.com', Date.now())).token;

  const apiKeys = fixture('gateway/api-keys.json') as { apiKeys: { value: string; enabled: boolean; usagePlanId: string }[] };
  const mailApiKey = apiKeys.apiKeys.find((k) => k.enabled && k.usagePlanId === 'crm-standard')!.value;
  const mailgunWebhookKey = (fixture('mailgun/seed.json') as { domains: { webhookSigningKey: string }[] }).domains[0].webhookSigningKey;

  const extendSignIn = async () => {
    const signin = await fetch(`${urls.extend}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/vnd.paywithextend.v2021-03-12+json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'ada-Extend-2024!' }),
    });
    return ((await signin.json()) as { token: string }).token;
  };

  const cfState = (await (await fetch(`${urls.cloudfront}/__admin/state`)).json()) as { signingKey: { keyPairId: string; privateKeyPath?: string } };
  const privateKey = readFileSync(cfState.signingKey.privateKeyPath ?? join(stateDir, 'cloudfront', 'private-key.pem'), 'utf8');
  const domain = loadDistribution(DEFAULT_DISTRIBUTION_FILE).domainName;
  // Signed for the distribution's domain: the edge accepts its own domain whatever Host a request names.
  const signed = new URL(getSignedUrl({ url: `https://${domain}${REPORT}`, keyPairId: cfState.signingKey.keyPairId, privateKey, dateLessThan: new Date(Date.now() + 24 * 3600_000).toISOString() }));

  const fuzzQueueUrl = await prepareAws(urls.aws, AWS_CREDENTIALS);
  const creds: Credentials = {
    jwt, cardsToken: await newCardsToken(), mailApiKey, mailgunWebhookKey, extendBearer: await extendSignIn(),
    gatewaySigningKeyPem: keys.signingPrivateKeyPem,
    aws: AWS_CREDENTIALS,
    cloudfrontSignedPath: `${signed.pathname}${signed.search}`,
    fuzzQueueUrl,
    // The fuzz may legitimately end a session or erase the user (forget-me revokes API tokens): fresh ones per surface.
    async refresh() {
      creds.cardsToken = await newCardsToken();
      creds.extendBearer = await extendSignIn();
    },
  };
  return creds;
}
