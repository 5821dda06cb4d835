/**
 * Nearly every string a client sends to Vault is a credential or a secret (KV data, secret_id, wrapped tokens),
 * and the shared journal records request bodies. So the body is read here first: routes get the real bytes under
 * RAW_BODY, the journal (which reads `req.body`) gets a copy with every string value masked but the shape kept.
 */
import type http from 'node:http';
import { DEFAULT_JSON_LIMITS, parseJsonWithin, type JsonLimits } from '../../proxy/core/json-limits.ts';

// Vault's default max_request_size is 32 MiB (listener docs).
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
/** JSON bodies: Vault's size limit, and the shared default depth (nothing deeper is parsed, masked or stored). */
export const VAULT_JSON_LIMITS: JsonLimits = { maxBytes: MAX_REQUEST_BYTES, maxDepth: DEFAULT_JSON_LIMITS.maxDepth };
/** The request body as the client sent it (routes read it here; the journal sees only the masked copy). */
export const RAW_BODY = Symbol('vault.rawBody');
export const TOO_LARGE = Symbol('vault.bodyTooLarge');

type HeldRequest = http.IncomingMessage & { body?: Buffer; [RAW_BODY]?: Buffer; [TOO_LARGE]?: boolean };

/** Read the whole body (beyond the limit it is drained and flagged), then stash the real and the masked copies. */
export function holdBody(req: http.IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<void> {
  const held = req as HeldRequest;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      held[TOO_LARGE] = size > limit;
      held[RAW_BODY] = raw;
      held.body = Buffer.from(maskBody(raw), 'utf8');
      resolve();
    });
    // An aborted upload still reaches the frame, which records it; the socket is already gone.
    req.on('error', () => resolve());
  });
}

export function maskBody(raw: Buffer): string {
  if (raw.length === 0) return '';
  const v = parseJsonWithin(raw, VAULT_JSON_LIMITS);
  return v.ok ? JSON.stringify(maskValue(v.value)) : `<${raw.length} bytes, not JSON within limits, withheld>`;
}

function maskValue(v: unknown): unknown {
  if (typeof v === 'string') return '***';
  if (Array.isArray(v)) return v.map(maskValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskValue(x)]));
  return v;
}
