/**
 * One soak: a stack of its own (free ports, a temporary state directory), the fault mix on the fake Customer.io's
 * Track API and the fake Mailgun's API, `clients` clients each sending a seeded mix of events and campaigns for
 * `seconds`, then — once every client has settled its last operation and the slowest faulted answer could have
 * landed — the comparison with what the fakes hold.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../../../emulators/stack/index.ts';
import { DEFAULT_API_KEYS_FILE, type ApiKeysConfig } from '../../../emulators/gateway/api-keys.ts';
import { silentLogger } from '../../../proxy/core/log.ts';
import { seeded, type SoakOptions } from './args.ts';
import { judgeAnswers, heldEvents, heldMessages, tally, type BadAnswer, type KindReport } from './check.ts';
import type { RetryPolicy } from './clients.ts';
import { faultHits, faultKinds, installFaults } from './faults.ts';
import { EVENT_USERS, campaign, customerEvent, type Operation, type Target } from './workload.ts';

/** The proxy gives up on an upstream after this; "slow" faults answer 500 ms later. */
const UPSTREAM_TIMEOUT_MS = 1000;
/** Clients: the README's rule, with shorter waits than a phone would use so a minute holds many retries. */
const CLIENT_RETRIES: RetryPolicy = { maxAttempts: 8, baseMs: 250, capMs: 4000 };

export interface SoakReport {
  options: SoakOptions;
  seconds: number;
  events: KindReport;
  mail: KindReport;
  faults: { customerio: Record<string, number>; mailgun: Record<string, number> };
  badAnswers: BadAnswer[];
  ok: boolean;
}

export async function runSoak(o: SoakOptions, progress: (line: string) => void = () => {}): Promise<SoakReport> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'));
  const stack = await startStack({
    env: {
      GATEHOUSE_STATE_DIR: stateDir, LOG_LEVEL: 'error', UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      // Longer than the slowest faulted answer takes to land at the fake (timeout + 500 ms), so "not in Mailgun's
      // events" is only believed once it cannot still arrive; a short breaker cool-down keeps the minute busy.
      MAIL_OUTCOME_SETTLE_SECONDS: '3', MAILGUN_BREAKER_COOLDOWN_MS: '2000',
    },
    ephemeral: true, stateDir, log: silentLogger(),
  });
  try {
    const kinds = faultKinds(UPSTREAM_TIMEOUT_MS);
    await installFaults(stack.urls.customerio, '/api/v1/', o.faults, kinds);
    await installFaults(stack.urls.mailgun, '/v3/', o.faults, kinds);
    const crm = (JSON.parse(readFileSync(DEFAULT_API_KEYS_FILE, 'utf8')) as ApiKeysConfig).apiKeys.find((k) => k.enabled && k.usagePlanId === 'crm-standard')!;
    const tokens: Record<string, string> = {};
    for (const u of EVENT_USERS) tokens[u] = await stack.gateway.mintToken(u, 24 * 3600);
    const target: Target = { gateway: stack.urls.gateway, tokens, crmApiKey: crm.value, mailFrom: `Soak <soak@${stack.proxyEnv.MAILGUN_DOMAIN}>` };

    const rnd = seeded(o.seed);
    const ops: Operation[] = [];
    let n = 0;
    const started = Date.now();
    const until = started + o.seconds * 1000;
    const client = async () => {
      while (Date.now() < until) {
        const i = n++;
        // Each operation draws from its own seeded stream, so the workload does not depend on scheduling.
        const own = seeded(o.seed * 1_000_003 + i);
        ops.push(await (rnd() < 0.6 ? customerEvent(target, own, i, o.seed, CLIENT_RETRIES) : campaign(target, own, i, o.seed, CLIENT_RETRIES)));
      }
    };
    const ticker = setInterval(() => progress(`${Math.round((Date.now() - started) / 1000)} s: ${ops.length} operations settled`), 10_000);
    try {
      await Promise.all(Array.from({ length: o.clients }, client));
    } finally {
      clearInterval(ticker);
    }
    const seconds = (Date.now() - started) / 1000;
    // A faulted answer that was slow may still be on its way to the fake: let it land before counting.
    await new Promise((r) => setTimeout(r, UPSTREAM_TIMEOUT_MS + 1500));
    const faults = { customerio: await faultHits(stack.urls.customerio, kinds), mailgun: await faultHits(stack.urls.mailgun, kinds) };
    const events = tally(ops, await heldEvents(stack.urls.customerio), 'event');
    const mail = tally(ops, await heldMessages(stack.urls.mailgun), 'mail');
    const badAnswers = ops.flatMap(judgeAnswers);
    const ok = !events.lost.length && !events.duplicates.length && !mail.lost.length && !mail.duplicates.length && !badAnswers.length;
    return { options: o, seconds, events, mail, faults, badAnswers, ok };
  } finally {
    await stack.close();
  }
}
