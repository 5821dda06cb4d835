/**
 * Extend calls on behalf of a user: take the user's session token, call, and on a 401 renew (or sign in) once and
 * retry. Failures become the shared upstream errors (429 keeps Retry-After, 5xx → 502); a 404 becomes the
 * caller's own not-found error so another user's card and a missing card answer alike.
 */
import { upstreamError } from '../../core/upstream.ts';
import type { ProxyError } from '../../core/errors.ts';
import { EXTEND, extendJson, type ExtendApi } from './extend-api.ts';
import type { ExtendSession } from './session.ts';

export class ExtendClient {
  constructor(private readonly api: ExtendApi, private readonly session: ExtendSession) {}

  async get<T>(email: string, path: string, opts: { query?: Record<string, string | number>; notFound?: () => ProxyError } = {}): Promise<T> {
    let token = await this.session.accessToken(email);
    let res = await this.api.send('GET', path, { token, query: opts.query });
    if (res.status === 401) {
      token = await this.session.afterRejection(email, token);
      res = await this.api.send('GET', path, { token, query: opts.query });
    }
    if (res.status === 404 && opts.notFound) throw opts.notFound();
    if (res.status >= 300) throw upstreamError(EXTEND, res);
    return extendJson<T>(res);
  }
}
