/**
 * Rotating a webhook signing key whose sender switches at once when the key is regenerated (Mailgun's account key,
 * Customer.io's reporting-webhook key), without a refused webhook. The proxy verifies against `<KEY>` and
 * `<KEY>_PREVIOUS`, re-reads its store when no key verifies, and — while `<KEY>_ROTATING_UNTIL` announces a
 * rotation — keeps re-reading for a few seconds (proxy/auth/key-recheck.ts). So:
 *   1. announce the rotation in the store (`<KEY>_ROTATING_UNTIL`, bounded: it lapses by itself if we stop);
 *   2. wait until every proxy has re-read the store;
 *   3. regenerate the key at the sender (it signs with the new key from now on);
 *   4. write `<KEY>` = new, `<KEY>_PREVIOUS` = old, and end the announcement — webhooks signed in between wait
 *      for this write in the proxy;
 *   5. wait out the overlap (a webhook signed with the old key and still in flight or retried: at most the
 *      webhook age limit, after which it is refused as stale anyway);
 *   6. drop `<KEY>_PREVIOUS`.
 */
import { storeWriterFromEnv, type SecretStoreWriter, type StoredDocument } from '../../../proxy/secrets/store-writer.ts';
import { parseFlags, propagationFrom, rotationEnv, runCli } from './cli.ts';
import { cliReporter, runSteps, sleep, type RotationReporter } from './events.ts';

export interface WebhookKeyRotation {
  store: SecretStoreWriter;
  location: string;
  /** `MAILGUN_WEBHOOK_SIGNING_KEY` or `CIO_WEBHOOK_SIGNING_KEY`. */
  keyName: string;
  /** Regenerate at the sender; resolves to the new key. Gets the store's document (it may hold the API key). */
  regenerate(doc: StoredDocument): Promise<string>;
  propagationMs: number;
  overlapMs: number;
  report: RotationReporter;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/** How long the announcement lasts beyond the propagation wait: regenerating and writing take seconds at most. */
const ANNOUNCEMENT_MARGIN_MS = 120_000;

export async function rotateWebhookKey(o: WebhookKeyRotation): Promise<void> {
  const now = o.now ?? Date.now;
  const wait = o.wait ?? sleep;
  const previous = `${o.keyName}_PREVIOUS`;
  const announce = `${o.keyName}_ROTATING_UNTIL`;
  const where = o.store.where(o.location);
  let old = '';
  let fresh = '';
  const update = async (change: (data: Record<string, unknown>) => Record<string, unknown>) => {
    const doc = await o.store.read(o.location);
    if (!doc) throw new Error(`${where} does not exist`);
    return o.store.write(o.location, change({ ...doc.data }), doc);
  };
  await runSteps(`secret:${o.keyName}`, o.report, [
    [`announce the rotation in ${where}`, async () => {
      const until = Math.ceil((now() + o.propagationMs + ANNOUNCEMENT_MARGIN_MS) / 1000);
      const written = await update((d) => {
        if (typeof d[o.keyName] !== 'string' || !d[o.keyName]) throw new Error(`${where} holds no ${o.keyName}`);
        old = d[o.keyName] as string;
        return { ...d, [announce]: String(until) };
      });
      return { [announce]: new Date(until * 1000).toISOString(), version: written.version };
    }],
    ['wait for every proxy to re-read the secret', async () => {
      await wait(o.propagationMs);
      return { waitedMs: o.propagationMs };
    }],
    ['regenerate the key at the sender (it signs with the new key from now on)', async () => {
      const doc = await o.store.read(o.location);
      if (!doc) throw new Error(`${where} does not exist`);
      fresh = await o.regenerate(doc);
      if (!fresh || fresh === old) throw new Error('the sender returned no new key');
    }],
    [`write the new key, keep the old one as ${previous}`, async () => {
      const written = await update((d) => {
        const { [announce]: _a, ...rest } = d;
        return { ...rest, [o.keyName]: fresh, [previous]: old };
      });
      return { version: written.version };
    }],
    ['wait out the overlap', async () => {
      await wait(o.overlapMs);
      return { waitedMs: o.overlapMs };
    }],
    [`drop ${previous}`, async () => {
      const written = await update((d) => {
        const { [previous]: _p, ...rest } = d;
        return rest;
      });
      return { version: written.version };
    }],
  ]);
}

/** What differs between the webhook-key scripts: whose secret, which key, how the sender regenerates it. */
export interface WebhookKeyCli {
  script: string;
  usage: string;
  keyName: string;
  /** The secret's place in the store (Vault path or Secrets Manager id). */
  location(env: Record<string, string | undefined>, store: 'vault' | 'secretsmanager'): string;
  /** The variable of the proxy's webhook age limit: the default overlap is that plus the propagation wait. */
  maxAgeVariable: string;
  /** Flags beyond --propagation-seconds and --overlap-seconds. */
  flags?: Record<string, 'string'>;
  /** Regenerate at the sender; `remember` every key handled, so the audit logger masks it. */
  regenerate(doc: StoredDocument, c: { env: Record<string, string | undefined>; flags: Record<string, unknown>; remember(v: string): void }): Promise<string>;
  done: string;
}

/** A webhook-key script's whole body: flags, store, the rotation, its report. */
export function webhookKeyCli(o: WebhookKeyCli): Promise<void> {
  return runCli(o.usage, async () => {
    const flags = parseFlags(process.argv.slice(2), { ...o.flags, 'propagation-seconds': 'number', 'overlap-seconds': 'number' });
    const env = rotationEnv();
    const propagation = propagationFrom(flags, env);
    const store = storeWriterFromEnv(env);
    const seen: string[] = [];
    const remember = (v: string) => void seen.push(v);
    try {
      await rotateWebhookKey({
        store, keyName: o.keyName, location: o.location(env, store.kind as 'vault' | 'secretsmanager'),
        regenerate: (doc) => o.regenerate(doc, { env, flags, remember }),
        propagationMs: propagation,
        overlapMs: flags['overlap-seconds'] !== undefined ? Number(flags['overlap-seconds']) * 1000 : Number(env[o.maxAgeVariable] ?? 300) * 1000 + propagation,
        report: cliReporter(o.script, () => seen),
      });
      process.stderr.write(`${o.done}\n`);
    } finally {
      store.close();
    }
  });
}
