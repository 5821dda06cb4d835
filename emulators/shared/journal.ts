/** The request journal every emulator keeps: what arrived, what was answered. Credentials are masked. */
export interface JournalEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
  fault?: string;
  durationMs?: number;
}

const MASKED = /^(authorization|x-vault-token|x-api-key|cookie|token)$/i;

export class Journal {
  private entries: JournalEntry[] = [];
  private seq = 0;
  constructor(private readonly limit = 5000) {}

  record(e: Omit<JournalEntry, 'seq' | 'time' | 'headers'> & { headers: Record<string, string | string[] | undefined> }): JournalEntry {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.headers)) {
      if (v === undefined) continue;
      const s = Array.isArray(v) ? v.join(', ') : v;
      headers[k] = MASKED.test(k) ? mask(s) : s;
    }
    const entry: JournalEntry = { ...e, headers, seq: ++this.seq, time: new Date().toISOString() };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.shift();
    return entry;
  }

  list(filter: { method?: string; pathPrefix?: string } = {}): JournalEntry[] {
    return this.entries.filter((e) => (!filter.method || e.method === filter.method.toUpperCase()) && (!filter.pathPrefix || e.path.startsWith(filter.pathPrefix)));
  }

  clear(): void {
    this.entries = [];
  }
}

/** Keep the scheme ("Basic", "Bearer") so tests can see which auth was used, never the credential. */
function mask(v: string): string {
  const sp = v.indexOf(' ');
  return sp > 0 ? `${v.slice(0, sp)} ***` : '***';
}
