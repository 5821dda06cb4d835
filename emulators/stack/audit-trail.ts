/**
 * The local stack's copy of the security audit trail. In Lambda the `security_audit` lines go to the function's
 * log (CloudWatch) and that is all; locally every function logs through one logger, so the stack wraps it and
 * keeps each audit line too (redacted by the same logger code), served at `GET <proxy>/__admin/audit`
 * (`?action=&actor=&outcome=&requestId=&since=<ISO>`). The gateway's refusals (x-api-key, JWT) — API Gateway's own
 * logs in production — are recorded here as well, so a local run shows every refusal in one place.
 */
import type http from 'node:http';
import { audit, type AuditAction, type AuditLine } from '../../proxy/core/audit.ts';
import { createLogger, type Logger } from '../../proxy/core/log.ts';
import { authenticateBearer, checkApiKey } from '../gateway/steps.ts';
import type { Step } from '../gateway/index.ts';

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

  list(filter: Partial<Record<'action' | 'actor' | 'outcome' | 'requestId' | 'since', string>> = {}): AuditLine[] {
    return this.lines.filter((l) => (!filter.action || l.action === filter.action) && (!filter.actor || l.actor === filter.actor)
      && (!filter.outcome || l.outcome === filter.outcome) && (!filter.requestId || l.requestId === filter.requestId)
      && (!filter.since || l.timestamp >= filter.since));
  }

  /** Serves GET /__admin/audit; false for any other request. */
  serve(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://stack');
    // Only on the proxy's own port: a request the gateway forwarded (it signs everything) is the app's to answer.
    if (url.pathname !== AUDIT_PATH || req.headers.signature !== undefined) return false;
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' });
      res.end(JSON.stringify({ error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${AUDIT_PATH}` } }));
      return true;
    }
    const q = (k: string) => url.searchParams.get(k) ?? undefined;
    const entries = this.list({ action: q('action'), actor: q('actor'), outcome: q('outcome'), requestId: q('requestId'), since: q('since') });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ entries }));
    return true;
  }

  private keep(line: AuditLine): void {
    if (this.lines.length >= this.limit) this.lines.shift();
    this.lines.push(line);
  }
}

/** The gateway's steps, with each refusal of the API-key and JWT steps audited (actor unknown: anonymous). */
export function auditedGatewaySteps(steps: Step[], log: Logger): Step[] {
  const actions = new Map<Step, AuditAction>([[checkApiKey, 'auth.api_key_refused'], [authenticateBearer, 'auth.jwt_refused']]);
  return steps.map((step) => {
    const action = actions.get(step);
    if (!action) return step;
    return async (x, state) => {
      const early = await step(x, state);
      // The first path segment only: further segments may carry someone's identifier.
      if (early) audit({ log }, { action, actor: 'anonymous', resource: `route:${x.method} /${x.path.split('/')[1] ?? ''}`, outcome: 'denied', details: { status: early.status } });
      return early;
    };
  });
}
