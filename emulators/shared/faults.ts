/**
 * Fault injection shared by every fake: answer the next N matching requests (or a share of them) with a status,
 * a delay, a 429 + Retry-After, or a dropped connection.
 */
export interface FaultSpec {
  /** HTTP status to answer with (e.g. 500, 503, 429). Omit with `latencyMs` alone to only delay. */
  status?: number;
  /** Body to send with the status; defaults to an error in the emulator's shape. The AWS edge sends a string as it is (S3's XML). */
  body?: unknown;
  latencyMs?: number;
  /** Seconds, sent as Retry-After (defaults to 1 for 429). */
  retryAfter?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** How many matching requests to affect (default 1). `ratio` instead affects a share of them, forever. */
  count?: number;
  ratio?: number;
  match?: { method?: string; path?: string };
}

export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number | null;
  hits: number;
}

export class Faults {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  constructor(private readonly random: () => number = Math.random) {}

  add(spec: FaultSpec): ActiveFault {
    const errs = validateFault(spec);
    if (errs.length) throw new Error(errs.join('; '));
    const f: ActiveFault = { ...spec, id: this.nextId++, remaining: spec.ratio !== undefined ? null : spec.count ?? 1, hits: 0 };
    this.faults.push(f);
    return f;
  }

  list(): ActiveFault[] {
    return [...this.faults];
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault that applies to this request, if any (consumes one use). */
  take(method: string, path: string): ActiveFault | undefined {
    for (const f of this.faults) {
      if (f.match?.method && f.match.method.toUpperCase() !== method.toUpperCase()) continue;
      if (f.match?.path && !matchPath(f.match.path, path)) continue;
      if (f.ratio !== undefined) {
        if (this.random() >= f.ratio) continue;
      } else if ((f.remaining ?? 0) <= 0) continue;
      f.hits++;
      if (f.remaining !== null) f.remaining--;
      this.faults = this.faults.filter((x) => x.remaining === null || x.remaining > 0);
      return f;
    }
    return undefined;
  }
}

/** A path matcher is a prefix, or a regular expression written as /…/. */
function matchPath(pattern: string, path: string): boolean {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/') && pattern !== '/') {
    try {
      return new RegExp(pattern.slice(1, -1)).test(path);
    } catch {
      return false;
    }
  }
  return path.startsWith(pattern);
}

export function validateFault(spec: FaultSpec): string[] {
  const errs: string[] = [];
  if (spec === null || typeof spec !== 'object') return ['fault must be a JSON object'];
  if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)) errs.push('status must be an integer 100-599');
  if (spec.latencyMs !== undefined && (typeof spec.latencyMs !== 'number' || spec.latencyMs < 0 || spec.latencyMs > 120_000)) errs.push('latencyMs must be 0-120000');
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) errs.push('count must be a positive integer');
  if (spec.ratio !== undefined && (typeof spec.ratio !== 'number' || spec.ratio <= 0 || spec.ratio > 1)) errs.push('ratio must be in (0, 1]');
  if (spec.retryAfter !== undefined && (typeof spec.retryAfter !== 'number' || spec.retryAfter < 0)) errs.push('retryAfter must be a non-negative number');
  if (spec.status === undefined && spec.latencyMs === undefined && !spec.drop) errs.push('a fault needs status, latencyMs or drop');
  if (spec.drop !== undefined && typeof spec.drop !== 'boolean') errs.push('drop must be a boolean');
  // `take` runs on every request: a match that is not two optional strings would make every request throw.
  const m = spec.match as unknown;
  if (m !== undefined && (m === null || typeof m !== 'object' || Array.isArray(m))) errs.push('match must be an object');
  else if (m !== undefined) {
    const { method, path } = m as Record<string, unknown>;
    if (method !== undefined && typeof method !== 'string') errs.push('match.method must be a string');
    if (path !== undefined && typeof path !== 'string') errs.push('match.path must be a string');
  }
  return errs;
}
