/**
 * The events log: Mailgun-shaped event documents (documentation.mailgun.com "Event Structure"), the filters of
 * GET /v3/{domain}/events and its opaque page links (`/v3/{domain}/events/{token}`, as mailgun.js follows them).
 */
import { randomBytes } from 'node:crypto';
import { badRequest } from './errors.ts';
import { compileFilter, FILTER_FIELDS, type FieldValue, type FilterField } from './event-filter.ts';
import { bareMessageId } from './messages.ts';

export type EventType = 'accepted' | 'delivered' | 'failed' | 'opened' | 'clicked' | 'unsubscribed' | 'complained';
export const EVENT_TYPES: readonly EventType[] = ['accepted', 'delivered', 'failed', 'opened', 'clicked', 'unsubscribed', 'complained'];

export type MailgunEvent = Record<string, unknown> & { id: string; event: EventType; timestamp: number; recipient: string };

interface LoggedEvent {
  seq: number;
  domain: string;
  messageId: string;
  data: MailgunEvent;
}

export interface EventQuery {
  /** Filter expressions by field, as given (compiled per page: event-filter.ts). */
  filters: Partial<Record<FilterField, string>>;
  begin?: number;
  end?: number;
  ascending: boolean;
  limit: number;
}

type Mode = 'after' | 'before' | 'last';
interface PageToken {
  q: EventQuery;
  m: Mode;
  c?: number;
}

/** Events API: "limit … (300 max)", default 100 (documentation.mailgun.com, Events API reference). */
export const MAX_EVENT_LIMIT = 300;
const DEFAULT_EVENT_LIMIT = 100;

export const eventId = (): string => randomBytes(16).toString('base64url').slice(0, 22);

/** Epoch seconds or an RFC 2822 date, as the Events API accepts for begin/end. */
function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(t)) throw badRequest(`'${name}' parameter is not a valid time`);
  return t;
}

/** Read the query string of GET /v3/{domain}/events into a typed query. */
export function parseEventQuery(params: Record<string, string | undefined>): EventQuery {
  const begin = parseTime('begin', params.begin);
  const end = parseTime('end', params.end);
  const limit = params.limit === undefined ? DEFAULT_EVENT_LIMIT : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENT_LIMIT) throw badRequest(`'limit' parameter must be an integer between 1 and ${MAX_EVENT_LIMIT}`);
  const asc = params.ascending;
  if (asc !== undefined && asc !== 'yes' && asc !== 'no') throw badRequest("'ascending' parameter must be 'yes' or 'no'");
  // "If both the end range date and the direction of the search are specified then they should agree with each
  // other, otherwise the request will return an error." (Events, Time Range; the wording is ours)
  if (asc !== undefined && begin !== undefined && end !== undefined && begin !== end && (begin < end) !== (asc === 'yes')) {
    throw badRequest("'ascending' parameter does not agree with the begin and end of the time range");
  }
  // Direction: explicit `ascending`, else implied by begin < end, else newest first (Events "Time Range").
  const ascending = asc !== undefined ? asc === 'yes' : begin !== undefined && end !== undefined ? begin <= end : false;
  const filters: EventQuery['filters'] = {};
  for (const f of FILTER_FIELDS) {
    const v = params[f];
    if (v === undefined || v.trim() === '') continue;
    compileFilter(f, v); // refuse a malformed expression now, not on a later page
    filters[f] = v;
  }
  return {
    filters,
    begin,
    end,
    ascending,
    limit,
  };
}

export const encodePage = (t: PageToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');

export function decodePage(token: string): PageToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    if (t && typeof t === 'object' && t.q && typeof t.q.limit === 'number' && t.q.filters && typeof t.q.filters === 'object') return t;
  } catch {
    // fall through
  }
  throw badRequest('Invalid page token');
}

/** What each filter field reads from a logged event (Filter Field table). */
function fieldValue(e: LoggedEvent, f: FilterField): FieldValue {
  const d = e.data;
  const message = (d.message ?? {}) as { headers?: Record<string, string>; attachments?: { filename: string }[]; size?: number };
  switch (f) {
    case 'event':
      return d.event;
    case 'recipient':
    case 'recipients':
      return d.recipient;
    case 'from':
    case 'to':
    case 'subject':
      return message.headers?.[f];
    case 'message-id':
      return e.messageId;
    case 'size':
      return message.size;
    case 'attachment':
      return (message.attachments ?? []).map((a) => a.filename);
    case 'tags':
      return (d.tags as string[] | undefined) ?? [];
    case 'severity':
      return d.severity as string | undefined;
    case 'list':
      return undefined; // the fake has no mailing lists
  }
}

function matches(e: LoggedEvent, q: EventQuery, tests: [FilterField, (v: FieldValue) => boolean][]): boolean {
  const d = e.data;
  for (const [f, test] of tests) if (!test(fieldValue(e, f))) return false;
  const lo = q.end === undefined ? q.begin : Math.min(q.begin ?? -Infinity, q.end);
  const hi = q.end === undefined ? undefined : Math.max(q.begin ?? -Infinity, q.end);
  if (q.end === undefined && q.begin !== undefined) return q.ascending ? d.timestamp >= q.begin : d.timestamp <= q.begin;
  if (lo !== undefined && d.timestamp < lo) return false;
  if (hi !== undefined && d.timestamp > hi) return false;
  return true;
}

export interface EventPage {
  items: MailgunEvent[];
  /** Tokens for Mailgun's four paging links. */
  paging: { first: string; last: string; next: string; previous: string };
}

export class EventLog {
  private entries: LoggedEvent[] = [];
  private seq = 0;

  record(domain: string, messageId: string, data: MailgunEvent): MailgunEvent {
    this.entries.push({ seq: ++this.seq, domain, messageId: bareMessageId(messageId), data });
    return data;
  }

  clear(): void {
    this.entries = [];
  }

  forMessage(messageId: string): MailgunEvent[] {
    const id = bareMessageId(messageId);
    return this.entries.filter((e) => e.messageId === id).map((e) => e.data);
  }

  count(): number {
    return this.entries.length;
  }

  /** One page of a domain's events; `token` continues a previous page. */
  page(domain: string, token: PageToken): EventPage {
    const { q } = token;
    const tests = Object.entries(q.filters).map(([f, src]) => [f, compileFilter(f as FilterField, src!)] as [FilterField, (v: FieldValue) => boolean]);
    const ordered = this.entries.filter((e) => e.domain === domain && matches(e, q, tests));
    if (!q.ascending) ordered.reverse();
    // Whether sequence number a comes before b in this query's direction.
    const precedes = (a: number, b: number) => (q.ascending ? a < b : a > b);
    const c = token.c;
    let page: LoggedEvent[];
    if (token.m === 'last') page = ordered.slice(-q.limit);
    else if (token.m === 'before') page = c === undefined ? [] : ordered.filter((e) => precedes(e.seq, c)).slice(-q.limit);
    else page = (c === undefined ? ordered : ordered.filter((e) => precedes(c, e.seq))).slice(0, q.limit);
    const firstSeq = page[0]?.seq ?? c;
    const lastSeq = page[page.length - 1]?.seq ?? c;
    return {
      items: page.map((e) => e.data),
      paging: {
        first: encodePage({ q, m: 'after' }),
        last: encodePage({ q, m: 'last' }),
        next: encodePage({ q, m: 'after', c: lastSeq }),
        previous: encodePage({ q, m: 'before', c: firstSeq }),
      },
    };
  }
}
