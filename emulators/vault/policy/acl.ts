/**
 * A token's ACL, built and evaluated as vault/acl.go does:
 *  - rules for the same pattern from several policies merge: capabilities add up, and `deny` wipes them;
 *  - an exact rule wins outright; otherwise the longest `*` prefix rule competes with the `+` segment-wildcard
 *    rules that match, and the most specific wins: the later first wildcard, then non-prefix over prefix, then
 *    fewer `+` segments, then the longer pattern, then the lexically greater one;
 *  - a list request ("a/b/") also tries the path without its trailing slash first;
 *  - `deny` on the winning rule refuses everything, and `sudo` is what root-protected paths need on top.
 * The `root` policy allows everything.
 */
import type { Capability, ParsedPolicy, PathRule } from './parse.ts';
import { clonePermissions, mergePermissions, requestAllowed, type Permissions } from './permissions.ts';

export type Op = 'read' | 'list' | 'create' | 'update' | 'delete' | 'patch';

export class Acl {
  readonly root: boolean;
  private readonly exact = new Map<string, Permissions>();
  private readonly prefix = new Map<string, Permissions>();
  private readonly segment = new Map<string, Permissions>();

  constructor(policies: (ParsedPolicy | 'root')[]) {
    this.root = policies.includes('root');
    for (const p of policies) {
      if (p === 'root') continue;
      for (const rule of p.rules) {
        if (rule.templated) continue;
        const table = rule.hasSegmentWildcards ? this.segment : rule.isPrefix ? this.prefix : this.exact;
        merge(table, rule);
      }
    }
  }

  /** The capabilities that apply to a request on `path` with `op` (empty when no rule matches). */
  capabilitiesFor(path: string, op: Op): Set<Capability> {
    return this.permissionsFor(path, op)?.caps ?? new Set();
  }

  /** Whether `op` is allowed on `path` (with the request's data and wrap TTL when given), and whether sudo is granted. */
  allows(path: string, op: Op, request?: { data: Record<string, unknown>; wrapTtl?: number }): { allowed: boolean; sudo: boolean } {
    if (this.root) return { allowed: true, sudo: true };
    const perm = this.permissionsFor(path, op);
    if (!perm || perm.caps.has('deny')) return { allowed: false, sudo: false };
    const sudo = perm.caps.has('sudo');
    if (!perm.caps.has(op)) return { allowed: false, sudo };
    return { allowed: !request || requestAllowed(perm, op, request.data, request.wrapTtl), sudo };
  }

  private permissionsFor(path: string, op: Op): Permissions | undefined {
    const p = path.replace(/^\/+/, '');
    const exact = this.exact.get(p) ?? (op === 'list' ? this.exact.get(p.replace(/\/$/, '')) : undefined);
    if (exact) return exact;
    if (op === 'list' && p.endsWith('/')) {
      const trimmed = this.nonExact(p.slice(0, -1));
      if (trimmed) return trimmed;
    }
    return this.nonExact(p);
  }

  /** sys/capabilities's answer for a path: sorted (vault/capabilities.go), "deny" when none, "root" for root. */
  capabilities(path: string): string[] {
    if (this.root) return ['root'];
    const caps = this.capabilitiesFor(path, 'list');
    if (caps.has('deny') || caps.size === 0) return ['deny'];
    return [...caps].sort();
  }

  /** Does any rule grant something (not deny) at or under `prefix`? (sys/internal/ui/mounts's preflight check.) */
  grantsUnder(prefix: string): boolean {
    if (this.root) return true;
    const tables = [this.exact, this.prefix, this.segment];
    for (const t of tables) {
      for (const [pattern, { caps }] of t) {
        if (caps.has('deny') || caps.size === 0) continue;
        const literal = pattern.split('+')[0].replace(/\*$/, '');
        if (literal.startsWith(prefix) || prefix.startsWith(literal)) return true;
      }
    }
    return false;
  }

  private nonExact(path: string): Permissions | undefined {
    interface Candidate { firstWildcard: number; isPrefix: boolean; wildcards: number; pattern: string; caps: Permissions }
    const candidates: Candidate[] = [];
    let longest: string | undefined;
    for (const pattern of this.prefix.keys()) if (path.startsWith(pattern) && (longest === undefined || pattern.length > longest.length)) longest = pattern;
    if (longest !== undefined) {
      if (this.segment.size === 0) return this.prefix.get(longest);
      candidates.push({ firstWildcard: longest.length, isPrefix: true, wildcards: 0, pattern: longest, caps: this.prefix.get(longest)! });
    }
    const parts = path.split('/');
    for (const [full, caps] of this.segment) {
      const isPrefix = full.endsWith('*');
      const pattern = isPrefix ? full.slice(0, -1) : full;
      const segs = pattern.split('/');
      if (parts.length < segs.length || (!isPrefix && parts.length !== segs.length)) continue;
      let wildcards = 0;
      const ok = segs.every((seg, i) => {
        if (seg === '+') return ++wildcards > 0;
        if (seg === parts[i]) return true;
        return isPrefix && i === segs.length - 1 && parts[i].startsWith(seg);
      });
      if (ok) candidates.push({ firstWildcard: full.indexOf('+'), isPrefix, wildcards, pattern, caps });
    }
    if (!candidates.length) return undefined;
    // acl.go CheckAllowedFromNonExactPaths: sort ascending by priority and take the last.
    candidates.sort((a, b) =>
      a.firstWildcard - b.firstWildcard
      || Number(b.isPrefix) - Number(a.isPrefix)
      || b.wildcards - a.wildcards
      || a.pattern.length - b.pattern.length
      || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0));
    return candidates[candidates.length - 1].caps;
  }
}

function merge(table: Map<string, Permissions>, rule: PathRule): void {
  const existing = table.get(rule.path);
  if (existing) mergePermissions(existing, rule.permissions);
  else table.set(rule.path, clonePermissions(rule.permissions));
}
