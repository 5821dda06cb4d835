/**
 * The gateway's own admin routes, under /__admin beside the shared ones (the gateway may run in a process of its own).
 *
 * Signing keys, what a rotation drives over HTTP. Private keys never leave the gateway; only public halves are listed.
 *   GET    /signing-keys                  → {"keys":[{"keyId","publicKeyPem","active"}]}
 *   POST   /signing-keys                  → 201, a new key, stored but not signing yet
 *   POST   /signing-keys/{keyId}/activate → the gateway signs with it from the next request on
 *   DELETE /signing-keys/{keyId}          → retired (409 while active, 404 unknown)
 *
 * Refusals, the requests the gateway answered itself and the proxy never saw (refusals.ts: which check, why,
 * redacted as the recorder redacts); the console's Trace view follows the stream while a page is open.
 *   GET    /refusals[?trace=<id>&limit=<n>] → {"refusals":[GatewayRefusal…]} newest first (limit 1–1000, default 100)
 *   GET    /refusals/stream               → Server-Sent Events, like the proxy's /__admin/traces/stream: each new
 *          refusal as `id: <seq>`, `event: refusal`, `data: <JSON>`; after a reconnect (`Last-Event-ID`, or
 *          `?after=<seq>`) the ones kept since come first, oldest first; a `: keep-alive` comment every 15 s
 */
import type { Router } from 'express';
import { RingError, type SigningKeyRing } from './keys.ts';
import type { Refusals } from './refusals.ts';
import { streamEvents } from '../shared/sse.ts';

const TRACE_ID = /^[0-9a-f]{32}$/;

export function signingKeyAdmin(router: Router, ring: SigningKeyRing): void {
  router.get('/signing-keys', (_req, res) => res.json({ keys: ring.list() }));
  router.post('/signing-keys', (_req, res) => {
    const k = ring.create();
    res.status(201).json({ keyId: k.keyId, publicKeyPem: k.publicKeyPem, active: false });
  });
  router.post('/signing-keys/:keyId/activate', (req, res) => change(res, () => ring.activate(req.params.keyId), { keyId: req.params.keyId, active: true }));
  router.delete('/signing-keys/:keyId', (req, res) => change(res, () => ring.retire(req.params.keyId), { keyId: req.params.keyId, retired: true }));
}

function change(res: import('express').Response, act: () => void, ok: unknown): void {
  try {
    act();
    res.json(ok);
  } catch (e) {
    if (e instanceof RingError) res.status(e.status).json({ error: e.message });
    else throw e;
  }
}

export function refusalAdmin(router: Router, refusals: Refusals): void {
  router.get('/refusals', (req, res) => {
    const trace = str(req.query.trace);
    if (trace !== undefined && !TRACE_ID.test(trace)) return void res.status(400).json({ error: 'trace must be a W3C trace id: 32 lowercase hex digits' });
    const limit = int(str(req.query.limit), 1, 1000);
    if (limit === null) return void res.status(400).json({ error: 'limit must be an integer from 1 to 1000' });
    res.json({ refusals: refusals.list({ trace, limit: limit ?? 100 }) });
  });
  router.get('/refusals/stream', (req, res) => {
    const after = int(req.get('last-event-id') ?? str(req.query.after), 0, Number.MAX_SAFE_INTEGER);
    if (after === null) return void res.status(400).json({ error: 'Last-Event-ID (or after) must be a non-negative integer' });
    streamEvents(req, res, refusals, 'refusal', after);
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** undefined when absent, null when not an integer in range. */
function int(v: string | undefined, min: number, max: number): number | undefined | null {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}
