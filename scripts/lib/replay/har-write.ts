/**
 * Building HAR 1.2 entries from captured exchanges — always through a Redactor, so nothing unredacted is ever
 * serialised — and a writer that keeps entries in arrival order and rewrites the file as exchanges complete.
 */
import { writeFileSync, renameSync } from 'node:fs';
import type { Har, HarContent, HarEntry, HarNameValue } from './har.ts';
import type { Redactor } from './redaction.ts';

export interface CapturedExchange {
  method: string;
  /** Absolute URL as the client addressed it. */
  url: string;
  httpVersion?: string;
  requestHeaders: Record<string, string | string[]>;
  requestBody: Buffer;
  status: number;
  statusText?: string;
  responseHeaders: Record<string, string | string[]>;
  responseBody: Buffer;
  startedAt: number;
  /** Milliseconds until the response's first byte, and until its last. */
  waitMs: number;
  totalMs: number;
  /** Who sent it (from the JWT or API token), stored as a placeholder in `_identity` for replay's user lanes. */
  identity?: string;
}

const TEXTUAL = /json|text|xml|x-www-form-urlencoded|javascript|multipart/i;

function pairs(h: Record<string, string | string[]>, redact: Redactor): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (const [name, v] of Object.entries(h)) for (const value of Array.isArray(v) ? v : [v]) out.push({ name, value: redact.header(name, value) });
  return out;
}

function one(h: Record<string, string | string[]>, name: string): string {
  const v = h[name];
  return Array.isArray(v) ? v.join(', ') : v ?? '';
}

/** A body as HAR content: redacted text when it is text, base64 otherwise. */
export function harContent(body: Buffer, mimeType: string, redact: Redactor): HarContent & { text: string } {
  if (body.length === 0) return { size: 0, mimeType, text: '' };
  if (TEXTUAL.test(mimeType) || (!mimeType && !body.includes(0))) {
    const text = redact.body(body.toString('utf8'), mimeType);
    return { size: Buffer.byteLength(text), mimeType, text };
  }
  return { size: body.length, mimeType, text: body.toString('base64'), encoding: 'base64' };
}

export function toHarEntry(x: CapturedExchange, redact: Redactor): HarEntry {
  const reqType = one(x.requestHeaders, 'content-type');
  const resType = one(x.responseHeaders, 'content-type');
  const redactedUrl = redact.url(x.url);
  const reqContent = harContent(x.requestBody, reqType, redact);
  return {
    startedDateTime: new Date(x.startedAt).toISOString(),
    time: x.totalMs,
    request: {
      method: x.method,
      url: redactedUrl,
      httpVersion: `HTTP/${x.httpVersion ?? '1.1'}`,
      headers: pairs(x.requestHeaders, redact),
      queryString: [...new URL(redactedUrl).searchParams].map(([name, value]) => ({ name, value })),
      cookies: [],
      headersSize: -1,
      bodySize: x.requestBody.length,
      ...(x.requestBody.length ? { postData: { mimeType: reqType, text: reqContent.text, ...(reqContent.encoding ? { encoding: reqContent.encoding } : {}) } } : {}),
    },
    response: {
      status: x.status,
      statusText: x.statusText ?? '',
      httpVersion: `HTTP/${x.httpVersion ?? '1.1'}`,
      headers: pairs(x.responseHeaders, redact),
      cookies: [],
      content: harContent(x.responseBody, resType, redact),
      redirectURL: redact.url(one(x.responseHeaders, 'location')),
      headersSize: -1,
      bodySize: x.responseBody.length,
    },
    cache: {},
    ...(x.identity ? { _identity: redact.string(x.identity) } : {}),
    // Rounded like wait and time: a float's tail (0.6399999999999864) reads as a card number to a Luhn scan.
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: x.waitMs, receive: Math.max(0, Math.round((x.totalMs - x.waitMs) * 100) / 100) },
  } as HarEntry;
}

export function harDocument(entries: HarEntry[]): Har {
  return { log: { version: '1.2', creator: { name: 'gatehouse-record', version: '1' }, entries } };
}

/** Entries keep the order requests arrived in, even when responses complete out of order. */
export class HarWriter {
  private readonly slots: (HarEntry | undefined)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file: string, private readonly redact: Redactor) {}

  /** Reserve the next place at arrival; the returned function fills it when the exchange completes. */
  arrive(): (x: CapturedExchange) => void {
    const i = this.slots.push(undefined) - 1;
    return (x) => {
      this.slots[i] = toHarEntry(x, this.redact);
      this.schedule();
    };
  }

  get size(): number {
    return this.slots.filter(Boolean).length;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => { this.timer = undefined; this.flush(); }, 100);
  }

  /** Write every completed entry (atomically: a reader never sees half a file). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(harDocument(this.slots.filter((e): e is HarEntry => !!e)), null, 2) + '\n');
    renameSync(tmp, this.file);
  }
}
