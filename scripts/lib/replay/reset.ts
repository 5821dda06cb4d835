/**
 * `npm run replay -- --reset`: the target put back to its seed before the run, through the local stack's reset
 * (`POST <proxy>/__admin/reset`, emulators/stack/stack-reset.ts). Only a stack on this machine is reset without
 * asking: a deployed environment's third parties, databases and warm Lambda containers are not the replayer's to
 * wipe, and most of them cannot be reset at all (README: QA: record and replay), so `--reset` against a target that
 * is not loopback is refused unless `--force` says the admin endpoint given is the environment's own reset.
 */
import { isIP } from 'node:net';

export interface ResetReport { reset: string[]; external: string[]; ms: number }

/** Loopback only: localhost, 127.0.0.0/8, ::1 (an address any other machine can reach is not "local"). */
export function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** Why `--reset` may not run against these URLs (undefined: it may). */
export function resetRefusal(urls: { target: string; admin: string }, force: boolean): string | undefined {
  if (force) return undefined;
  const remote = Object.entries(urls).filter(([, u]) => !isLoopback(u)).map(([k, u]) => `--${k} ${u}`);
  if (remote.length === 0) return undefined;
  return `--reset only resets a stack on this machine, and ${remote.join(' and ')} is not loopback. A deployed environment's `
    + 'Customer.io, Mailgun and Extend data, its databases and its warm Lambda containers cannot be put back by the replayer '
    + '(README: QA: record and replay); pass --force if --admin names that environment\'s own reset endpoint';
}

/** POST <admin>/__admin/reset; resolves with what was reset, throws with the stack's reason. */
export async function resetStack(admin: string, timeoutMs = 120_000): Promise<ResetReport> {
  const url = `${admin.replace(/\/+$/, '')}/__admin/reset`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new Error(`could not reach ${url}: ${(e as Error).message} (is the stack running? --admin names its proxy, default http://127.0.0.1:3000)`);
  }
  const text = await res.text();
  let body: Record<string, any> = {};
  try { body = JSON.parse(text); } catch { /* reported below */ }
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${body.error?.message ?? text.slice(0, 200)}`);
  return { reset: body.reset ?? [], external: body.external ?? [], ms: body.ms ?? 0 };
}
