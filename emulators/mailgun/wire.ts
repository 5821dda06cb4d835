/**
 * Wire plumbing shared by the Mailgun routes: Basic auth, error rendering and absolute links back to the fake.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MailgunError, renderError } from './errors.ts';
import type { MailgunState } from './state.ts';

export interface Reply {
  status?: number;
  body: unknown;
  /** Send these bytes with this Content-Type instead of `body` as JSON (stored attachments). */
  raw?: { contentType: string; bytes: Buffer };
}

/** Run a handler; a MailgunError becomes Mailgun's `{"message": ...}` reply, anything else a 500 in that shape. */
export function handle(fn: (req: Request) => Promise<Reply> | Reply): RequestHandler {
  return async (req: Request, res: Response) => {
    try {
      const reply = await fn(req);
      if (reply.raw) res.status(reply.status ?? 200).type(reply.raw.contentType).send(reply.raw.bytes);
      else res.status(reply.status ?? 200).json(reply.body);
    } catch (e) {
      const err = e instanceof MailgunError ? e : new MailgunError(500, 'Internal Server Error');
      const { status, body } = renderError(err);
      res.status(status).json(body);
    }
  };
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `api:<key>` Basic auth; a failure is 401 with the plain-text body "Forbidden" (observed, mailgun.js#393). */
export function requireApiKey(state: MailgunState): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const creds = basicCredentials(req.headers.authorization);
    if (creds && state.checkCredentials(creds.user, creds.password)) return next();
    res.status(401).type('text/plain').send('Forbidden');
  };
}

/** The origin the client reached us on, so paging links work whatever host name it used. */
export const origin = (req: Request): string => `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;

export const param = (req: Request, name: string): string => String((req.params as Record<string, string>)[name] ?? '');

/** Query string values as single strings (the last one wins if repeated). */
export function queryStrings(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query)) out[k] = Array.isArray(v) ? String(v[v.length - 1]) : v === undefined ? undefined : String(v);
  return out;
}
