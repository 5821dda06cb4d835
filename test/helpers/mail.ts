/**
 * Mail-function test rig: cold starts of the mail app (as separate Lambda containers would be) with a fake clock,
 * served over loopback and called with gateway-signed requests, against one stack's fakes and DynamoDB.
 */
import { randomUUID } from 'node:crypto';
import type { Stack } from '../../emulators/stack/index.ts';
import type { Listening } from '../../emulators/shared/emulator.ts';
import { buildMailApp } from '../../proxy/functions/mail.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import type { Clock } from '../../proxy/core/types.ts';
import { gatewaySigner, sendRaw, type RawReply } from './signed.ts';
import { serveApp } from './serve.ts';
import { admin, testStack } from './stack.ts';

export const MESSAGES = '/v3/mg.gatehouse.local/messages';

export const campaignBody = (extra: Record<string, unknown> = {}) => ({
  to: ['ada@example.com'], subject: 's', html: '<p>h</p>', text: 't', from: 'reports@mg.gatehouse.local', campaign: { name: 'c', type: 'newsletter' }, ...extra,
});

export type FakeClock = Clock & { slept: number[]; advance(ms: number): void };

/** Time that moves only when the code sleeps or the test advances it. */
export function fakeClock(): FakeClock {
  let t = Date.now();
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; }, advance: (ms) => { t += ms; } };
}

export interface MailContainer {
  clock: FakeClock;
  /** POST /send-mail; a fresh Idempotency-Key unless one is given (null: none, the proxy derives one). */
  post(json: unknown, key?: string | null): Promise<RawReply>;
}

export function mailRig(stack: () => Stack) {
  const served: Listening[] = [];
  return {
    /** A fresh cold start of the mail function. */
    async coldStart(env: Record<string, string> = {}, clock: FakeClock = fakeClock()): Promise<MailContainer> {
      const s = stack();
      const app = await buildMailApp({ env: { ...s.proxyEnv, ...env }, clock, log: silentLogger() });
      const server = await serveApp(app);
      served.push(server);
      const sign = gatewaySigner(s.stateDir);
      return {
        clock,
        post: async (json, key = randomUUID()) => {
          const r = sign({ method: 'POST', path: '/send-mail', json });
          return sendRaw(server.url, { ...r, headers: { ...r.headers, ...(key === null ? {} : { 'idempotency-key': key }) } });
        },
      };
    },
    mailgunCalls: async () => ((await admin(stack().urls.mailgun, `/journal?path=${encodeURIComponent(MESSAGES)}`)).entries as unknown[]).length,
    async close() {
      for (const s of served.splice(0)) await s.close();
    },
  };
}

/** Inside a describe: a stack of its own for the suite (closed after it), and the rig over it. */
export function mailSuite() {
  let stack: Stack;
  const rig = mailRig(() => stack);
  before(async () => {
    stack = await testStack();
  });
  after(async () => {
    await rig.close();
    await stack?.close();
  });
  return { ...rig, stack: () => stack };
}
