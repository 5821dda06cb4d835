/**
 * The fuzz report: one line per surface (requests, answers by status class, requests without an answer, 5xx,
 * error answers outside the promised shape, deaths, p99), then examples of everything that failed, then the
 * verdict against the targets: 0 deaths, 0 5xx caused by input, 0 error answers off shape, nothing reached the
 * listener that must stay untouched.
 */
import { percentile, type Example, type SurfaceResult } from './runner.ts';

export interface Verdict {
  ok: boolean;
  failures: string[];
}

export function verdict(results: SurfaceResult[], handlerErrors: string[]): Verdict {
  const failures: string[] = [];
  for (const r of results) {
    if (r.deaths.length) failures.push(`${r.surface}: ${r.deaths.length} death(s)`);
    if (r.byClass['5xx']) failures.push(`${r.surface}: ${r.byClass['5xx']} answer(s) 5xx`);
    if (r.offShapeCount) failures.push(`${r.surface}: ${r.offShapeCount} error answer(s) outside the promised shape`);
    if (r.reachedElsewhere) failures.push(`${r.surface}: ${r.reachedElsewhere} request(s) reached a listener nothing may forward to`);
  }
  if (handlerErrors.length) failures.push(`${handlerErrors.length} handler error(s) logged by the stack`);
  const broken = results.reduce((n, r) => n + r.generatorErrors.length, 0);
  if (broken) failures.push(`${broken} case(s) the generator could not build (a fuzzer bug)`);
  return { ok: failures.length === 0, failures };
}

export function formatReport(results: SurfaceResult[], handlerErrors: string[], header: string): string {
  const rows = results.map((r) => [
    r.surface,
    String(r.requests),
    `${r.signed}`,
    ...(['1xx', '2xx', '3xx', '4xx', '5xx'] as const).map((c) => String(r.byClass[c])),
    noAnswer(r.noAnswer),
    String(r.offShapeCount),
    String(r.deaths.length),
    `${percentile(r.latencies, 99).toFixed(0)}`,
  ]);
  const head = ['surface', 'requests', 'signed', '1xx', '2xx', '3xx', '4xx', '5xx', 'no answer (hung-up/closed/other)', 'off-shape', 'deaths', 'p99 ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [header, '', fmt(head), ...rows.map(fmt)];
  const total = results.reduce((n, r) => n + r.requests, 0);
  out.push('', `total ${total} requests over ${results.length} surfaces`);
  for (const r of results) {
    const sections: [string, Example[]][] = [['5xx', r.fiveXX], ['off-shape errors', r.offShape], ['timeouts', r.timeouts]];
    for (const [what, examples] of sections) {
      if (!examples.length) continue;
      out.push('', `${r.surface} — ${what} (examples):`);
      for (const e of examples) out.push(`  ${e.case} ${e.signed ? 'signed ' : ''}[${e.mutations.join(', ') || 'template'}] ${e.line}`, `    → ${e.status ?? ''} ${e.detail}`);
    }
    for (const d of r.deaths) out.push('', `${r.surface} — DEATH: ${d.server} ${d.how} (during ${d.during})`);
    if (r.reachedElsewhere) out.push('', `${r.surface} — ${r.reachedElsewhere} request(s) reached the listener nothing may forward to`);
    if (r.generatorErrors.length) out.push('', `${r.surface} — generator errors:`, ...r.generatorErrors.slice(0, 5).map((e) => `  ${e}`));
  }
  if (handlerErrors.length) out.push('', `handler errors logged by the stack (${handlerErrors.length}):`, ...handlerErrors.slice(0, 8).map((l) => `  ${l}`));
  return out.join('\n');
}

function noAnswer(counts: Record<string, number>): string {
  const hung = counts['hung-up'] ?? 0;
  const closed = (counts.closed ?? 0) + (counts.reset ?? 0);
  const other = Object.entries(counts).filter(([k]) => !['hung-up', 'closed', 'reset'].includes(k)).map(([k, v]) => `${v} ${k}`);
  return `${hung}/${closed}/${other.length ? other.join(' ') : 0}`;
}
