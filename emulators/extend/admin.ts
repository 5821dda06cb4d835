/**
 * Extend-specific admin routes, mounted under /__admin beside the frame's state/journal/reset/faults:
 *   GET  /__admin/signins                       → sign-in and renewal counters (single-flight tests read these)
 *   POST /__admin/users/:email/expire-tokens    → the user's access tokens expire now (refresh still works)
 *   POST /__admin/users/:email/revoke-tokens    → every token of the user is revoked (sign in again)
 *   POST /__admin/users {"email", "password", "firstName"?, "lastName"?} → add a user, or reset one's password (201 / 200)
 *   GET  /__admin/clock  POST /__admin/clock {"advanceSeconds": n}  → the fake's clock offset
 *   GET  /__admin/transactions[?virtualCardId=]  → every transaction (the local console's view), newest first
 */
import type { Request, Response, Router } from 'express';
import type { ExtendState } from './state.ts';

export function extendAdmin(state: ExtendState): (router: Router) => void {
  return (router) => {
    router.get('/signins', (_req, res) => res.json(state.signInStats()));
    router.get('/transactions', (req, res) => {
      const card = req.query.virtualCardId;
      if (card !== undefined && typeof card !== 'string') return res.status(400).json({ error: 'virtualCardId must be one card id' });
      res.json({ transactions: state.transactions(card) });
    });
    router.post('/users', (req, res) => {
      const input = userInput(req.body);
      if (typeof input === 'string') return res.status(400).json({ error: input });
      const { user, created } = state.putUser(input);
      res.status(created ? 201 : 200).json(user);
    });
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

const optionalText = (v: unknown) => v === undefined || (typeof v === 'string' && v.length <= 200);

/** The body of POST /__admin/users, or what is wrong with it (the password is never echoed). */
function userInput(body: unknown): { email: string; password: string; firstName?: string; lastName?: string } | string {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.email)) return 'email must be an email address';
  if (typeof b.password !== 'string' || b.password.length < 1 || b.password.length > 256) return 'password must be a string of 1 to 256 characters';
  if (!optionalText(b.firstName) || !optionalText(b.lastName)) return 'firstName and lastName must be strings of at most 200 characters';
  return { email: b.email, password: b.password, firstName: b.firstName as string | undefined, lastName: b.lastName as string | undefined };
}
