/**
 * The fake HashiCorp Vault: a dev-mode server (initialized, unsealed, root token "root") brought to the state its
 * seed's API calls describe — KV v2 at secret/, KV v1 at kv/, the gatehouse-proxy policy and AppRole
 * (fixtures/vault/seed.json) — on the shared emulator frame (journal with masked tokens and bodies, faults,
 * /__admin), with the LIST method (and any other method Node's parser does not know) accepted.
 *
 *   const vault = await startVault({ port: 0 });
 *   vault.url  // http://127.0.0.1:<port>
 */
import http from 'node:http';
import type { Router } from 'express';
import { createEmulator, listen } from '../shared/emulator.ts';
import { jsonShape } from '../shared/http-guard.ts';
import { acceptListMethod, restoreListMethod } from './list-socket.ts';
import { holdBody } from './journal-body.ts';
import { vaultRoutes } from './routes.ts';
import { loadSeed } from './seed.ts';
import { replaySeed } from './bootstrap.ts';
import { ENGINES } from './engines.ts';
import { VaultState, type ServerStatus } from './state.ts';

export { VaultState } from './state.ts';

export interface StartVaultOptions {
  /** Default 8200, Vault's own; tests pass 0 for a free port. */
  port?: number;
  host?: string;
  /** Overrides the seed's root token. */
  rootToken?: string;
  seedFile?: string;
  /** The clock TTLs are measured with (tests move it; POST /__admin/clock shifts it from outside). */
  now?: () => Date;
}

export interface VaultServer {
  url: string;
  port: number;
  state: VaultState;
  close(): Promise<void>;
}

export async function startVault(opts: StartVaultOptions = {}): Promise<VaultServer> {
  const seed = loadSeed(opts.seedFile);
  const state = new VaultState({ rootToken: opts.rootToken ?? seed.rootToken, now: opts.now, engines: ENGINES, bootstrap: (s) => replaySeed(s, seed) });
  const { app, errorShape } = createEmulator({
    name: 'vault',
    snapshot: () => state.snapshot(),
    reset: () => state.reset(),
    faultBody: (status) => ({ errors: [`injected fault ${status}`] }),
    errorShape: jsonShape((p) => ({ errors: [p.message] })),
    admin: (router) => adminRoutes(router, state),
    routes: vaultRoutes(state),
  });
  const server = http.createServer((req, res) => {
    restoreListMethod(req);
    // Admin requests keep their own JSON parser; only the emulated API's bodies are held and masked.
    if (req.url?.startsWith('/__admin')) return void app(req, res);
    void holdBody(req).then(() => app(req, res));
  });
  acceptListMethod(server);
  const listening = await listen(server, opts.port ?? 8200, { host: opts.host, errors: errorShape });
  return { url: listening.url, port: listening.port, state, close: listening.close };
}

/**
 * GET/POST /__admin/status: read or set sealed / standby / initialized, so health codes and 503s can be exercised.
 * GET/POST /__admin/clock: {"offsetSeconds": n} moves the fake's clock (token and secret_id TTLs) from outside.
 */
function adminRoutes(router: Router, state: VaultState): void {
  router.get('/status', (_req, res) => res.json(state.status));
  router.post('/status', (req, res) => {
    const body = (req.body ?? {}) as Partial<Record<keyof ServerStatus, unknown>>;
    const keys = Object.keys(state.status) as (keyof ServerStatus)[];
    const bad = Object.keys(body).filter((k) => !keys.includes(k as keyof ServerStatus) || typeof body[k as keyof ServerStatus] !== 'boolean');
    if (bad.length) return void res.status(400).json({ error: `unknown or non-boolean fields: ${bad.join(', ')}; allowed: ${keys.join(', ')}` });
    Object.assign(state.status, body);
    res.json(state.status);
  });
  router.get('/clock', (_req, res) => res.json({ offsetSeconds: state.clockOffset, now: state.now().toISOString() }));
  router.post('/clock', (req, res) => {
    const offset = (req.body as { offsetSeconds?: unknown } | undefined)?.offsetSeconds;
    if (typeof offset !== 'number' || !Number.isFinite(offset)) return void res.status(400).json({ error: 'offsetSeconds must be a number' });
    state.clockOffset = offset;
    res.json({ offsetSeconds: state.clockOffset, now: state.now().toISOString() });
  });
}
