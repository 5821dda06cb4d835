/**
 * Upstream fixtures: the proxy's outbound calls, taken from the single HTTP client's `onExchange` hook (one place
 * for every route, the secret chain and the AWS SDK clients, whose AwsHttpHandler sends through it), redacted by
 * the same rules as HAR captures, stored as fixtures/upstream/<provider>/<name>.json — and a playback HttpClient
 * that answers from them, so route tests run without the fakes. AWS calls (`aws-s3`, `aws-dynamodb`, … → provider
 * `aws`) are SigV4-signed with a timestamp, so they are kept without their per-call headers and matched on what
 * they ask (method, path, query, X-Amz-Target, body), never on the signature.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpstreamUnavailable, type Exchange, type HttpClient, type OutboundRequest, type OutboundResponse } from '../../../proxy/core/http-client.ts';
import { compareResponses } from './diff.ts';
import { isAwsUpstream, type Redactor } from './redaction.ts';
import type { CompareRules } from './rules.ts';

export const UPSTREAM_FIXTURES = fileURLToPath(new URL('../../../fixtures/upstream/', import.meta.url));

export interface UpstreamInteraction {
  /** The client's upstream name ("customerio-track", "vault", …). */
  upstream: string;
  request: { method: string; path: string; query: string; headers: Record<string, string>; body?: unknown };
  response: { status: number; headers: Record<string, string>; body?: unknown };
}

export interface FixtureFile { upstream: string; recordedWith: string; interactions: UpstreamInteraction[] }

/** Folder per third party: both Customer.io APIs are one provider (one pact), so are all AWS services. */
// The S3 proxy's presigned probe (upstream "s3") is an S3 call like the SDK's, so it is checked against the AWS pact.
export const providerOf = (upstream: string): string => (upstream.startsWith('aws-') || upstream === 's3' ? 'aws' : upstream.replace(/-(track|app)$/, ''));

// Per-connection or recomputed headers say nothing about the interaction; nor does the per-call trace context.
const SKIP_HEADERS = new Set(['host', 'content-length', 'connection', 'date', 'keep-alive', 'transfer-encoding', 'x-powered-by', 'traceparent', 'tracestate']);
// Per-call AWS headers (invocation ids, request ids) and a checksum of the unredacted body. X-Amz-Date stays (the
// AWS pact expects a signing time on every call); playback never compares it.
const SKIP_AWS_HEADERS = new Set([...SKIP_HEADERS, 'amz-sdk-invocation-id', 'amz-sdk-request', 'user-agent', 'x-amz-user-agent',
  'x-amzn-requestid', 'x-amz-request-id', 'x-amz-id-2', 'x-amz-crc32']);
// Headers that say which operation a JSON-protocol AWS call is (every one is POST /).
const OPERATION_HEADERS = ['x-amz-target'];

function headersOf(h: Record<string, string> | undefined, redact: Redactor, upstream: string): Record<string, string> {
  const skip = isAwsUpstream(upstream) ? SKIP_AWS_HEADERS : SKIP_HEADERS;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (!skip.has(k.toLowerCase())) out[k.toLowerCase()] = redact.header(k, v);
  return out;
}

export function requestOf(req: OutboundRequest, redact: Redactor): UpstreamInteraction['request'] {
  const url = new URL(redact.url(req.url));
  const ct = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  return { method: req.method.toUpperCase(), path: url.pathname, query: url.search.slice(1), headers: headersOf(req.headers, redact, req.upstream), body: redact.upstreamBody(req.body, ct, req.upstream) };
}

export function toInteraction(x: Exchange, redact: Redactor): UpstreamInteraction | undefined {
  if (!x.response) return undefined;
  const { upstream } = x.request;
  return {
    upstream,
    request: requestOf(x.request, redact),
    response: { status: x.response.status, headers: headersOf(x.response.headers, redact, upstream), body: redact.upstreamBody(x.response.body, x.response.headers['content-type'] ?? '', upstream) },
  };
}

/** Collects interactions from an `onExchange` hook and writes one file per provider. */
export class UpstreamRecorder {
  private readonly exchanges: Exchange[] = [];
  constructor(private readonly redact: Redactor) {}

  readonly hook = (x: Exchange): void => {
    this.exchanges.push(x);
  };

  /**
   * Redacted when read, not when captured: a secret the proxy loads after the call that carried it (a key picked up
   * by a refresh of the secret store arrives in the response that loads it) is known to the redactor by then.
   */
  get interactions(): UpstreamInteraction[] {
    return this.exchanges.map((x) => toInteraction(x, this.redact)).filter((i): i is UpstreamInteraction => i !== undefined);
  }

  save(name: string, dir: string = UPSTREAM_FIXTURES): string[] {
    const byProvider = new Map<string, UpstreamInteraction[]>();
    for (const i of this.interactions) byProvider.set(providerOf(i.upstream), [...(byProvider.get(providerOf(i.upstream)) ?? []), i]);
    return [...byProvider].map(([provider, interactions]) => {
      mkdirSync(join(dir, provider), { recursive: true });
      const file = join(dir, provider, `${name}.json`);
      const doc: FixtureFile = { upstream: provider, recordedWith: 'npm run record -- --upstream', interactions };
      writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
      return file;
    });
  }
}

export function loadUpstreamFixtures(provider: string, dir: string = UPSTREAM_FIXTURES): UpstreamInteraction[] {
  const folder = join(dir, provider);
  return readdirSync(folder).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => (JSON.parse(readFileSync(join(folder, f), 'utf8')) as FixtureFile).interactions);
}

const asText = (b: unknown): string => (b === undefined ? '' : typeof b === 'string' ? b : JSON.stringify(b));

export interface PlaybackOptions {
  /**
   * Seeded emails whose placeholders in recorded answers are turned back into the email, as replay does: a user the
   * proxy learns from one answer (an API token's owner) is then asked for by name (an SSM parameter per user).
   */
  emails?: Iterable<string>;
}

/**
 * An HttpClient answering from fixtures: the live request is redacted like the recording was, then matched on
 * upstream, method, path, query, operation header (X-Amz-Target) and body (volatile values such as ULIDs pass, as
 * in replay; an AWS signature or date is never compared). Unused matches go first, so repeated identical calls
 * replay in recorded order. No match is a network error naming the request.
 */
export function playbackClient(interactions: UpstreamInteraction[], redact: Redactor, rules: CompareRules, opts: PlaybackOptions = {}): HttpClient {
  const used = new Set<UpstreamInteraction>();
  const hooks = new Set<(x: Exchange) => void>();
  const sameBody = (a: unknown, b: unknown) => compareResponses(rules, 'PLAYBACK', '/', { status: 0, headers: {}, body: asText(a) }, { status: 0, headers: {}, body: asText(b) }).length === 0;
  const sameOperation = (a: Record<string, string>, b: Record<string, string>) => OPERATION_HEADERS.every((h) => a[h] === b[h]);
  const placeholders = [...opts.emails ?? []].map((e) => [redact.emailPlaceholder(e), e] as const);
  const unredact = (text: string) => placeholders.reduce((t, [p, e]) => (t.includes(p) ? t.split(p).join(e) : t), text);
  return {
    onExchange(hook) { hooks.add(hook); return () => hooks.delete(hook); },
    async send(req) {
      const startedAt = Date.now();
      const want = requestOf(req, redact);
      const candidates = interactions.filter((i) => i.upstream === req.upstream && i.request.method === want.method && i.request.path === want.path && i.request.query === want.query
        && sameOperation(i.request.headers, want.headers) && sameBody(i.request.body, want.body));
      const hit = candidates.find((i) => !used.has(i)) ?? candidates.at(-1);
      let response: OutboundResponse | undefined;
      let error: Error | undefined;
      if (hit) {
        used.add(hit);
        const body = Buffer.from(unredact(asText(hit.response.body)));
        response = { status: hit.response.status, headers: hit.response.headers, body, text: () => body.toString('utf8'), json: <T>() => JSON.parse(body.toString('utf8')) as T };
      } else {
        const operation = want.headers['x-amz-target'] ? ` (${want.headers['x-amz-target']})` : '';
        error = new UpstreamUnavailable(req.upstream, 'network', `no recorded fixture for ${want.method} ${want.path}${operation}`);
      }
      for (const h of hooks) h({ request: req, response, error, startedAt, durationMs: 0 });
      if (error) throw error;
      return response!;
    },
  };
}
