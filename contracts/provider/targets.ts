/**
 * The two places the mobile pact is verified: the Express stack (gateway → proxy → fakes) and the bundled Lambda
 * behind the API Gateway emulator, with its own gateway in front and the same fakes behind (the stack's proxy env).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startApiGateway, type Flavour } from '../../emulators/apigw/index.ts';
import { startGateway } from '../../emulators/gateway/index.ts';
import type { Stack } from '../../emulators/stack/index.ts';
import { bundleFunction, findFunctions } from '../../scripts/lib/bundle/index.ts';
import type { GatehouseTarget } from './gatehouse-proxy.ts';
import { localCardsStates } from './cards-states.ts';
import { localMailStates } from './mail-states.ts';
import { localPackagesStates } from './packages-states.ts';
import { bundleRoot, lambdaDatabase } from './lambda-database.ts';
import { adminReset, customerioWorkspace, recordCustomerioActivity } from './fakes.ts';

export interface Target extends GatehouseTarget {
  close(): Promise<void>;
}

export function expressTarget(stack: Stack): Target {
  return {
    gatewayUrl: stack.urls.gateway,
    mintToken: (email, ttl) => stack.gateway.mintToken(email, ttl),
    proxyEnv: stack.proxyEnv,
    ...fakesOf(stack),
    packages: localPackagesStates(stack.urls.gateway, stack.proxyEnv.DATABASE_URL),
    close: async () => {},
  };
}

/** Which path prefixes each function serves behind API Gateway (the customerio function takes the rest). */
const PREFIXES: Record<string, string[]> = {
  customerio: ['/'],
  cards: ['/cards', '/transactions', '/openapi.json'],
  mail: ['/send-mail', '/reports', '/webhooks/mailgun'],
  packages: ['/packages'],
};

export async function lambdaTarget(stack: Stack, flavour: Flavour = 'v2'): Promise<Target> {
  await mkdir(bundleRoot(), { recursive: true });
  const out = await mkdtemp(join(bundleRoot(), 'lambda-'));
  const fns = (await findFunctions()).filter((f) => PREFIXES[f.name]);
  const [bundles, db] = await Promise.all([Promise.all(fns.map((f) => bundleFunction(f, out))), lambdaDatabase()]);
  // The stack's own database choice stays the stack's; the function gets the one made for it.
  const { DATABASE_URL: _stackDb, PGLITE_DIR: _stackDir, ...proxyEnv } = stack.proxyEnv;
  const env = defined({ ...proxyEnv, ...db.env, LOG_LEVEL: 'error' });
  const apigw = await startApiGateway({
    flavour,
    log: () => {},
    functions: bundles.flatMap((b) => PREFIXES[b.name].map((pathPrefix, i) => ({
      name: i === 0 ? b.name : `${b.name}${pathPrefix.replace(/\W/g, '-')}`, bundleDir: b.dir, env, pathPrefix, timeoutMs: 10_000,
    }))),
  });
  // Same keys as the stack's gateway: the proxy env's API_GATEWAY_PUBLIC_KEY verifies this gateway's signatures.
  const gateway = await startGateway({ port: 0, upstream: apigw.url, keyDir: join(stack.stateDir, 'gateway') });
  return {
    gatewayUrl: gateway.url,
    mintToken: (email, ttl) => gateway.mintToken(email, ttl),
    proxyEnv: stack.proxyEnv,
    ...fakesOf(stack),
    packages: localPackagesStates(gateway.url, db.url),
    close: async () => {
      await gateway.close();
      await apigw.close();
      await db.close();
      await rm(out, { recursive: true, force: true });
    },
  };
}

const defined = (env: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));


/** The stack's fakes, reset and seeded through their admin APIs. */
const fakesOf = (stack: Stack): Pick<GatehouseTarget, 'resetFakes' | 'recordActivity' | 'cards' | 'mail' | 'customerioWebhookKey'> => ({
  resetFakes: () => adminReset(stack.urls.customerio),
  recordActivity: (email) => recordCustomerioActivity(stack.urls.customerio, email),
  cards: localCardsStates(stack.proxyEnv, stack.urls.extend),
  mail: localMailStates(stack.proxyEnv),
  // The fake workspace's key, which the stack's Vault gives the proxy too (fixtures/vault/seed.json).
  customerioWebhookKey: customerioWorkspace().webhookSigningKey,
});
