/**
 * App API exports (POST /v1/exports/customers, /v1/exports/deliveries, GET /v1/exports[/{id}[/download]]): an
 * export is a CSV file built at once from the workspace (the fake has no queue, so every export is `done` when
 * created) and downloaded through a signed link that expires after 15 minutes, as Customer.io's download links do
 * ("Download an export": the link is valid for 15 minutes). No HTTP here.
 *
 * Files are kept within FILE_BUDGET_BYTES, newest first: an older export stays listed, but asking for its download
 * is a 404 naming why. Without a budget a workspace's exports grew without end (each deliveries export holds every
 * delivery), and under `npm run fuzz` eleven-megabyte files kept by the hundred stopped the fake at its heap limit.
 */
import { randomBytes } from 'node:crypto';
import { notFound } from './errors.ts';

export type ExportType = 'customers' | 'deliveries';

export interface ExportRecord {
  id: number;
  type: ExportType;
  description: string;
  total: number;
  downloads: number;
  createdAt: number;
  updatedAt: number;
  /** The file; undefined once newer exports took its place in the budget. */
  csv?: string;
}

/** CSV kept across all exports (characters); the newest export's file is always kept. */
export const FILE_BUDGET_CHARS = 64 * 1024 * 1024;

/** Download links live 15 minutes (seconds, on the workspace clock). */
export const DOWNLOAD_TTL_S = 15 * 60;

export class ExportStore {
  private exports: ExportRecord[] = [];
  private links = new Map<string, { id: number; expires: number }>();

  constructor(private readonly now: () => number) {}

  create(type: ExportType, description: string, header: string[], rows: unknown[][]): ExportRecord {
    const t = this.now();
    const record: ExportRecord = { id: this.exports.length + 1, type, description, total: rows.length, downloads: 0, createdAt: t, updatedAt: t, csv: toCsv(header, rows) };
    this.exports.push(record);
    this.keepWithinBudget();
    return record;
  }

  private keepWithinBudget(): void {
    let kept = 0;
    for (let i = this.exports.length - 1; i >= 0; i--) {
      const e = this.exports[i];
      if (e.csv === undefined) continue;
      kept += e.csv.length;
      if (kept > FILE_BUDGET_CHARS && i < this.exports.length - 1) {
        kept -= e.csv.length;
        e.csv = undefined;
      }
    }
  }

  list(): ExportRecord[] {
    return [...this.exports];
  }

  get(id: string | number): ExportRecord {
    const record = /^\d+$/.test(String(id)) ? this.exports.find((e) => e.id === Number(id)) : undefined;
    // "404: The export ID does not exist." (App API "Get an export")
    if (!record) throw notFound(`export ${id} not found`);
    return record;
  }

  /** A fresh link token for the file; each one counts as a download. */
  link(id: string | number): { token: string; expires: number } {
    const record = this.get(id);
    if (record.csv === undefined) throw notFound(`export ${record.id}'s file is no longer kept (this fake keeps the newest ${FILE_BUDGET_CHARS / 1048576} MiB of export files); create the export again`);
    for (const [token, l] of this.links) if (l.expires <= this.now()) this.links.delete(token);
    record.downloads++;
    record.updatedAt = this.now();
    const token = randomBytes(24).toString('base64url');
    const expires = this.now() + DOWNLOAD_TTL_S;
    this.links.set(token, { id: record.id, expires });
    return { token, expires };
  }

  /** The file behind a link, or undefined when the link is unknown or has expired. */
  file(token: string): (ExportRecord & { csv: string }) | undefined {
    const link = this.links.get(token);
    if (!link) return undefined;
    if (link.expires <= this.now()) {
      this.links.delete(token);
      return undefined;
    }
    const record = this.exports.find((e) => e.id === link.id);
    return record?.csv === undefined ? undefined : record as ExportRecord & { csv: string };
  }

  clear(): void {
    this.exports = [];
    this.links.clear();
  }
}

/** The App API's export object (`{"export": {...}}` in "Get an export"). */
export function renderExport(e: ExportRecord) {
  return {
    id: e.id,
    user_id: 0,
    user_email: '',
    total: e.total,
    deduplicate_id: `${e.id}:${e.createdAt}`,
    type: e.type,
    failed: false,
    status: 'done',
    description: e.description,
    downloads: e.downloads,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. */
function toCsv(header: string[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
