/**
 * The PII boundary: every function's outbound client is wrapped by `withPiiSanitiser` (proxy/core/runtime.ts),
 * so every body sent to a third party passes the one sanitiser (pii.ts) whichever route built it.
 *
 * Which upstreams it applies to is this table, and nothing else:
 *   - third parties (Customer.io Track and App, Mailgun, Extend, and any upstream not named below): sanitised;
 *     Extend's `POST /signin` keeps `password`, the user's own Extend password the proxy must send (seed 004);
 *   - the proxy's own infrastructure (Vault, every AWS service, S3 through the proxy's presigned probe):
 *     untouched. Their bodies are credentials the proxy itself sends (an AppRole login) or requests the AWS SDK
 *     has already signed with SigV4, which any change would break; no user payload goes there.
 * A body that cannot be inspected (unreadable JSON, a content type other than JSON or a form) is never sent to a
 * sanitised upstream: the call fails instead.
 */
import { ProxyError } from './errors.ts';
import type { HttpClient, OutboundRequest } from './http-client.ts';
import type { Logger } from './log.ts';
import { fieldSet, type PiiSanitiser } from './pii.ts';

export interface UpstreamPiiRule {
  sanitise: boolean;
  /** Fields a specific call must carry as they are (method, path suffix, field names). */
  keep?: { method: string; pathSuffix: string; fields: ReadonlySet<string> }[];
}

const SANITISED: UpstreamPiiRule = { sanitise: true };
const INFRASTRUCTURE: UpstreamPiiRule = { sanitise: false };

export const UPSTREAM_PII_RULES: Record<string, UpstreamPiiRule> = {
  'customerio-track': SANITISED,
  'customerio-app': SANITISED,
  mailgun: SANITISED,
  extend: { sanitise: true, keep: [{ method: 'POST', pathSuffix: '/signin', fields: fieldSet(['password']) }] },
  vault: INFRASTRUCTURE,
  s3: INFRASTRUCTURE,
};

export function piiRuleFor(upstream: string): UpstreamPiiRule {
  // The AWS handler names each call aws-<service> (proxy/core/aws-http-handler.ts).
  return UPSTREAM_PII_RULES[upstream] ?? (upstream.startsWith('aws-') ? INFRASTRUCTURE : SANITISED);
}

const NONE: ReadonlySet<string> = new Set();

/** The request as it may leave: its body sanitised when its upstream's rule says so. */
export function sanitiseOutbound(req: OutboundRequest, pii: PiiSanitiser): { req: OutboundRequest; touched: string[] } {
  const rule = piiRuleFor(req.upstream);
  if (!rule.sanitise || req.body === undefined || req.body.length === 0) return { req, touched: [] };
  const path = rule.keep ? new URL(req.url).pathname : '';
  const keep = rule.keep?.find((k) => k.method === req.method.toUpperCase() && path.endsWith(k.pathSuffix))?.fields ?? NONE;
  const text = typeof req.body === 'string' ? req.body : req.body.toString('utf8');
  const type = contentType(req.headers);
  let out: { body: string; touched: string[] };
  if (/^application\/([\w.+-]*\+)?json$/.test(type)) out = json(text, pii, keep, req.upstream);
  else if (type === 'application/x-www-form-urlencoded') out = form(text, pii, keep);
  else if (!pii.mayMention(text)) return { req, touched: [] };
  else throw new ProxyError(500, 'outbound_body_not_inspectable', `a ${type || 'untyped'} body for ${req.upstream} cannot be checked for personal data, so it is not sent`, { upstream: req.upstream });
  return out.touched.length ? { req: { ...req, body: out.body }, touched: out.touched } : { req, touched: [] };
}

function json(text: string, pii: PiiSanitiser, keep: ReadonlySet<string>, upstream: string): { body: string; touched: string[] } {
  // JSON.stringify writes keys as they are, so a body without any of the names (and no \u escape) has none.
  if (!pii.mayMention(text) && !text.includes('\\u')) return { body: text, touched: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProxyError(500, 'outbound_body_not_inspectable', `the JSON body for ${upstream} does not parse, so it is not sent`, { upstream });
  }
  const { value, touched } = pii.sanitise(parsed, keep);
  return { body: touched.length ? JSON.stringify(value) : text, touched };
}

/**
 * A form field is dropped when any part of its name is a field to drop (`v:ssn`, `customer[ssn]`), hashed when its
 * last part is a field to hash (`v:phone` → `v:phone_hash`); a value holding JSON (Mailgun's
 * `recipient-variables`, `v:` variables) is sanitised inside as well.
 */
function form(text: string, pii: PiiSanitiser, keep: ReadonlySet<string>): { body: string; touched: string[] } {
  const out = new URLSearchParams();
  const touched: string[] = [];
  for (const [name, value] of new URLSearchParams(text)) {
    const parts = name.split(/[:[\]]+/).filter(Boolean);
    const kinds = parts.map((p) => pii.classify(p, keep));
    if (kinds.includes('drop')) {
      touched.push(name);
      continue;
    }
    if (kinds[kinds.length - 1] === 'hash') {
      touched.push(name);
      const last = parts[parts.length - 1];
      const h = pii.hashOf(value);
      if (h) out.append(name.slice(0, name.lastIndexOf(last)) + `${last}_hash` + name.slice(name.lastIndexOf(last) + last.length), h);
      if (pii.cfg.keepPlain) out.append(name, value);
      continue;
    }
    out.append(name, nestedJson(value, pii, keep, touched));
  }
  return { body: touched.length ? out.toString() : text, touched };
}

function nestedJson(value: string, pii: PiiSanitiser, keep: ReadonlySet<string>, touched: string[]): string {
  const t = value.trimStart();
  if (!(t.startsWith('{') || t.startsWith('['))) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value; // text that merely starts with a brace
  }
  const r = pii.sanitise(parsed, keep);
  if (!r.touched.length) return value;
  touched.push(...r.touched);
  return JSON.stringify(r.value);
}

function contentType(headers: Record<string, string> | undefined): string {
  for (const k in headers ?? {}) if (k.toLowerCase() === 'content-type') return headers![k].split(';')[0].trim().toLowerCase();
  return '';
}

/** `inner` with every request sanitised first, so recording hooks and upstreams alike see only the sanitised body. */
export function withPiiSanitiser(inner: HttpClient, pii: PiiSanitiser, log?: Logger): HttpClient {
  return {
    onExchange: (hook) => inner.onExchange(hook),
    async send(req) {
      const { req: out, touched } = sanitiseOutbound(req, pii);
      if (touched.length) log?.debug('personal data removed from an outbound body', { upstream: req.upstream, fields: [...new Set(touched)] });
      return inner.send(out);
    },
  };
}
