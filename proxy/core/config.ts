/**
 * Configuration: read once from the environment (and, for secret values, the secret chain), validated at start
 * with an error that names every missing or malformed variable. Route groups add their own typed sections.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  /** Deployment stage name ("local", "dev", "prod"). */
  stage: string;
  maxBodyBytes: number;
  /** Sections owned by route groups, e.g. `customerio`. */
  [section: string]: unknown;
}

/** Collects problems while reading variables, then throws them all at once. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Record<string, string | undefined>) {}

  optional(name: string, fallback?: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? fallback : v;
  }

  required(name: string, why?: string): string {
    const v = this.optional(name);
    if (v === undefined) {
      this.problems.push(`${name} is required${why ? ` (${why})` : ''}`);
      return '';
    }
    return v;
  }

  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.optional(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max}, got "${v}"`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.optional(name);
    if (v === undefined) return fallback;
    const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (!hit) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
      return fallback;
    }
    return hit;
  }

  /** A comma-separated list (blanks dropped); empty when unset. */
  list(name: string): string[] {
    return (this.optional(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  }

  url(name: string, fallback?: string): string | undefined {
    const v = this.optional(name, fallback);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!/^https?:$/.test(u.protocol)) throw new Error('scheme');
    } catch {
      this.problems.push(`${name} must be an http(s) URL, got "${v}"`);
    }
    return v;
  }

  done(): void {
    if (this.problems.length) throw new ConfigError(this.problems);
  }
}
