/**
 * Mail view (what Mailpit shows): the fake Mailgun's captured messages, searchable by recipient and subject, and one
 * message whole — HTML (the page renders it in a sandboxed iframe), text, headers, recipient variables, tags,
 * delivery events — with the links it carries (the CloudFront report links open through the local edge).
 *
 *   GET /api/mail/messages[?to=&subject=&q=]   newest first
 *   GET /api/mail/messages/:id
 */
import { text, type ApiRoute } from '../app.ts';
import type { ConsoleDeps } from '../deps.ts';

interface Summary {
  id: string;
  createdAt: string;
  from: string;
  to: string[] | string;
  subject: string;
  tags: string[];
  recipients: number;
}

const has = (hay: unknown, needle: string) => !needle || JSON.stringify(hay ?? '').toLowerCase().includes(needle.toLowerCase());

/** Every http(s) link of a message, once each, and whether it points at the stack's CloudFront edge. */
export function linksOf(html: string | null, textPart: string | null, cloudfront: string[]): { url: string; cloudfront: boolean }[] {
  const found = new Set<string>();
  const source = `${html ?? ''}\n${textPart ?? ''}`;
  for (const m of source.matchAll(/https?:\/\/[^\s"'<>]+/g)) found.add(m[0].replace(/&amp;/g, '&').replace(/[).,;]+$/, ''));
  const edges = cloudfront.map((u) => new URL(u).host);
  return [...found].map((url) => {
    let host = '';
    try { host = new URL(url).host; } catch { /* not a URL after all */ }
    return { url, cloudfront: edges.includes(host) };
  });
}

export const mailRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/mail/messages',
    handler: async (req, deps) => {
      const to = text(req.query.get('to'), 'to', { optional: true, max: 200 });
      const subject = text(req.query.get('subject'), 'subject', { optional: true, max: 200 });
      const q = text(req.query.get('q'), 'q', { optional: true, max: 200 });
      const { messages } = await deps.fakes.json<{ messages: Summary[] }>('mailgun', '/__admin/messages');
      const picked = messages.filter((m) => has(m.to, to) && has(m.subject, subject) && (has(m.to, q) || has(m.subject, q) || has(m.from, q)));
      return { json: { total: messages.length, messages: picked.reverse() } };
    },
  },
  {
    method: 'GET', path: '/api/mail/messages/:id',
    handler: async (req, deps) => {
      const id = text(req.params.id, 'id', { max: 300 });
      const m = await deps.fakes.json<{ html: string | null; text: string | null }>('mailgun', `/__admin/messages/${encodeURIComponent(id)}`);
      const edges = ['cloudfront', 'cloudfront-https'].map((n) => deps.config.urls[n]).filter(Boolean);
      return { json: { ...m, links: linksOf(m.html, m.text, edges) } };
    },
  },
];
