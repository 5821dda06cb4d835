/**
 * What a replay prints and writes: a progress bar on a TTY or one plain line per request elsewhere (CI logs), a
 * readable diff per mismatch, a summary table per route, and JUnit XML in the shape GitLab, GitHub (test-reporter
 * actions) and Jenkins read: <testsuites><testsuite name tests failures errors time><testcase name classname time>
 * with <failure message type> or <error message type> children (JUnit XML schema as documented by those tools).
 */
import { formatDifferences } from './diff.ts';
import type { EntryResult } from './runner.ts';

export const label = (r: EntryResult): string => `#${r.entry.index} ${r.entry.method} ${r.entry.url.pathname}`;

/** Progress output: an in-place bar when `tty`, else a line per result (failures only beyond the first 200). */
export function progressPrinter(write: (s: string) => void, tty: boolean): (r: EntryResult, done: number, total: number) => void {
  let last = 0;
  return (r, done, total) => {
    if (tty) {
      const now = Date.now();
      if (done !== total && now - last < 80) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / Math.max(1, total)) * width);
      write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
      return;
    }
    if (r.verdict !== 'pass' || total <= 200) write(`${r.verdict.toUpperCase().padEnd(5)} ${label(r)} (${r.ms.toFixed(1)} ms)\n`);
  };
}

/** Every mismatch and error with its differences, for the end of the run. */
export function mismatchReport(results: EntryResult[]): string {
  const bad = results.filter((r) => r.verdict !== 'pass');
  return bad.map((r) => `✗ ${label(r)} [user ${r.lane}]\n${r.verdict === 'error' ? `    error: ${r.error}` : formatDifferences(r.diffs)}`).join('\n');
}

/** One row per route: passed, failed, errors. */
export function summaryTable(results: EntryResult[]): string {
  const rows = new Map<string, { pass: number; fail: number; error: number }>();
  for (const r of results) {
    const key = `${r.entry.method} ${routeShape(r.entry.url.pathname)}`;
    const row = rows.get(key) ?? { pass: 0, fail: 0, error: 0 };
    row[r.verdict]++;
    rows.set(key, row);
  }
  const lines = [...rows].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, String(v.pass), String(v.fail), String(v.error)]);
  const all = [['route', 'pass', 'fail', 'error'], ...lines];
  const w = [0, 1, 2, 3].map((i) => Math.max(...all.map((l) => l[i].length)));
  const fmt = (l: string[]) => l.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  const total = results.reduce((t, r) => ({ ...t, [r.verdict]: t[r.verdict] + 1 }), { pass: 0, fail: 0, error: 0 });
  return [fmt(all[0]), w.map((n) => '-'.repeat(n)).join('  '), ...lines.map(fmt), `${results.length} requests: ${total.pass} passed, ${total.fail} failed, ${total.error} errors`].join('\n');
}

/** Emails and long ids in a path become placeholders, so a route's requests share one row. */
const routeShape = (p: string) => p.split('/').map((s) => (/@|%40/.test(s) || /^[0-9A-Za-z_-]{16,}$/.test(s) || /^\d+$/.test(s) ? '{id}' : s)).join('/');

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
  // XML 1.0 forbids most control characters even escaped.
  .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

export function junitXml(results: EntryResult[], suiteName: string): string {
  const fails = results.filter((r) => r.verdict === 'fail').length;
  const errors = results.filter((r) => r.verdict === 'error').length;
  const time = (results.reduce((t, r) => t + r.ms, 0) / 1000).toFixed(3);
  const cases = results.map((r) => {
    // Jenkins reads dots in classname as packages: keep one level per capture, the user in the name.
    const head = `    <testcase name="${xml(`${label(r)} [${r.lane}]`)}" classname="${xml(`replay.${suiteName.replace(/[^\w-]/g, '_')}`)}" time="${(r.ms / 1000).toFixed(3)}"`;
    if (r.verdict === 'pass') return `${head}/>`;
    const body = r.verdict === 'error' ? `      <error message="${xml(r.error ?? 'error')}" type="ReplayError"/>` :
      `      <failure message="${xml(`${r.diffs.length} difference(s) from the recording`)}" type="ResponseMismatch">${xml(formatDifferences(r.diffs, ''))}</failure>`;
    return `${head}>\n${body}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="replay" tests="${results.length}" failures="${fails}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xml(suiteName)}" tests="${results.length}" failures="${fails}" errors="${errors}" skipped="0" time="${time}" timestamp="${new Date().toISOString().slice(0, 19)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
