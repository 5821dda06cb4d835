/**
 * The local stack's copy of the security audit trail. In Lambda the `security_audit` lines go to the function's
 * log (CloudWatch) and that is all; locally every function logs through one logger, so the stack wraps it and
 * keeps each audit line too (redacted by the same logger code; in the supervisor, where every service's audit lines
 * arrive and which outlives their restarts), served at `GET <proxy>/__admin/audit`
 * (`?action=&actor=&outcome=&requestId=&since=<ISO>&traceId=`; a line written for a request carries its trace id). The gateway's refusals (x-api-key, JWT) — API Gateway's own
 * logs in production — are recorded here as well (gateway-audit.ts), so a local run shows every refusal in one place.
 */
import type http from 'node:http';
import { adminTarget } from './admin-target.ts';
import type { AuditLine } from '../../proxy/core/audit.ts';
import { createLogger, type Logger } from '../../proxy/core/log.ts';

export const AUDIT_PATH = '/__admin/audit';

export class AuditTrail {
  private lines: AuditLine[] = [];
  /** Formats and redacts exactly as a function's logger does, into this trail instead of stdout. */
  private readonly recorder = createLogger({ sink: (line) => this.keep(JSON.parse(line) as AuditLine) });

  constructor(private readonly limit = 10_000) {}

  /** The stack's logger, also recording every audit line. */
  tee(inner: Logger): Logger {
    const recorder = this.recorder;
    return {
      debug: (m, f) => inner.debug(m, f),
      info: (m, f) => inner.info(m, f),
      warn: (m, f) => inner.warn(m, f),
      error: (m, f) => inner.error(m, f),
      audit(line) {
        inner.audit(line);
        recorder.audit(line);
      },
      addSecretValues(values) {
        const all = [...values];
        inner.addSecretValues(all);
        recorder.addSecretValues(all);
      },
    };
  }

  list(filter: AuditFilter = {}): AuditLine[] {
    return this.lines.filter((l) => (!filter.action || l.action === filter.action) && (!filter.actor || l.actor === filter.actor)
      && (!filter.outcome || l.outcome === filter.outcome) && (!filter.requestId || l.requestId === filter.requestId)
      && (!filter.since || l.timestamp >= filter.since) && (!filter.traceId || (l as { traceId?: string }).traceId === filter.traceId));
  }

  private keep(line: AuditLine): void {
    if (this.lines.length >= this.limit) this.lines.shift();
    this.lines.push(line);
  }
}

export type AuditFilter = Partial<Record<'action' | 'actor' | 'outcome' | 'requestId' | 'since' | 'traceId', string>>;

/**
 * Serves GET /__admin/audit from `list` (in the proxy's process: the supervisor keeps the trail, so it outlives a
 * restart of the proxy); false for any other request.
 */
export function serveAudit(req: http.IncomingMessage, res: http.ServerResponse, list: (filter: AuditFilter) => Promise<AuditLine[]>): boolean {
  const url = adminTarget(req);
  // Only on the proxy's own port: a request the gateway forwarded (it signs everything) is the app's to answer.
  if (url.pathname !== AUDIT_PATH || req.headers.signature !== undefined) return false;
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'GET') {
    reply(405, { error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${AUDIT_PATH}` } }, { allow: 'GET' });
    return true;
  }
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  // Lines are kept with toISOString() times and compared as text, so `since` is read as a time and written the same
  // way: compared as sent, `…T04:30:00+01:00` skipped a line of 03:45Z and `since=garbage` answered [] as if empty.
  let since = q('since');
  if (since) {
    const at = Date.parse(since);
    if (Number.isNaN(at)) {
      reply(400, { error: { code: 'bad_filter', message: `since must be an ISO 8601 time, e.g. 2026-12-02T03:00:00Z; got ${JSON.stringify(since.slice(0, 60))}` } });
      return true;
    }
    since = new Date(at).toISOString();
  }
  list({ action: q('action'), actor: q('actor'), outcome: q('outcome'), requestId: q('requestId'), since, traceId: q('traceId') }).then(
    (entries) => reply(200, { entries }),
    (e: Error) => reply(503, { error: { code: 'audit_unavailable', message: e.message } }),
  );
  return true;
}
