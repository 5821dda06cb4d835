/**
 * The whole local stack in one process: fakes (Vault, Customer.io, AWS edge), the proxy (every function's app on
 * one Express server) and the signing gateway in front of it. `npm start` and the test helper both use this, so
 * tests exercise exactly what a developer runs. External endpoints win: with VAULT_ADDR or AWS_ENDPOINT_URL set
 * (docker compose), the embedded twin is not started and the stack points at (and seeds) the external one.
 */
import http from 'node:http';
import { join } from 'node:path';
import { startVault } from '../vault/index.ts';
import { startCustomerio } from '../customerio/index.ts';
import { startGateway } from '../gateway/index.ts';
import { startAwsEdge } from '../aws/edge.ts';
import { seedAws, seedSecrets } from '../aws/seed.ts';
import { startMailgun, loadSeed as loadMailgunSeed, DEFAULT_SEED_FILE as MAILGUN_SEED_FILE } from '../mailgun/index.ts';
import { startCloudFront } from '../cloudfront/index.ts';
import { startExtend } from '../extend/index.ts';
import { listen, type Listening } from '../shared/emulator.ts';
import { expressAdapter } from '../../proxy/adapters/express.ts';
import { combineApps, type App } from '../../proxy/core/app.ts';
import { createLogger, type Logger } from '../../proxy/core/log.ts';
import { createHttpClient, type Exchange as UpstreamExchange } from '../../proxy/core/http-client.ts';
import { buildCustomerioApp } from '../../proxy/functions/customerio.ts';
import { buildMailApp } from '../../proxy/functions/mail.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { preparePackages } from './packages-service.ts';
import { resolvePorts, type PortName } from './ports.ts';
import { seedVault } from './seed-vault.ts';

/** The fake Vault's AppRole for the proxy (fixtures/vault/seed.json, role `gatehouse-proxy`). */
const LOCAL_APPROLE = { roleId: '6d0c7f3e-local-gatehouse-role-id', secretId: '5f1e2a9b-local-gatehouse-secret-id' };

export interface StackOptions {
  env?: Record<string, string | undefined>;
  /** Free ports everywhere (tests). */
  ephemeral?: boolean;
  /** Where keys, certificates and persisted data live (default `.state/`). */
  stateDir?: string;
  log?: Logger;
  /** Record mode (npm run record): sees every outbound call of every function (Vault, Customer.io, Extend, Mailgun). */
  onUpstreamExchange?: (x: UpstreamExchange) => void;
}

export interface ServiceInfo {
  name: string;
  url: string;
  note: string;
}

export interface Stack {
  urls: Record<string, string>;
  services: ServiceInfo[];
  gateway: Awaited<ReturnType<typeof startGateway>>;
  proxyApp: App;
  /** The environment the proxy was built with (URLs of the fakes, Vault address and token). */
  proxyEnv: Record<string, string | undefined>;
  stateDir: string;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env = opts.env ?? process.env;
  const ports = resolvePorts(env, opts.ephemeral);
  const stateDir = opts.stateDir ?? env.GATEHOUSE_STATE_DIR ?? '.state';
  const log = opts.log ?? createLogger({ name: 'proxy', level: (env.LOG_LEVEL as 'info') ?? 'info' });
  // 127.0.0.1 keeps the fakes private to the machine; a container sets GATEHOUSE_HOST=0.0.0.0 to publish them.
  const host = env.GATEHOUSE_HOST || '127.0.0.1';
  const closers: (() => Promise<void>)[] = [];
  const services: ServiceInfo[] = [];
  const add = (name: string, url: string, note: string) => services.push({ name, url, note });

  try {
    const externalVault = env.VAULT_ADDR;
    const externalAws = env.AWS_ENDPOINT_URL;
    const [vault, cio, aws, extend] = await Promise.all([
      externalVault ? undefined : startVault({ port: ports.vault, host }),
      startCustomerio({ port: ports.customerio, httpsPort: ports.customerioHttps, host, tlsDir: join(stateDir, 'tls') }),
      externalAws ? undefined : startAwsEdge({ port: ports.aws, host, persistDir: env.AWS_PERSIST_DIR }),
      startExtend({ port: ports.extend, host }),
    ]);
    closers.push(extend.close);
    if (vault) closers.push(vault.close);
    closers.push(cio.close);
    if (aws) closers.push(aws.close);
    const vaultAddr = externalVault ?? vault!.url;
    const vaultToken = env.VAULT_TOKEN ?? 'root';
    if (externalVault) await seedVault(vaultAddr, vaultToken);
    // Against the fake, the proxy logs in with the least-privileged AppRole from fixtures/vault (as in Lambda);
    // an external dev Vault has no AppRole, so there the token is used.
    const vaultAuth = externalVault || env.VAULT_TOKEN
      ? { VAULT_TOKEN: vaultToken }
      : { VAULT_ROLE_ID: env.VAULT_ROLE_ID ?? LOCAL_APPROLE.roleId, VAULT_SECRET_ID: env.VAULT_SECRET_ID ?? LOCAL_APPROLE.secretId };
    add('vault', vaultAddr, externalVault ? 'external (VAULT_ADDR)' : 'fake Vault: KV v2 secret/, KV v1 kv/, AppRole; token "root"');
    add('customerio', cio.http.url, 'fake Customer.io Track /api/v1 + App /v1');
    add('customerio-https', cio.https.url, `same, HTTPS with the local CA (${join(stateDir, 'tls', 'ca.pem')})`);
    const awsUrl = externalAws ?? aws!.url;
    add('aws', awsUrl, externalAws ? 'external (AWS_ENDPOINT_URL)' : 'embedded AWS edge: S3, SSM, DynamoDB, SQS, Secrets Manager');
    // Mail (issue 7): the fake Mailgun, and the CloudFront edge in front of the AWS edge's S3. The edge's private
    // key (generated under .state/cloudfront, never committed) goes into Secrets Manager, where the mail function reads it.
    const awsCredentials = { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test' };
    const awsRegion = env.AWS_REGION ?? 'us-east-1';
    const mailgunSeed = loadMailgunSeed(MAILGUN_SEED_FILE);
    const mailDomain = env.MAILGUN_DOMAIN ?? mailgunSeed.domains[0].name;
    const [mailgun, cloudfront] = await Promise.all([
      startMailgun({ port: ports.mailgun, host }),
      startCloudFront({ port: ports.cloudfront, httpsPort: ports.cloudfrontHttps, host, tlsDir: join(stateDir, 'tls'), keyDir: join(stateDir, 'cloudfront'), env, origin: { endpoint: awsUrl, region: awsRegion, credentials: awsCredentials } }),
    ]);
    closers.push(mailgun.close, cloudfront.close);
    await seedSecrets(awsUrl, awsCredentials, awsRegion, { 'cloudfront-private-key': JSON.stringify({ keyPairId: cloudfront.keyPairId, privateKey: cloudfront.privateKeyPem() }) });
    add('mailgun', mailgun.url, `fake Mailgun v3 (domain ${mailDomain}); captured mail at /__admin/messages`);
    add('cloudfront', cloudfront.http.url, `local CloudFront edge for s3://${cloudfront.distribution.origin.bucket} (signed URLs, key pair ${cloudfront.keyPairId})`);
    add('cloudfront-https', cloudfront.https.url, 'same, HTTPS with the local CA');
    // Idempotent: Extend passwords (SSM), the session and API-token tables the cards routes need, buckets, queues.
    await seedAws(awsUrl, awsCredentials, awsRegion);
    // Packages (issue 8): bucket, restore queue, the edge's CloudFront key into SSM; the database opens in the background.
    const packages = await preparePackages({ env, stateDir, aws: { endpoint: awsUrl, region: awsRegion, credentials: awsCredentials }, cloudfront, log });
    closers.push(packages.close);
    add('restore-worker', packages.env.RESTORE_PACKAGE_QUEUE_URL, 'SQS event-source mapping → restore worker (batch 10, window 200 ms)');
    add('extend', extend.url, 'fake Extend API (v2021-03-12); users in fixtures/extend/seed.json');

    // The proxy listens first (its app is bound once the gateway's public key exists), then the gateway.
    let app: App | undefined;
    const proxyServer = http.createServer((req, res) => {
      if (!app) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        return res.end(JSON.stringify({ error: { code: 'starting', message: 'the proxy is still starting' } }));
      }
      expressHandler!(req, res);
    });
    let expressHandler: http.RequestListener | undefined;
    const proxy = await listen(proxyServer, ports.proxy, { host });
    closers.push(proxy.close);
    const gateway = await startGateway({ port: ports.gateway, host, upstream: proxy.url, keyDir: join(stateDir, 'gateway') });
    closers.push(gateway.close);
    // Mailgun posts delivery events through the gateway, as in production (Mailgun → API Gateway → mail function).
    for (const id of ['delivered', 'permanent_fail', 'temporary_fail']) mailgun.state.domain(mailDomain).createWebhook(id, [`${gateway.url}/webhooks/mailgun`]);

    const proxyEnv: Record<string, string | undefined> = {
      STAGE: 'local',
      ...env,
      VAULT_ADDR: vaultAddr,
      ...vaultAuth,
      VAULT_SECRET_PATH: env.VAULT_SECRET_PATH ?? 'gatehouse/customerio',
      CIO_TRACK_API_BASE_URL: env.CIO_TRACK_API_BASE_URL ?? `${cio.http.url}/api/v1/`,
      CIO_APP_API_BASE_URL: env.CIO_APP_API_BASE_URL ?? `${cio.http.url}/v1/`,
      CIO_ALLOWED_BROADCAST_IDS: env.CIO_ALLOWED_BROADCAST_IDS ?? '7',
      API_GATEWAY_PUBLIC_KEY: env.API_GATEWAY_PUBLIC_KEY ?? gateway.publicKeyPem,
      AWS_ENDPOINT_URL: awsUrl,
      AWS_REGION: env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? 'test',
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? 'test',
      // The stack never reads a Lambda-extension secrets file from the developer's /tmp.
      VAULT_SECRET_FILE: env.VAULT_SECRET_FILE ?? join(stateDir, 'no-secrets-file.json'),
      MAILGUN_API_BASE_URL: env.MAILGUN_API_BASE_URL ?? mailgun.url,
      MAILGUN_DOMAIN: mailDomain,
      // The fake's keys (fixtures/mailgun/seed.json) reach the mail function through the chain's env provider.
      MAILGUN_API_KEY: env.MAILGUN_API_KEY ?? mailgunSeed.apiKey,
      MAILGUN_WEBHOOK_SIGNING_KEY: env.MAILGUN_WEBHOOK_SIGNING_KEY ?? mailgunSeed.domains.find((d) => d.name === mailDomain)?.webhookSigningKey,
      CLOUDFRONT_BASE_URL: env.CLOUDFRONT_BASE_URL ?? cloudfront.http.url,
      REPORTS_BUCKET: env.REPORTS_BUCKET ?? cloudfront.distribution.origin.bucket,
      EXTEND_API_BASE_URL: env.EXTEND_API_BASE_URL ?? extend.url,
      ...packages.env,
    };
    // One shared outbound client when recording, so its single onExchange hook sees every function's calls.
    const outbound = opts.onUpstreamExchange ? createHttpClient() : undefined;
    if (outbound) outbound.onExchange(opts.onUpstreamExchange!);
    app = combineApps([await buildCustomerioApp({ env: proxyEnv, log, http: outbound }), await buildCardsApp({ env: proxyEnv, log, http: outbound }), await buildMailApp({ env: proxyEnv, log, http: outbound }), await packages.start(proxyEnv, outbound)]);
    expressHandler = expressAdapter(app) as unknown as http.RequestListener;
    add('proxy', proxy.url, `Gatehouse proxy (${app.routes().length} routes); verifies the gateway's HTTP signatures`);
    add('gateway', gateway.url, 'signing gateway: the mobile app\'s entry (JWT optional; `npm run token -- you@example.com`)');

    return {
      urls: Object.fromEntries(services.map((s) => [s.name, s.url])),
      services,
      gateway,
      proxyApp: app,
      proxyEnv,
      stateDir,
      close: async () => {
        for (const c of closers.reverse()) await c().catch(() => {});
      },
    };
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => {});
    throw e;
  }
}

export type { PortName };
