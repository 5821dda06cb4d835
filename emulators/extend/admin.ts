/**
 * Extend-specific admin routes, mounted under /__admin beside the frame's state/journal/reset/faults:
 *   GET  /__admin/signins                       → sign-in and renewal counters (single-flight tests read these)
 *   POST /__admin/users/:email/expire-tokens    → the user's access tokens expire now (refresh still works)
 *   POST /__admin/users/:email/revoke-tokens    → every token of the user is revoked (sign in again)
 *   GET  /__admin/clock  POST /__admin/clock {"advanceSeconds": n}  → the fake's clock offset
 */
import type { Request, Response, Router } from 'express';
import type { ExtendState } from './state.ts';

export function extendAdmin(state: ExtendState): (router: Router) => void {
  return (router) => {
    router.get('/signins', (_req, res) => res.json(state.signInStats()));
    router.post('/users/:email/expire-tokens', (req, res) => forUser(req, res, (email) => ({ expired: state.expireTokens(email) })));
    router.post('/users/:email/revoke-tokens', (req, res) => forUser(req, res, (email) => ({ revoked: state.revokeTokens(email) })));
    router.get('/clock', (_req, res) => res.json(state.clock()));
    router.post('/clock', (req, res) => {
      const seconds = (req.body as { advanceSeconds?: unknown } | undefined)?.advanceSeconds;
      if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return res.status(400).json({ error: 'advanceSeconds must be a finite number' });
      res.json(state.advanceClock(seconds));
    });
  };
}

/** Run an action on the user named in the path; an unknown user is a 404, never a silent no-op. */
function forUser(req: Request, res: Response, act: (email: string) => Record<string, number | undefined>): void {
  const email = String(req.params.email);
  const result = act(email);
  if (Object.values(result).some((v) => v === undefined)) {
    res.status(404).json({ error: `no user ${email}` });
    return;
  }
  res.json({ email, ...result });
}
