/**
 * The whole local stack in one process: the fakes, the proxy (every function's app on one Express server) and the
 * signing gateway in front of it. `npm start` and the test helper both use this, so tests exercise exactly what a
 * developer runs. Start-up is three concurrent phases — servers listen, fixtures are seeded, apps are built — and
 * the proxy answers 503 `starting` until its apps are ready. External endpoints win: with VAULT_ADDR or
 * AWS_ENDPOINT_URL set (docker compose), the embedded twin is not started and the external one is seeded.
 */
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_STEPS, startGateway } from '../gateway/index.ts';
import { seedAws, seedSecrets } from '../aws/seed.ts';
import { listen } from '../shared/emulator.ts';
import { expressAdapter } from '../../proxy/adapters/express.ts';
import { combineApps, type App } from '../../proxy/core/app.ts';
import { createLogger, type Logger } from '../../proxy/core/log.ts';
import { createHttpClient, type Exchange as UpstreamExchange } from '../../proxy/core/http-client.ts';
import { buildCustomerioApp } from '../../proxy/functions/customerio.ts';
import { buildMailApp } from '../../proxy/functions/mail.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { startFakes } from './fakes.ts';
import { preparePackages } from './packages-service.ts';
import { resolvePorts, type PortName } from './ports.ts';
import { proxyEnvironment } from './proxy-env.ts';
import { seedVault } from './seed-vault.ts';
import { AuditTrail, auditedGatewaySteps } from './audit-trail.ts';
import { seedStackSecrets } from './seed-secrets.ts';
import { wireCustomerioWebhooks } from './customerio-webhooks.ts';

export interface StackOptions {
  env?: Record<string, string | undefined>;
  /** Free ports everywhere (tests). */
  ephemeral?: boolean;
  /** Where keys, certificates and persisted data live (default `.state/`). */
  stateDir?: string;
  log?: Logger;
  /** Record mode (npm run record): sees every outbound call of every function (Vault, Customer.io, Extend, Mailgun). */
  onUpstreamExchange?: (x: UpstreamExchange) => void;
  /** Open the packages database at start (default: only for the long-running `npm start`, not ephemeral stacks). */
  eagerDatabase?: boolean;
  /**
   * The CloudFront edge's clock (epoch ms; default Date.now). Only the edge's: the apps and the gateway keep real
   * time, so their signatures still verify while a test moves the edge past a signed URL's expiry.
   */
  now?: () => number;
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
  /** Every security_audit line of the run (also served at `<proxy>/__admin/audit`). */
  auditTrail: AuditTrail;
  stateDir: string;
  /** Milliseconds each start-up phase took. */
  timings: Record<'listen' | 'seed' | 'build', number>;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env = opts.env ?? process.env;
  const ports = resolvePorts(env, opts.ephemeral);
  const stateDir = opts.stateDir ?? env.GATEHOUSE_STATE_DIR ?? '.state';
  // Audit lines are kept by the stack as well as logged (proxy/core/audit.ts; served at /__admin/audit).
  const auditTrail = new AuditTrail();
  const log = auditTrail.tee(opts.log ?? createLogger({ name: 'proxy', level: (env.LOG_LEVEL as 'info') ?? 'info' }));
  // 127.0.0.1 keeps the fakes private to the machine; a container sets GATEHOUSE_HOST=0.0.0.0 to publish them.
  const host = env.GATEHOUSE_HOST || '127.0.0.1';
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  const t0 = performance.now();

  try {
    // Phase 1: every server listens. The proxy's port opens first and answers 503 until its apps exist.
    let app: App | undefined;
    let handler: http.RequestListener | undefined;
    const proxyServer = http.createServer((req, res) => {
      if (auditTrail.serve(req, res)) return;
      if (handler) return handler(req, res);
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'starting', message: 'the proxy is still starting' } }));
    });
    const proxyAndGateway = (async () => {
      const proxy = await listen(proxyServer, ports.proxy, { host });
      closers.push(proxy.close);
      const gateway = await startGateway({ port: ports.gateway, host, upstream: proxy.url, keyDir: join(stateDir, 'gateway'), steps: auditedGatewaySteps(DEFAULT_STEPS, log) });
      closers.push(gateway.close);
      return { proxy, gateway };
    })();
    const [f, { proxy, gateway }] = await Promise.all([startFakes({ env, ports, host, stateDir, closers, now: opts.now }), proxyAndGateway]);
    const t1 = performance.now();

    // Phase 2: fixtures, idempotently, into whichever Vault and AWS are in use.
    const aws = { endpoint: f.aws.url, region: f.aws.region, credentials: f.aws.credentials };
    const cloudfrontKey = JSON.stringify({ keyPairId: f.cloudfront.keyPairId, privateKey: f.cloudfront.privateKeyPem() });
    const mailDomain = env.MAILGUN_DOMAIN ?? f.mailgunSeed.domains[0].name;
    const vaultToken = f.vault.external ? env.VAULT_TOKEN ?? 'root' : 'root';
    const [, packages] = await Promise.all([
      (f.vault.external ? seedVault(f.vault.url, vaultToken) : Promise.resolve()).then(() => seedStackSecrets({
        gatewayUrl: gateway.url, vault: { url: f.vault.url, token: vaultToken }, aws,
        // The fake Mailgun's keys (fixtures/mailgun/seed.json) reach the mail function through the store.
        mail: { MAILGUN_API_KEY: f.mailgunSeed.apiKey, MAILGUN_WEBHOOK_SIGNING_KEY: f.mailgunSeed.domains.find((d) => d.name === mailDomain)?.webhookSigningKey ?? '' },
      })),
      // Extend passwords (SSM), the session, API-token and delivery tables, report files, queues; then packages:
      // versioned bucket, restore queue, the CloudFront key in SSM (after the seed, as both touch that bucket and
      // queue); the packages database opens when needed.
      seedAws(aws.endpoint, aws.credentials, aws.region)
        .then(() => preparePackages({ env, stateDir, aws, cloudfront: f.cloudfront, log })),
      // The CloudFront edge's private key (generated under .state/cloudfront, never committed) for the mail function.
      seedSecrets(aws.endpoint, aws.credentials, aws.region, { 'cloudfront-private-key': cloudfrontKey }),
    ]);
    closers.push(packages.close);
    // Mailgun posts delivery events through the gateway, as in production (Mailgun → API Gateway → mail function).
    for (const id of ['delivered', 'permanent_fail', 'temporary_fail']) f.mailgun.state.domain(mailDomain).createWebhook(id, [`${gateway.url}/webhooks/mailgun`]);
    // Customer.io posts its reporting webhooks through the gateway too (emulators/stack/customerio-webhooks.ts).
    wireCustomerioWebhooks(f.customerio.webhooks, gateway.url);
    const t2 = performance.now();

    // Phase 3: every function's app, built as its Lambda would be at cold start, served on the proxy's port.
    const proxyEnv = proxyEnvironment(env, f, { stateDir, packagesEnv: packages.env });
    // One shared outbound client when recording, so its single onExchange hook sees every function's calls.
    const outbound = opts.onUpstreamExchange ? createHttpClient() : undefined;
    if (outbound) outbound.onExchange(opts.onUpstreamExchange!);
    const build = { env: proxyEnv, log, http: outbound };
    app = combineApps(await Promise.all([buildCustomerioApp(build), buildCardsApp(build), buildMailApp(build), packages.start(proxyEnv, outbound)]));
    handler = expressAdapter(app) as unknown as http.RequestListener;
    const t3 = performance.now();
    // After start-up, not during it: PGlite's open (and a first initdb) would compete with the phases above.
    if (opts.eagerDatabase ?? !opts.ephemeral) packages.database().catch(() => {});

    const services = [
      { name: 'gateway', url: gateway.url, note: 'signing gateway: the mobile app\'s entry (JWT optional; `npm run token -- you@example.com`)' },
      { name: 'proxy', url: proxy.url, note: `Gatehouse proxy (${app.routes().length} routes); verifies the gateway's HTTP signatures` },
      { name: 'customerio', url: f.customerio.http.url, note: 'fake Customer.io Track /api/v1 + App /v1' },
      { name: 'customerio-https', url: f.customerio.https.url, note: `same, HTTPS with the local CA (${join(stateDir, 'tls', 'ca.pem')})` },
      { name: 'extend', url: f.extend.url, note: 'fake Extend API (v2021-03-12); users in fixtures/extend/seed.json' },
      { name: 'mailgun', url: f.mailgun.url, note: `fake Mailgun v3 (domain ${mailDomain}); captured mail at /__admin/messages` },
      { name: 'cloudfront', url: f.cloudfront.http.url, note: `local CloudFront edge for s3://${f.cloudfront.distribution.origin.bucket} (signed URLs, key pair ${f.cloudfront.keyPairId})` },
      { name: 'cloudfront-https', url: f.cloudfront.https.url, note: 'same, HTTPS with the local CA' },
      { name: 'vault', url: f.vault.url, note: f.vault.external ? 'external (VAULT_ADDR)' : 'fake Vault: KV v2 secret/, KV v1 kv/, AppRole; token "root"' },
      { name: 'aws', url: f.aws.url, note: f.aws.external ? 'external (AWS_ENDPOINT_URL)' : 'embedded AWS edge: S3, SSM, DynamoDB, SQS, Secrets Manager' },
      { name: 'restore-worker', url: packages.env.RESTORE_PACKAGE_QUEUE_URL, note: 'SQS event-source mapping → restore worker (batch 10, window 200 ms)' },
    ];
    return {
      urls: Object.fromEntries(services.map((s) => [s.name, s.url])),
      services,
      gateway,
      proxyApp: app,
      proxyEnv,
      auditTrail,
      stateDir,
      timings: { listen: Math.round(t1 - t0), seed: Math.round(t2 - t1), build: Math.round(t3 - t2) },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

export type { PortName };
