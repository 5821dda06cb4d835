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

const MASKED = new Set(['authorization', 'x-vault-token', 'x-api-key', 'cookie', 'token']);

/** A ring of the last `limit` entries: recording is O(1) however full it is (an array shift per request was not). */
export class Journal {
  private ring: JournalEntry[] = [];
  private start = 0;
  private seq = 0;
  constructor(private readonly limit = 5000) {}

  record(e: Omit<JournalEntry, 'seq' | 'time' | 'headers'> & { headers: Record<string, string | string[] | undefined> }): JournalEntry {
    const headers: Record<string, string> = {};
    for (const k in e.headers) {
      const v = e.headers[k];
      if (v === undefined) continue;
      const s = Array.isArray(v) ? v.join(', ') : v;
      headers[k] = MASKED.has(k.toLowerCase()) ? mask(s) : s;
    }
    const entry: JournalEntry = { ...e, headers, seq: ++this.seq, time: new Date().toISOString() };
    if (this.ring.length < this.limit) this.ring.push(entry);
    else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.limit;
    }
    return entry;
  }

  list(filter: { method?: string; pathPrefix?: string } = {}): JournalEntry[] {
    const inOrder = this.start === 0 ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    return inOrder.filter((e) => (!filter.method || e.method === filter.method.toUpperCase()) && (!filter.pathPrefix || e.path.startsWith(filter.pathPrefix)));
  }

  clear(): void {
    this.ring = [];
    this.start = 0;
  }
}

/** Keep the scheme ("Basic", "Bearer") so tests can see which auth was used, never the credential. */
function mask(v: string): string {
  const sp = v.indexOf(' ');
  return sp > 0 ? `${v.slice(0, sp)} ***` : '***';
}
