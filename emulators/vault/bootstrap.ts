/**
 * Replays the seed's API calls through the same request handling a client's requests go through (handle.ts), as
 * the root token. A call Vault would refuse stops the fake from starting, naming the call and Vault's answer.
 */
import { handle } from './handle.ts';
import type { VaultRequest } from './request.ts';
import type { VaultSeed } from './seed.ts';
import type { VaultState } from './state.ts';

const OPS: Record<string, VaultRequest['op']> = { GET: 'read', LIST: 'list', POST: 'update', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export function replaySeed(state: VaultState, seed: VaultSeed): void {
  seed.calls.forEach((call, i) => {
    const op = OPS[call.method];
    const path = op === 'list' && !call.path.endsWith('/') ? `${call.path}/` : call.path;
    const reply = handle(state, { op, path, query: new URLSearchParams(), data: structuredClone(call.body ?? {}), tokenId: state.rootToken, remoteAddress: '127.0.0.1' });
    if (reply.status >= 400) {
      const errors = (reply.body as { errors?: string[] } | undefined)?.errors ?? [];
      throw new Error(`Vault seed call ${i} (${call.method} ${call.path}) was refused with ${reply.status}: ${errors.join('; ') || 'no detail'}`);
    }
  });
}
