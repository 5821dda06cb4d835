/**
 * The browser origins the local stack lets in: they may call the reports routes and the S3 proxy
 * (`PROXY_CORS_ALLOWED_ORIGINS` of the functions) and read the seeded reports bucket (its CORS rule, seed 002's).
 * The configured ones (`PROXY_CORS_ALLOWED_ORIGINS`, default: a dev server on port 5173) and the console's, once
 * it has reported where it listens (by its loopback name too: a page opened as localhost is another origin). The
 * console also adds a rule of its own to the seeded buckets when it starts (the `console-cors` wiring step), so its
 * downloads work whichever reported first.
 */
import type { StackContext } from './services.ts';

export const DEFAULT_CORS_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];

export function stackCorsOrigins(ctx: Pick<StackContext, 'env' | 'reports'>): string[] {
  const configured = ctx.env.PROXY_CORS_ALLOWED_ORIGINS !== undefined
    ? ctx.env.PROXY_CORS_ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)
    : DEFAULT_CORS_ORIGINS;
  const consoleUrl = ctx.reports.console?.urls.console;
  return [...new Set([...configured, ...(consoleUrl ? originsOf(consoleUrl) : [])])];
}

function originsOf(url: string): string[] {
  const u = new URL(url);
  const loopback = u.hostname === '127.0.0.1' ? 'localhost' : u.hostname === 'localhost' ? '127.0.0.1' : undefined;
  return [u.origin, ...(loopback ? [`${u.protocol}//${loopback}${u.port ? `:${u.port}` : ''}`] : [])];
}
