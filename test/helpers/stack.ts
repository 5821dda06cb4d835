/**
 * The one test helper that starts the whole stack (the same code as `npm start`: a supervisor and one process per
 * service) on free ports, with its keys and certificates in a temporary state directory, plus small helpers to call
 * it and to read the fakes' admin APIs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../emulators/stack/index.ts';
import { silentLogger } from '../../proxy/core/log.ts';

// The AWS SDK warns once per process that it will need Node 22: every stack's proxy would repeat it in the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export async function testStack(env: Record<string, string | undefined> = {}): Promise<Stack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  // Only what the test passes: the developer's own VAULT_ADDR/AWS_ENDPOINT_URL must not redirect the suite.
  return startStack({ env: { GATEHOUSE_STATE_DIR: stateDir, ...env }, ephemeral: true, stateDir, log: silentLogger() });
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function call(base: string, method: string, path: string, opts: { json?: unknown; body?: string | Buffer; headers?: Record<string, string>; token?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** GET an emulator's admin endpoint as JSON. */
export async function admin<T = any>(base: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}/__admin${path}`, init);
  return (await res.json()) as T;
}

export const injectFault = (base: string, fault: Record<string, unknown>) =>
  admin(base, '/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
