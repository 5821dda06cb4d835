/**
 * Report links into the campaign's HTML and text (seed 002: template.py adds download links). A body may place
 * them with `{{report_links}}`; otherwise they are appended. Missing reports are listed too, so a recipient
 * learns a statement is late rather than silently not getting it.
 */
import type { SignedLink } from './links.ts';

export const PLACEHOLDER = '{{report_links}}';

export interface ReportSection {
  links: (SignedLink & { customId: string })[];
  missing: { customId: string; period: string }[];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fileName = (key: string) => key.split('/').pop() ?? key;
const day = (iso: string) => iso.slice(0, 10);

export function htmlSection(s: ReportSection): string {
  const items = s.links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(`${l.customId}: ${fileName(l.key)}`)}</a> (link valid until ${day(l.expiresAt)})</li>`);
  const missing = s.missing.map((m) => `<li>${escapeHtml(`${m.customId}: no report for ${m.period} yet`)}</li>`);
  return `<h3>Your reports</h3><ul>${[...items, ...missing].join('')}</ul>`;
}

export function textSection(s: ReportSection): string {
  const lines = s.links.map((l) => `- ${l.customId}: ${fileName(l.key)} (valid until ${day(l.expiresAt)})\n  ${l.url}`);
  const missing = s.missing.map((m) => `- ${m.customId}: no report for ${m.period} yet`);
  return `Your reports:\n${[...lines, ...missing].join('\n')}`;
}

export function withReports(body: string, section: string, html: boolean): string {
  if (body.includes(PLACEHOLDER)) return body.split(PLACEHOLDER).join(section);
  if (html && /<\/body>/i.test(body)) return body.replace(/<\/body>/i, `${section}</body>`);
  return html ? `${body}${section}` : `${body}\n\n${section}\n`;
}
