/**
 * The one table of the local stack's services. Each runs in a process of its own under the supervisor
 * (supervisor.ts), as `docker compose` runs one container per service. An entry says:
 *   - which ports it binds (a restart binds the same ones) and which services must be up before it starts;
 *   - `config`: built in the supervisor from the stack's settings and the reports of the services before it;
 *   - `load`: runs in the service's process — imports its code (one lazily loaded chunk per service, so a fake
 *     never loads the proxy's dependencies) and returns the function that starts it and reports back;
 *   - `wire`: the wiring steps a restart of that service undoes, redone by the supervisor after every restart; at
 *     first start every step runs once, in its phase (`seed`, then `build`) — the AWS fixtures, the stack's secrets
 *     in Vault and Secrets Manager, the webhooks of Mailgun and Customer.io to the gateway, the proxy's apps.
 * `npm start` and the test helper use this table through `startStack` (index.ts).
 */
import { allowedHostsFrom } from '../console/host-check.ts';
import type { CloudFrontKey } from './aws-seed.ts';
import type { AwsTargetConfig } from './packages.ts';
import type { StackSecretSources } from './seed-secrets.ts';
import type { Report } from './ipc.ts';
import type { PortName } from './ports.ts';

export type ServiceName = 'aws' | 'vault' | 'customerio' | 'extend' | 'mailgun' | 'cloudfront' | 'proxy' | 'gateway' | 'console';

/** What the supervisor side knows while it starts, wires and restarts services. */
export interface StackContext {
  env: Record<string, string | undefined>;
  host: string;
  stateDir: string;
  /** Bound ports: 0 (ephemeral) until the service first reports, then the port it got. */
  ports: Record<PortName, number>;
  reports: Partial<Record<ServiceName, Report>>;
  /** The CloudFront edge takes its clock from the supervisor (a test's `now`). */
  edgeClock: boolean;
  /** The proxy forwards every outbound exchange (record mode). */
  recordExchanges: boolean;
  eagerDatabase: boolean;
  /** The restore queue's URL, known once AWS is seeded. */
  restoreQueueUrl?: string;
  /** The packages functions' variables (they name the restore queue and the CloudFront key pair). */
  packagesEnv?: Record<string, string>;
  /** The environment the proxy's apps were last built with. */
  proxyEnv?: Record<string, string | undefined>;
  call(service: ServiceName, method: string, args?: unknown): Promise<unknown>;
}

/** The service process's line to the supervisor. */
export interface ParentLink {
  emit(kind: string, data: unknown): void;
  ask(what: string, args?: unknown): Promise<unknown>;
}

export interface Running {
  report: Report;
  /** Requests the supervisor may send (`call`). */
  methods?: Record<string, (args: any) => Promise<unknown>>;
  close(): Promise<void>;
}

export type Start<C> = (config: C, parent: ParentLink) => Promise<Running>;

/** Cross-service wiring, run in the supervisor (wiring.ts). */
export interface WiringStep {
  name: string;
  /** `build` runs after every `seed` step. */
  phase: 'seed' | 'build';
  /** The services it talks to or reads reports of: at first start it runs as soon as those are up. */
  needs: ServiceName[];
  run(ctx: StackContext): Promise<void>;
}

export interface ServiceSpec<C = any> {
  name: ServiceName;
  ports: PortName[];
  after: ServiceName[];
  /** An external endpoint replaces it (VAULT_ADDR, AWS_ENDPOINT_URL): no process, but its wiring still runs. */
  external?(env: Record<string, string | undefined>): boolean;
  /** Turned off (CONSOLE_PORT=0): no process, no line in the table, its wiring skipped. */
  off?(env: Record<string, string | undefined>): boolean;
  config(ctx: StackContext): C;
  load(): Promise<Start<C>>;
  wire?: WiringStep[];
  /** One line per listener for the table `npm start` prints. */
  notes(ctx: StackContext): Record<string, string>;
  /** Environment of its process, over the supervisor's. */
  env?: Record<string, string>;
  /** How long it may leave the supervisor's heartbeat unanswered before it counts as hung (RestartPolicy's). */
  unresponsiveMs?: number;
}

/** The AWS SDK's Node-version warning is printed once, by the proxy, not by every process that loads the SDK. */
const SDK_WARNED_BY_PROXY = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

const define = <C>(s: ServiceSpec<C>): ServiceSpec<C> => s;
const at = (ctx: StackContext, name: PortName) => ctx.ports[name];
const url = (ctx: StackContext, service: ServiceName, listener: string = service) => ctx.reports[service]?.urls[listener] ?? '';
const tlsDir = (ctx: StackContext) => `${ctx.stateDir}/tls`;
const single = (name: string, l: { url: string; port: number }, port: PortName, info?: Record<string, unknown>): Report =>
  ({ urls: { [name]: l.url }, ports: { [port]: l.port }, info });
const wiring = () => import('./wiring.ts');

/** The wiring steps, each named once; a service lists the ones its restart undoes. */
const STEPS = {
  // Fixtures, the packages bucket and queue: an in-memory edge comes back empty, a persisted one keeps its S3 objects
  // and is re-seeded around them (every step is idempotent).
  awsFixtures: { name: 'aws-fixtures', phase: 'seed', needs: ['aws'], run: async (ctx) => (await wiring()).seedAwsForStack(ctx) },
  // The CloudFront edge's private key in SSM and Secrets Manager, where the packages and mail functions read it.
  cloudfrontKey: { name: 'cloudfront-key', phase: 'seed', needs: ['aws', 'cloudfront'], run: async (ctx) => (await wiring()).storeCloudFrontKeyForStack(ctx) },
  // The gateway's signing-key set and the Mailgun keys in Vault and Secrets Manager (an external Vault gets the
  // fixture's secrets first): the fake Vault and the edge forget them, the gateway is their authority.
  secrets: { name: 'secrets', phase: 'seed', needs: ['aws', 'vault', 'gateway', 'mailgun'], run: async (ctx) => (await wiring()).storeStackSecrets(ctx) },
  // Mailgun and Customer.io post their webhooks through the gateway, as in production (→ API Gateway → function).
  mailgunWebhooks: { name: 'mailgun-webhooks', phase: 'seed', needs: ['mailgun', 'gateway'], run: async (ctx) => (await wiring()).registerMailgunWebhooks(ctx) },
  customerioWebhooks: { name: 'customerio-webhooks', phase: 'seed', needs: ['customerio', 'gateway'], run: async (ctx) => (await wiring()).registerCustomerioWebhooks(ctx) },
  // The console's origin on the seeded buckets' CORS rules, so its page may fetch presigned downloads into a ZIP:
  // after the fixtures exist (a build step), again after the AWS edge comes back empty or the console restarts.
  consoleCors: { name: 'console-cors', phase: 'build', needs: ['aws', 'console'], run: async (ctx) => void (ctx.reports.console && (await ctx.call('console', 'allowOrigin'))) },
  // Every function's app, built as its Lambda would be at cold start, once the fakes are seeded.
  proxyApps: { name: 'proxy-apps', phase: 'build', needs: ['aws', 'vault', 'customerio', 'extend', 'mailgun', 'cloudfront', 'proxy', 'gateway'], run: async (ctx) => (await wiring()).buildProxy(ctx) },
} satisfies Record<string, WiringStep>;

export const SERVICES: ServiceSpec[] = [
  define({
    name: 'aws',
    ports: ['aws'],
    env: SDK_WARNED_BY_PROXY,
    after: [],
    external: (env) => Boolean(env.AWS_ENDPOINT_URL),
    config: (ctx) => ({ port: at(ctx, 'aws'), host: ctx.host, persistDir: ctx.env.AWS_PERSIST_DIR, accountsConfig: ctx.env.AWS_EDGE_ACCOUNTS }),
    load: async () => {
      const { startAwsEdge } = await import('../aws/edge.ts');
      const { parseAccountsConfig } = await import('../aws/s3/accounts.ts');
      return async (c) => {
        const edge = await startAwsEdge({ ...c, accounts: parseAccountsConfig(c.accountsConfig) });
        // The seeding code (the AWS SDK) loads while the other services start.
        const seeding = import('./aws-seed.ts');
        seeding.catch(() => {});
        return {
          report: single('aws', edge, 'aws'),
          methods: {
            seed: async (target: AwsTargetConfig) => (await seeding).seedStackAws(target),
            cloudfrontKey: async (a: { target: AwsTargetConfig; key: CloudFrontKey }) => (await seeding).storeCloudFrontKey(a),
            secrets: async (a: StackSecretSources) => (await import('./seed-secrets.ts')).seedStackSecrets(a),
          },
          close: () => edge.close(),
        };
      };
    },
    wire: [STEPS.awsFixtures, STEPS.cloudfrontKey, STEPS.secrets, STEPS.consoleCors],
    notes: (ctx) => ({ aws: ctx.reports.aws ? 'embedded AWS edge: S3, SSM, DynamoDB, SQS, Secrets Manager' : 'external (AWS_ENDPOINT_URL)' }),
  }),
  define({
    name: 'vault',
    ports: ['vault'],
    after: [],
    external: (env) => Boolean(env.VAULT_ADDR),
    config: (ctx) => ({ port: at(ctx, 'vault'), host: ctx.host }),
    load: async () => {
      const { startVault } = await import('../vault/index.ts');
      return async (c) => {
        const vault = await startVault(c);
        return { report: single('vault', vault, 'vault'), close: () => vault.close() };
      };
    },
    // The fake replays its seed itself; the stack's secrets are written again.
    wire: [STEPS.secrets],
    notes: (ctx) => ({ vault: ctx.reports.vault ? 'fake Vault: KV v2 secret/, KV v1 kv/, AppRole; token "root"' : 'external (VAULT_ADDR)' }),
  }),
  define({
    name: 'customerio',
    ports: ['customerio', 'customerioHttps'],
    after: [],
    config: (ctx) => ({ port: at(ctx, 'customerio'), httpsPort: at(ctx, 'customerioHttps'), host: ctx.host, tlsDir: tlsDir(ctx) }),
    load: async () => {
      const [{ startCustomerio }, { wireCustomerioWebhooks }] = await Promise.all([import('../customerio/index.ts'), import('./customerio-webhooks.ts')]);
      return async (c) => {
        const cio = await startCustomerio(c);
        return {
          report: { urls: { customerio: cio.http.url, 'customerio-https': cio.https.url }, ports: { customerio: cio.http.port, customerioHttps: cio.https.port } },
          methods: { webhooks: async (a: { gatewayUrl: string }) => wireCustomerioWebhooks(cio.webhooks, a.gatewayUrl) },
          close: () => cio.close(),
        };
      };
    },
    wire: [STEPS.customerioWebhooks],
    notes: (ctx) => ({ customerio: 'fake Customer.io Track /api/v1 + App /v1', 'customerio-https': `same, HTTPS with the local CA (${tlsDir(ctx)}/ca.pem)` }),
  }),
  define({
    name: 'extend',
    ports: ['extend'],
    after: [],
    config: (ctx) => ({ port: at(ctx, 'extend'), host: ctx.host }),
    load: async () => {
      const { startExtend } = await import('../extend/index.ts');
      return async (c) => {
        const extend = await startExtend(c);
        return { report: single('extend', extend, 'extend'), close: () => extend.close() };
      };
    },
    notes: () => ({ extend: 'fake Extend API (v2021-03-12); users in fixtures/extend/seed.json' }),
  }),
  define({
    name: 'mailgun',
    ports: ['mailgun'],
    after: [],
    config: (ctx) => ({ port: at(ctx, 'mailgun'), host: ctx.host }),
    load: async () => {
      const { startMailgun, loadSeed, DEFAULT_SEED_FILE } = await import('../mailgun/index.ts');
      return async (c) => {
        const mailgun = await startMailgun(c);
        const seed = loadSeed(DEFAULT_SEED_FILE);
        return {
          report: single('mailgun', mailgun, 'mailgun', { apiKey: seed.apiKey, domains: seed.domains.map((d) => ({ name: d.name, webhookSigningKey: d.webhookSigningKey })) }),
          methods: {
            // Idempotent: a webhook that exists is pointed at the URL again.
            async webhooks(a: { domain: string; url: string; ids: string[] }) {
              const d = mailgun.state.domain(a.domain);
              for (const id of a.ids) {
                try { d.createWebhook(id, [a.url]); } catch { d.updateWebhook(id, [a.url]); }
              }
            },
          },
          close: () => mailgun.close(),
        };
      };
    },
    wire: [STEPS.mailgunWebhooks],
    notes: (ctx) => ({ mailgun: `fake Mailgun v3 (domain ${mailDomainOf(ctx)}); captured mail at /__admin/messages` }),
  }),
  define({
    name: 'cloudfront',
    ports: ['cloudfront', 'cloudfrontHttps'],
    env: SDK_WARNED_BY_PROXY,
    after: ['aws'],
    config: (ctx) => ({
      port: at(ctx, 'cloudfront'), httpsPort: at(ctx, 'cloudfrontHttps'), host: ctx.host, tlsDir: tlsDir(ctx), keyDir: `${ctx.stateDir}/cloudfront`,
      env: ctx.env, edgeClock: ctx.edgeClock, origin: awsTarget(ctx),
    }),
    load: async () => {
      const { startEdgeService } = await import('./cloudfront-service.ts');
      return startEdgeService;
    },
    // Its key pair lives under the state folder; written to the stores again in case it was made anew.
    wire: [STEPS.cloudfrontKey],
    notes: (ctx) => {
      const info = ctx.reports.cloudfront?.info as CloudFrontInfo | undefined;
      return { cloudfront: `local CloudFront edge for s3://${info?.bucket} (signed URLs, key pair ${info?.keyPairId})`, 'cloudfront-https': 'same, HTTPS with the local CA' };
    },
  }),
  define({
    name: 'proxy',
    ports: ['proxy'],
    // PGlite runs inside its event loop: opening a database (recovery, migrations, a first initdb) blocks it for
    // seconds, many more on a loaded machine.
    unresponsiveMs: 180_000,
    after: [],
    config: (ctx) => ({ port: at(ctx, 'proxy'), host: ctx.host, stateDir: ctx.stateDir, eagerDatabase: ctx.eagerDatabase, recordExchanges: ctx.recordExchanges }),
    load: async () => (await import('./proxy-service.ts')).startProxyService,
    wire: [STEPS.proxyApps],
    notes: (ctx) => ({ proxy: `Gatehouse proxy (${String(ctx.reports.proxy?.info?.routes ?? '…')} routes); verifies the gateway's HTTP signatures` }),
  }),
  define({
    name: 'gateway',
    ports: ['gateway'],
    after: ['proxy'],
    config: (ctx) => ({ port: at(ctx, 'gateway'), host: ctx.host, upstream: url(ctx, 'proxy'), keyDir: `${ctx.stateDir}/gateway` }),
    load: async () => {
      const [{ startGateway, DEFAULT_STEPS }, { auditedGatewaySteps }, { forwardingLogger }] = await Promise.all([
        import('../gateway/index.ts'), import('./gateway-audit.ts'), import('./child-log.ts'),
      ]);
      return async (c, parent) => {
        // Its API-key and JWT refusals go to the stack's audit trail, as API Gateway's own logs would hold them.
        const gateway = await startGateway({ ...c, steps: auditedGatewaySteps(DEFAULT_STEPS, forwardingLogger(parent)) });
        return { report: single('gateway', gateway, 'gateway'), close: () => gateway.close() };
      };
    },
    // Its signing keys live under the state folder; the key set in the stores is made to match it again.
    wire: [STEPS.secrets],
    notes: () => ({ gateway: 'signing gateway: the mobile app\'s entry (JWT optional; `npm run token -- you@example.com`)' }),
  }),
  define({
    name: 'console',
    ports: ['console'],
    // It shows every other service, so it starts once they all listen (external ones are not waited for).
    after: ['aws', 'vault', 'customerio', 'extend', 'mailgun', 'cloudfront', 'proxy', 'gateway'],
    off: (env) => env.CONSOLE_PORT === '0',
    config: (ctx) => ({
      port: at(ctx, 'console'), host: ctx.host, stateDir: ctx.stateDir, allowedHosts: allowedHostsFrom(ctx.env),
      urls: {
        ...(ctx.reports.aws ? {} : { aws: awsTarget(ctx).endpoint }), ...(ctx.reports.vault ? {} : { vault: vaultUrl(ctx) }),
        ...Object.assign({}, ...SERVICES.filter((s) => s.name !== 'console').map((s) => ctx.reports[s.name]?.urls ?? {})),
      },
      aws: awsTarget(ctx),
      vault: { url: vaultUrl(ctx), token: ctx.reports.vault ? 'root' : ctx.env.VAULT_TOKEN ?? 'root' },
    }),
    load: async () => (await import('./console-service.ts')).startConsoleService,
    wire: [STEPS.consoleCors],
    notes: () => ({ console: 'web console: services, request traces, mail, Customer.io, S3, AWS resources, replay' }),
  }),
];

export interface CloudFrontInfo {
  keyPairId: string;
  privateKeyPem: string;
  domainName: string;
  bucket: string;
}

export interface MailgunInfo {
  apiKey: string;
  domains: { name: string; webhookSigningKey: string }[];
}

export const serviceNamed = (name: string): ServiceSpec | undefined => SERVICES.find((s) => s.name === name);

/** The AWS endpoint in use (the embedded edge, or AWS_ENDPOINT_URL) with the stack's region and credentials. */
export function awsTarget(ctx: StackContext) {
  return {
    endpoint: ctx.env.AWS_ENDPOINT_URL ?? url(ctx, 'aws'),
    region: ctx.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: ctx.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: ctx.env.AWS_SECRET_ACCESS_KEY ?? 'test' },
  };
}

export function mailDomainOf(ctx: StackContext): string {
  return ctx.env.MAILGUN_DOMAIN ?? (ctx.reports.mailgun?.info as MailgunInfo | undefined)?.domains[0].name ?? '';
}

export const vaultUrl = (ctx: StackContext): string => ctx.env.VAULT_ADDR ?? url(ctx, 'vault');
