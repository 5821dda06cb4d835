/**
 * The gateway's forwarding rule: what part of a client's request target reaches the proxy, and where.
 *
 * The upstream URL is the configured origin (scheme, host, port) followed by the request's path and query as
 * the client sent them — concatenated, never resolved. (Resolving with `new URL(path, upstream)` let a path
 * starting with `//` name another host: `//127.0.0.1:8200/v1/secret/…` reached Vault with the gateway's
 * signature and the caller's identity, issue 13 finding 2.)
 *
 * Before routing, runs of `/` in the path are merged into one, as API Gateway does: a REST API routes
 * `/prod//orders` to `/orders` (localstack/localstack#11253, where AWS serves both paths; #11304 routes on the
 * merged path) and an HTTP API delivers `/proxy/https://example.com` to the integration as
 * `/proxy/https:/example.com` (brefphp/symfony-bridge#53). So `//send-mail` is `/send-mail`: it needs the API
 * key like `/send-mail` (the proxy's router ignores empty segments, so without merging `//send-mail` skipped the
 * gateway's key check and still reached the mail route), and `//127.0.0.1:8200/v1/…` is just a path on the proxy.
 *
 * An absolute-form target (`GET http://other/x HTTP/1.1`) is accepted as RFC 9112 §3.2.2 requires of a server,
 * and only its path and query are used: the authority in it is never contacted. AWS does not document this case.
 * Any other form (`*`, authority-form) is refused with API Gateway's 400 `{"message":"Bad Request"}`.
 * Nothing is percent-decoded here: `%2F%2F`, backslashes and `@` stay bytes of the path, for the proxy's router.
 */

export interface Target {
  /** The path to route and forward: starts with one `/`, runs of `/` merged. */
  path: string;
  /** The raw query without `?` ("" when none). */
  rawQuery: string;
}

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** The path and query to route and forward, or undefined for a request target the gateway refuses. */
export function requestTarget(raw: string): Target | undefined {
  let rest = raw;
  if (!rest.startsWith('/')) {
    const authority = ABSOLUTE_FORM.exec(rest);
    if (!authority) return undefined;
    rest = rest.slice(authority[0].length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const q = rest.indexOf('?');
  const path = (q < 0 ? rest : rest.slice(0, q)).replace(/\/{2,}/g, '/');
  return { path, rawQuery: q < 0 ? '' : rest.slice(q + 1) };
}

/** What `http.request` needs to reach `origin` with `path` exactly as given (no URL parsing of the path). */
export function upstreamRequest(origin: URL, t: Target): { protocol: string; hostname: string; port: string; path: string } {
  return {
    protocol: origin.protocol,
    // URL keeps IPv6 literals bracketed; the socket wants the bare address.
    hostname: origin.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: origin.port,
    path: t.path + (t.rawQuery ? `?${t.rawQuery}` : ''),
  };
}
