/**
 * The gateway's signing-key admin, under /__admin beside the shared routes: what a rotation drives over HTTP (the
 * gateway may run in a process of its own). Private keys never leave the gateway; only public halves are listed.
 *   GET    /signing-keys                  → {"keys":[{"keyId","publicKeyPem","active"}]}
 *   POST   /signing-keys                  → 201, a new key, stored but not signing yet
 *   POST   /signing-keys/{keyId}/activate → the gateway signs with it from the next request on
 *   DELETE /signing-keys/{keyId}          → retired (409 while active, 404 unknown)
 */
import type { Router } from 'express';
import { RingError, type SigningKeyRing } from './keys.ts';

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
