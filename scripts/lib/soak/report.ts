/** The soak's report as the terminal and the README show it. */
import type { KindReport } from './check.ts';
import type { SoakReport } from './run.ts';

const line = (name: string, k: KindReport) => {
  const failed = Object.entries(k.failed).map(([s, c]) => `${c}× ${s}`).join(', ') || 'none';
  return `| ${name} | ${k.operations} | ${k.acknowledged} | ${failed} | ${k.attempts} | ${k.lost.length} | ${k.duplicates.length} |`;
};

export function formatSoakReport(r: SoakReport): string {
  const o = r.options;
  const hits = (h: Record<string, number>) => Object.entries(h).map(([k, v]) => `${k} ${v}`).join(', ');
  const out = [
    `soak: ${o.clients} clients, ${r.seconds.toFixed(1)} s, faults ${o.faults}, seed ${o.seed}`,
    '',
    '| operation | sent | acknowledged | failed for good (last answer) | attempts | lost | duplicates |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    line('Customer.io event', r.events),
    line('/send-mail campaign', r.mail),
    '',
    `faults fired: Customer.io ${hits(r.faults.customerio)}; Mailgun ${hits(r.faults.mailgun)}`,
    `failure answers without the documented status, JSON shape or Retry-After: ${r.badAnswers.length}`,
    ...r.badAnswers.slice(0, 10).map((b) => `  ${b.operation}: ${b.status}${b.code ? ` ${b.code}` : ''} — ${b.why}`),
    ...[...r.events.lost, ...r.mail.lost].slice(0, 10).map((id) => `  lost: ${id}`),
    ...[...r.events.duplicates, ...r.mail.duplicates].slice(0, 10).map((id) => `  duplicate: ${id}`),
    r.ok ? 'OK: nothing acknowledged was lost, nothing was done twice, every failure was reported as documented' : 'FAILED',
  ];
  return out.join('\n');
}
