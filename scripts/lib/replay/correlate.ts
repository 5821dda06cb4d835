/**
 * Values one answer hands out and a later request sends back: a Mailgun message id (`POST /send-mail` →
 * `GET /send-mail/{id}`, and the webhook's `message-id`), a presigned URL (`/packages/presign/s3` →
 * `/packages/proxy/s3?presigned_url=`). The capture holds the recording's values, which the target never issued
 * (and a presigned URL's signature has long expired), so replay learns, from each answer, which recorded value the
 * target now gives instead, and sends that in every later request — raw or percent-encoded, in path, query and body.
 * Only values that differ between runs are learnt: a value the recording merely redacted (an email) is the identity
 * map's business (identity.ts).
 */
import type { Redactor } from './redaction.ts';

/** Shorter values are too likely to occur by chance in unrelated text. */
const MIN_LENGTH = 8;
const MAX_DEPTH = 32;

export class Correlator {
  private readonly values = new Map<string, string>();
  private ordered?: [string, string][];

  constructor(private readonly redact: Redactor) {}

  get size(): number {
    return this.values.size;
  }

  /** Learn from one entry: its recorded answer (as the capture holds it) against the live one (as the target sent it). */
  learn(recorded: string, live: string): void {
    let r: unknown;
    let l: unknown;
    try {
      r = JSON.parse(recorded);
      l = JSON.parse(live);
    } catch {
      return;
    }
    this.walk(r, l, 0);
  }

  private walk(r: unknown, l: unknown, depth: number): void {
    if (depth > MAX_DEPTH) return;
    if (typeof r === 'string' && typeof l === 'string') return this.pair(r, l);
    if (Array.isArray(r) && Array.isArray(l)) {
      for (let i = 0; i < Math.min(r.length, l.length); i++) this.walk(r[i], l[i], depth + 1);
      return;
    }
    if (r && l && typeof r === 'object' && typeof l === 'object' && !Array.isArray(r) && !Array.isArray(l)) {
      for (const [k, v] of Object.entries(r)) if (k in l) this.walk(v, (l as Record<string, unknown>)[k], depth + 1);
    }
  }

  private pair(recorded: string, live: string): void {
    if (recorded === live || recorded.length < MIN_LENGTH || this.redact.string(live) === recorded) return;
    this.values.set(recorded, live);
    // A Mailgun id is `<local@domain>`; the webhook's message-id and some paths carry it bare.
    const inner = /^<(.+)>$/;
    const ri = inner.exec(recorded)?.[1];
    const li = inner.exec(live)?.[1];
    if (ri && li && ri.length >= MIN_LENGTH) this.values.set(ri, li);
    this.ordered = undefined;
  }

  /** Every learnt value in `text` replaced by the target's, longest first (a bare id inside its bracketed form). */
  apply(text: string): string {
    if (this.values.size === 0 || !text) return text;
    this.ordered ??= [...this.values].sort((a, b) => b[0].length - a[0].length);
    let out = text;
    for (const [recorded, live] of this.ordered) {
      if (out.includes(recorded)) out = out.split(recorded).join(live);
      const encoded = encodeURIComponent(recorded);
      if (encoded !== recorded && out.includes(encoded)) out = out.split(encoded).join(encodeURIComponent(live));
    }
    return out;
  }
}
