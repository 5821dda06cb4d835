/**
 * The page's files: `page/` of this folder and four ES modules from node_modules (Preact, its hooks, htm,
 * client-zip) under `/vendor/`, named in the page's import map. No build step: the browser loads the sources as
 * they are. Each file is read once, kept with its gzip and a strong ETag (a reload costs 304s), and served with a
 * Content-Security-Policy that lets the page load only from its own origin and fetch only from the console and the
 * AWS edge (presigned downloads).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const PAGE = fileURLToPath(new URL('./page/', import.meta.url));
const MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** The only files of node_modules the console serves. */
export const VENDOR: Record<string, string> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
  'client-zip.js': 'client-zip/index.js',
};

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

interface Asset {
  type: string;
  raw: Buffer;
  gzip: Buffer;
  etag: string;
}

export class StaticFiles {
  private readonly cache = new Map<string, Asset>();
  readonly csp: string;

  constructor(awsEndpoint: string) {
    const html = readFileSync(join(PAGE, 'index.html'), 'utf8');
    // The inline import map is a script: allowed by its hash, nothing else inline.
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(map).digest('base64');
    let edge = '';
    try { edge = new URL(awsEndpoint).origin; } catch { /* no edge: downloads are refused by the policy */ }
    this.csp = [
      "default-src 'self'", `script-src 'self' 'sha256-${hash}'`, "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
      `connect-src 'self' ${edge}`.trim(), "frame-src 'self' blob: data: about:", "object-src 'none'", "base-uri 'none'", "form-action 'none'",
    ].join('; ');
  }

  /** Serves `url` if it names a page file; false otherwise. */
  serve(req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean {
    const file = path === '/' || path === '/index.html' ? join(PAGE, 'index.html')
      : path.startsWith('/vendor/') && Object.hasOwn(VENDOR, path.slice(8)) ? join(MODULES, VENDOR[path.slice(8)])
        : path.startsWith('/page/') ? inside(PAGE, path.slice(6)) : undefined;
    if (!file) return false;
    const asset = this.load(file);
    if (!asset) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` } }));
      return true;
    }
    const headers: Record<string, string> = { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache', vary: 'accept-encoding', 'x-content-type-options': 'nosniff' };
    if (asset.type.startsWith('text/html')) Object.assign(headers, { 'content-security-policy': this.csp, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers).end();
      return true;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && asset.gzip.length < asset.raw.length;
    const body = gzip ? asset.gzip : asset.raw;
    res.writeHead(200, { ...headers, ...(gzip ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  private load(file: string): Asset | undefined {
    const hit = this.cache.get(file);
    if (hit) return hit;
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch {
      return undefined;
    }
    const ext = file.slice(file.lastIndexOf('.'));
    const asset = { type: TYPES[ext] ?? 'application/octet-stream', raw, gzip: gzipSync(raw, { level: 9 }), etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"` };
    this.cache.set(file, asset);
    return asset;
  }
}

/** `rel` resolved under `root`, or undefined when it would leave it (`..`, absolute, encoded tricks). */
function inside(root: string, rel: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return undefined;
  }
  if (!/^[\w./-]+$/.test(decoded) || decoded.includes('..')) return undefined;
  const full = normalize(join(root, decoded));
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : undefined;
}
