/**
 * Upstream fixtures: the proxy's outbound calls, taken from the single HTTP client's `onExchange` hook (one place
 * for every route and for the secret chain), redacted by the same rules as HAR captures, stored as
 * fixtures/upstream/<upstream>/<name>.json — and a playback HttpClient that answers from them, so route tests run
 * without the fakes. AWS SDK calls do not use this client; they are recorded at the AWS edge's own journal if at all
 * (the SDK signs each request with SigV4 and a timestamp, so a byte-level fixture could never be replayed anyway).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpstreamUnavailable, type Exchange, type HttpClient, type OutboundRequest, type OutboundResponse } from '../../../proxy/core/http-client.ts';
import { compareResponses } from './diff.ts';
import type { Redactor } from './redaction.ts';
import type { CompareRules } from './rules.ts';

export const UPSTREAM_FIXTURES = fileURLToPath(new URL('../../../fixtures/upstream/', import.meta.url));

export interface UpstreamInteraction {
  /** The client's upstream name ("customerio-track", "vault", …). */
  upstream: string;
  request: { method: string; path: string; query: string; headers: Record<string, string>; body?: unknown };
  response: { status: number; headers: Record<string, string>; body?: unknown };
}

export interface FixtureFile { upstream: string; recordedWith: string; interactions: UpstreamInteraction[] }

/** Folder per third party: both Customer.io APIs are one provider (one pact). */
export const providerOf = (upstream: string): string => upstream.replace(/-(track|app)$/, '');

// Per-connection or recomputed headers say nothing about the interaction.
const SKIP_HEADERS = new Set(['host', 'content-length', 'connection', 'date', 'keep-alive', 'transfer-encoding', 'x-powered-by']);

function bodyOf(body: Buffer | string | undefined, contentType: string, redact: Redactor): unknown {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body ?? '';
  if (!text) return undefined;
  const red = redact.body(text, contentType);
  if (/json/i.test(contentType)) {
    try { return JSON.parse(red); } catch { /* keep the text */ }
  }
  return red;
}

function headersOf(h: Record<string, string> | undefined, redact: Redactor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (!SKIP_HEADERS.has(k.toLowerCase())) out[k.toLowerCase()] = redact.header(k, v);
  return out;
}

export function requestOf(req: OutboundRequest, redact: Redactor): UpstreamInteraction['request'] {
  const url = new URL(redact.url(req.url));
  const ct = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  return { method: req.method.toUpperCase(), path: url.pathname, query: url.search.slice(1), headers: headersOf(req.headers, redact), body: bodyOf(req.body, ct, redact) };
}

export function toInteraction(x: Exchange, redact: Redactor): UpstreamInteraction | undefined {
  if (!x.response) return undefined;
  return {
    upstream: x.request.upstream,
    request: requestOf(x.request, redact),
    response: { status: x.response.status, headers: headersOf(x.response.headers, redact), body: bodyOf(x.response.body, x.response.headers['content-type'] ?? '', redact) },
  };
}

/** Collects interactions from an `onExchange` hook and writes one file per provider. */
export class UpstreamRecorder {
  readonly interactions: UpstreamInteraction[] = [];
  constructor(private readonly redact: Redactor) {}

  readonly hook = (x: Exchange): void => {
    const i = toInteraction(x, this.redact);
    if (i) this.interactions.push(i);
  };

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

/**
 * An HttpClient answering from fixtures: the live request is redacted like the recording was, then matched on
 * upstream, method, path, query and body (volatile values such as ULIDs pass, as in replay). Unused matches go
 * first, so repeated identical calls replay in recorded order. No match is a network error naming the request.
 */
export function playbackClient(interactions: UpstreamInteraction[], redact: Redactor, rules: CompareRules): HttpClient {
  const used = new Set<UpstreamInteraction>();
  const hooks = new Set<(x: Exchange) => void>();
  const sameBody = (a: unknown, b: unknown) => compareResponses(rules, 'PLAYBACK', '/', { status: 0, headers: {}, body: asText(a) }, { status: 0, headers: {}, body: asText(b) }).length === 0;
  return {
    onExchange(hook) { hooks.add(hook); return () => hooks.delete(hook); },
    async send(req) {
      const startedAt = Date.now();
      const want = requestOf(req, redact);
      const candidates = interactions.filter((i) => i.upstream === req.upstream && i.request.method === want.method && i.request.path === want.path && i.request.query === want.query && sameBody(i.request.body, want.body));
      const hit = candidates.find((i) => !used.has(i)) ?? candidates.at(-1);
      let response: OutboundResponse | undefined;
      let error: Error | undefined;
      if (hit) {
        used.add(hit);
        const body = Buffer.from(asText(hit.response.body));
        response = { status: hit.response.status, headers: hit.response.headers, body, text: () => body.toString('utf8'), json: <T>() => JSON.parse(body.toString('utf8')) as T };
      } else {
        error = new UpstreamUnavailable(req.upstream, 'network', `no recorded fixture for ${want.method} ${want.path}`);
      }
      for (const h of hooks) h({ request: req, response, error, startedAt, durationMs: 0 });
      if (error) throw error;
      return response!;
    },
  };
}
