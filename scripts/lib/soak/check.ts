/**
 * What each client was told against what the fakes hold. Acknowledged and absent is lost; held more than once is a
 * duplicate, acknowledged or not (an operation that ended in failure may have reached the upstream: its outcome
 * was unknown, but it must never be there twice). Every failure answer, intermediate ones included, must carry a
 * status its route documents, Gatehouse's JSON error shape, and Retry-After where the README promises one.
 */
import type { Answer } from './clients.ts';
import type { Operation } from './workload.ts';

export interface KindReport {
  operations: number;
  acknowledged: number;
  /** Final failures by status and code (`504 upstream_timeout`). */
  failed: Record<string, number>;
  attempts: number;
  lost: string[];
  duplicates: string[];
}

export interface BadAnswer {
  operation: string;
  status: number;
  code?: string;
  why: string;
}

/** Statuses each route may answer under upstream faults, and whether Retry-After must come with them. */
const DOCUMENTED: Record<Operation['kind'], Record<number, { retryAfter: boolean }>> = {
  event: { 429: { retryAfter: true }, 502: { retryAfter: false }, 504: { retryAfter: false } },
  mail: { 409: { retryAfter: true }, 429: { retryAfter: true }, 502: { retryAfter: false }, 503: { retryAfter: true }, 504: { retryAfter: true } },
};

export function judgeAnswers(op: Operation): BadAnswer[] {
  const bad: BadAnswer[] = [];
  for (const a of op.answers) {
    if (a.status === 200) {
      if (!a.json) bad.push({ operation: op.id, status: a.status, why: 'a 200 without a JSON body' });
      continue;
    }
    const rule = DOCUMENTED[op.kind][a.status];
    const why = a.status === 0 ? 'the connection failed (the gateway or proxy dropped it)'
      : !rule ? `status ${a.status} is not one this route answers to an upstream fault`
      : !a.json ? 'the error is not Gatehouse JSON'
      : rule.retryAfter && !/^\d+$/.test(a.retryAfter ?? '') ? 'no Retry-After' : undefined;
    if (why) bad.push({ operation: op.id, status: a.status, code: a.code, why });
  }
  return bad;
}

export function tally(ops: Operation[], held: Map<string, string[]>, kind: Operation['kind']): KindReport {
  const mine = ops.filter((o) => o.kind === kind);
  const r: KindReport = { operations: mine.length, acknowledged: 0, failed: {}, attempts: 0, lost: [], duplicates: [] };
  for (const op of mine) {
    r.attempts += op.answers.length;
    const at = held.get(op.id) ?? [];
    if (at.length > 1) r.duplicates.push(op.id);
    if (op.acked) {
      r.acknowledged++;
      if (at.length === 0) r.lost.push(op.id);
      else if (op.messages && op.messages.some((m) => !at.includes(m))) r.lost.push(`${op.id} (answered ids the fake does not hold)`);
    } else {
      const last: Answer = op.answers[op.answers.length - 1];
      const label = `${last.status}${last.code ? ` ${last.code}` : ''}`;
      r.failed[label] = (r.failed[label] ?? 0) + 1;
    }
  }
  return r;
}

/** What the fake Customer.io stored, by event name. */
export async function heldEvents(cio: string): Promise<Map<string, string[]>> {
  type Stored = { name: string; dedupeId?: string };
  const state = (await (await fetch(`${cio}/__admin/state`)).json()) as { events: Stored[]; anonymousEvents: Stored[] };
  const out = new Map<string, string[]>();
  // A person's event is under `events` once the profile exists, under `anonymousEvents` before.
  for (const e of [...state.events, ...state.anonymousEvents]) out.set(e.name, [...(out.get(e.name) ?? []), e.dedupeId ?? '']);
  return out;
}

/** What the fake Mailgun took, by subject: message ids. */
export async function heldMessages(mailgun: string): Promise<Map<string, string[]>> {
  const { messages } = (await (await fetch(`${mailgun}/__admin/messages`)).json()) as { messages: { id: string; subject: string }[] };
  const out = new Map<string, string[]>();
  for (const m of messages) out.set(m.subject, [...(out.get(m.subject) ?? []), m.id]);
  return out;
}
