/**
 * Every fake upstream of the stack, started concurrently. With VAULT_ADDR or AWS_ENDPOINT_URL set (docker compose),
 * the embedded twin is not started and the external endpoint is used instead.
 */
import { join } from 'node:path';
import { startVault } from '../vault/index.ts';
import { startCustomerio } from '../customerio/index.ts';
import { startAwsEdge } from '../aws/edge.ts';
import { startMailgun, loadSeed as loadMailgunSeed, DEFAULT_SEED_FILE as MAILGUN_SEED_FILE } from '../mailgun/index.ts';
import { startCloudFront } from '../cloudfront/index.ts';
import { startExtend } from '../extend/index.ts';
import type { PortName } from './ports.ts';

export interface FakesOptions {
  env: Record<string, string | undefined>;
  ports: Record<PortName, number>;
  host: string;
  stateDir: string;
  /** Each started server's close, in start order, so the caller can stop them even if a later one fails. */
  closers: (() => Promise<void>)[];
  /** The CloudFront edge's clock (epoch ms): tests move it forward to see signed URLs expire. */
  now?: () => number;
}

export async function startFakes({ env, ports, host, stateDir, closers, now }: FakesOptions) {
  const tlsDir = join(stateDir, 'tls');
  const aws = {
    region: env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test' },
  };
  const track = <T extends { close(): Promise<void> }>(p: Promise<T>) => p.then((s) => (closers.push(() => s.close()), s));
  const awsAndCloudFront = (async () => {
    const edge = env.AWS_ENDPOINT_URL ? undefined : await track(startAwsEdge({ port: ports.aws, host, persistDir: env.AWS_PERSIST_DIR }));
    const endpoint = env.AWS_ENDPOINT_URL ?? edge!.url;
    const cloudfront = await track(startCloudFront({
      port: ports.cloudfront, httpsPort: ports.cloudfrontHttps, host, tlsDir, keyDir: join(stateDir, 'cloudfront'), env, now,
      origin: { endpoint, ...aws },
    }));
    return { edge, endpoint, cloudfront };
  })();
  const [vault, customerio, { edge, endpoint, cloudfront }, extend, mailgun] = await Promise.all([
    env.VAULT_ADDR ? undefined : track(startVault({ port: ports.vault, host })),
    track(startCustomerio({ port: ports.customerio, httpsPort: ports.customerioHttps, host, tlsDir })),
    awsAndCloudFront,
    track(startExtend({ port: ports.extend, host })),
    track(startMailgun({ port: ports.mailgun, host })),
  ]);
  const mailgunSeed = loadMailgunSeed(MAILGUN_SEED_FILE);
  return {
    vault: { url: env.VAULT_ADDR ?? vault!.url, external: Boolean(env.VAULT_ADDR) },
    customerio,
    aws: { url: endpoint, external: !edge, ...aws },
    cloudfront,
    extend,
    mailgun,
    mailgunSeed,
  };
}

export type Fakes = Awaited<ReturnType<typeof startFakes>>;
