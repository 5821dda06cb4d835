/**
 * The fake Extend API (api.paywithextend.com, v2021-03-12) on the shared emulator frame: journal (credentials
 * masked, bodies included), faults answered in Extend's error shape, /__admin state/reset plus sign-in counters,
 * token expiry/revocation and a clock offset.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEmulator, listen } from '../shared/emulator.ts';
import { jsonShape } from '../shared/http-guard.ts';
import { extendAdmin } from './admin.ts';
import { errorBody, errorBodyForStatus } from './errors.ts';
import { redactJournalBodies } from './redact.ts';
import { extendRoutes } from './routes.ts';
import { ExtendState } from './state.ts';
import type { ExtendSeed } from './types.ts';

export { ExtendState } from './state.ts';
export { API_VERSION_MEDIA_TYPE } from './routes.ts';

export const DEFAULT_EXTEND_PORT = 4020;
export const DEFAULT_SEED_FILE = fileURLToPath(new URL('../../fixtures/extend/seed.json', import.meta.url));

export interface ExtendOptions {
  port?: number;
  host?: string;
  seedFile?: string;
  /** Access token lifetime in seconds (default 600). */
  accessTokenTtlSeconds?: number;
  /** The clock tokens expire against (ms since epoch; default Date.now). */
  now?: () => number;
}

export interface ExtendEmulator {
  url: string;
  port: number;
  state: ExtendState;
  close(): Promise<void>;
}

export function loadExtendSeed(file: string = DEFAULT_SEED_FILE): ExtendSeed {
  const seed = JSON.parse(readFileSync(file, 'utf8')) as ExtendSeed;
  if (!Array.isArray(seed.users) || !Array.isArray(seed.virtualCards) || !Array.isArray(seed.transactions)) {
    throw new Error(`${file}: an Extend seed needs users, virtualCards and transactions arrays`);
  }
  return seed;
}

export async function startExtend(opts: ExtendOptions = {}): Promise<ExtendEmulator> {
  const state = new ExtendState(loadExtendSeed(opts.seedFile), { accessTokenTtlSeconds: opts.accessTokenTtlSeconds, now: opts.now });
  const emulator = createEmulator({
    name: 'extend',
    snapshot: () => state.snapshot(),
    reset: () => state.reset(),
    faultBody: errorBodyForStatus,
    errorShape: jsonShape((p) => errorBody(p.message)),
    admin: extendAdmin(state),
    routes: extendRoutes(state),
    bodyLimit: '1mb',
  });
  redactJournalBodies(emulator.journal);
  const server = await listen(emulator.app, opts.port ?? DEFAULT_EXTEND_PORT, { host: opts.host, errors: emulator.errorShape });
  return { url: server.url, port: server.port, state, close: server.close };
}
