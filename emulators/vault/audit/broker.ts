/**
 * Audit devices (vault/audit.go, builtin/audit/file): enabled devices receive one JSON line per request and per
 * response, with every string value of the request and response data, the client token and accessors HMAC'd
 * ("hmac-sha256:<hex>") with the device's own salt, so a log never holds a secret. Only the `file` type is
 * served (file_path, or "stdout" / "discard"); socket and syslog devices are refused as unknown types.
 */
import { appendFileSync } from 'node:fs';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { respError } from '../errors.ts';

export interface AuditDevice {
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  salt: Buffer;
}

export interface AuditRecord {
  operation: string;
  path: string;
  mountType: string;
  mountAccessor: string;
  remoteAddress: string;
  token?: { id: string; accessor: string; displayName: string; policies: string[]; metadata: Record<string, string> | null; issueTime: Date };
  requestData: Record<string, unknown>;
  status: number;
  responseBody: unknown;
  error?: string;
}

export class AuditBroker {
  private readonly devices = new Map<string, AuditDevice>();

  constructor(private readonly now: () => Date) {}

  list(): AuditDevice[] {
    return [...this.devices.values()];
  }

  /** Enable a device at `path` (vault/audit.go enableAudit and the file backend's factory checks). */
  enable(path: string, type: string, description: string, options: Record<string, string>, local: boolean): void {
    const p = path.endsWith('/') ? path : `${path}/`;
    if (p === '/') throw respError('backend path must be specified');
    for (const existing of this.devices.keys()) if (existing.startsWith(p) || p.startsWith(existing)) throw respError('path already in use');
    if (type !== 'file') throw respError(`unknown backend type: ${JSON.stringify(type)}`);
    const file = options.file_path ?? options.path;
    if (!file) throw respError('file_path is required');
    this.devices.set(p, { path: p, type, description, options: { ...options, file_path: file }, local, salt: randomBytes(32) });
  }

  disable(path: string): void {
    this.devices.delete(path.endsWith('/') ? path : `${path}/`);
  }

  get(path: string): AuditDevice | undefined {
    return this.devices.get(path.endsWith('/') ? path : `${path}/`);
  }

  /** sys/audit-hash/:path — what the device would write for `input`. */
  hash(device: AuditDevice, input: string): string {
    return `hmac-sha256:${createHmac('sha256', device.salt).update(input).digest('hex')}`;
  }

  /** Write the request and response entries to every device. */
  record(r: AuditRecord): void {
    if (this.devices.size === 0) return;
    const id = randomUUID();
    for (const d of this.devices.values()) {
      const raw = d.options.log_raw === 'true';
      const h = (v: string) => (raw ? v : this.hash(d, v));
      const auth = r.token && {
        client_token: h(r.token.id), accessor: h(r.token.accessor), display_name: r.token.displayName, policies: r.token.policies,
        token_policies: r.token.policies, metadata: r.token.metadata, token_type: 'service', token_issue_time: r.token.issueTime.toISOString(),
      };
      const request = {
        id, operation: r.operation, mount_type: r.mountType, mount_accessor: r.mountAccessor, client_token: r.token ? h(r.token.id) : '',
        client_token_accessor: r.token ? h(r.token.accessor) : '', namespace: { id: 'root' }, path: r.path,
        data: hmacValues(r.requestData, h), remote_address: r.remoteAddress,
      };
      const time = this.now().toISOString();
      this.write(d, { time, type: 'request', auth, request });
      this.write(d, { time, type: 'response', auth, request, response: { mount_type: r.mountType, mount_accessor: r.mountAccessor, ...hmacBody(r.responseBody, h) }, error: r.error ?? '' });
    }
  }

  close(): void {
    this.devices.clear();
  }

  private write(d: AuditDevice, entry: unknown): void {
    const target = d.options.file_path;
    if (target === 'discard') return;
    const line = `${d.options.prefix ?? ''}${JSON.stringify(entry)}\n`;
    if (target === 'stdout') process.stdout.write(line);
    else appendFileSync(target, line, { mode: Number.parseInt(d.options.mode ?? '0600', 8) || 0o600 });
  }
}

function hmacValues(v: unknown, h: (s: string) => string): unknown {
  if (typeof v === 'string') return h(v);
  if (Array.isArray(v)) return v.map((x) => hmacValues(x, h));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hmacValues(x, h)]));
  return v;
}

/** The response's data and auth, HMAC'd; envelope fields that are not secret stay readable. */
function hmacBody(body: unknown, h: (s: string) => string): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (b.data !== undefined && b.data !== null) out.data = hmacValues(b.data, h);
  if (b.auth) out.auth = hmacValues(b.auth, h);
  if (b.wrap_info) out.wrap_info = hmacValues(b.wrap_info, h);
  return out;
}
