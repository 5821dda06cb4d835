/**
 * Provider verification of the proxy's Customer.io pact against our fake Customer.io, so the fake cannot drift
 * from what the proxy relies on. States reset and seed the fake through /__admin (and its own Track API for
 * activity); the request filter swaps the pact's fake keys for the fake workspace's keys unless a state wants
 * them refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCustomerio } from '../../emulators/customerio/index.ts';
import { CIO_STATES as S } from '../consumer/customerio/states.ts';
import { PARTICIPANTS } from '../support/pact-env.ts';
import { adminReset, customerioWorkspace, recordCustomerioActivity, requireCustomerioSeed } from './fakes.ts';
import { verifyProvider, type StateHandlers } from './verify.ts';

export async function verifyFakeCustomerio(pactFile: string): Promise<string> {
  const fake = await startCustomerio({ port: 0, httpsPort: 0, tlsDir: mkdtempSync(join(tmpdir(), 'gatehouse-pact-cio-tls-')) });
  const base = fake.http.url;
  const ws = customerioWorkspace();
  let refuseKeys = false;
  const stateHandlers: StateHandlers = {
    [S.acceptsKeys]: async () => { refuseKeys = false; return undefined; },
    [S.refusesKeys]: async () => { refuseKeys = true; return undefined; },
    [S.adaExists]: async () => {
      requireCustomerioSeed((s) => s.people.some((p) => p.email === 'ada@example.com' && p.devices.some((d) => d.id === 'fcm-token-ada-pixel')), 'ada@example.com with device fcm-token-ada-pixel');
      return undefined;
    },
    [S.transactionalMessages]: async () => {
      requireCustomerioSeed((s) => [1, 2].every((id) => s.transactionalMessages.some((m) => m.id === id)), 'transactional messages 1 and 2');
      return undefined;
    },
    [S.broadcast]: async () => { requireCustomerioSeed((s) => s.broadcasts.some((b) => b.id === 7), 'broadcast 7'); return undefined; },
    [S.adaActivity]: async () => { await recordCustomerioActivity(base, 'ada@example.com'); return undefined; },
  };
  try {
    return await verifyProvider({
      provider: PARTICIPANTS.customerio,
      providerBaseUrl: base,
      pactFiles: [pactFile],
      stateHandlers,
      beforeEach: async () => { refuseKeys = false; await adminReset(base); },
      swapCredentials: (h) => {
        if (refuseKeys || !h.authorization) return;
        // Track is Basic site_id:api_key, App is Bearer app key (docs.customer.io/api: Authentication).
        h.authorization = h.authorization.startsWith('Basic ')
          ? 'Basic ' + Buffer.from(`${ws.siteId}:${ws.trackApiKey}`).toString('base64')
          : `Bearer ${ws.appApiKey}`;
      },
    });
  } finally {
    await fake.close();
  }
}
