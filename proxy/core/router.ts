import type { RouteDef } from './types.ts';

/** What the router needs of a route; the proxy's `RouteDef` by default, any table's row (the console's) otherwise. */
export interface Routable {
  method: string;
  path: string;
}

interface Compiled<R extends Routable> {
  def: R;
  segments: string[];
}

export type Match<R extends Routable = RouteDef> =
  | { kind: 'found'; route: R; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

/** A small table router: `:name` segments capture one path segment (percent-decoded). */
export class Router<R extends Routable = RouteDef> {
  private readonly routes: Compiled<R>[] = [];

  constructor(defs: R[] = []) {
    for (const d of defs) this.add(d);
  }

  add(def: R): void {
    this.routes.push({ def: { ...def, method: def.method.toUpperCase() }, segments: split(def.path) });
  }

  list(): R[] {
    return this.routes.map((r) => r.def);
  }

  match(method: string, path: string): Match<R> {
    const parts = split(path);
    const allow = new Set<string>();
    for (const r of this.routes) {
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      if (r.def.method === method.toUpperCase() || (method.toUpperCase() === 'HEAD' && r.def.method === 'GET')) {
        return { kind: 'found', route: r.def, params };
      }
      allow.add(r.def.method);
    }
    return allow.size ? { kind: 'method_not_allowed', allow: [...allow] } : { kind: 'not_found' };
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return null;
      }
      params[p.slice(1)] = value;
    } else if (p !== parts[i]) {
      return null;
    }
  }
  return params;
}
