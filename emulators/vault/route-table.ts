/**
 * The fake Vault's routes as near misses name them (emulators/shared/near-miss.ts): every mounted backend's path
 * patterns (the PathDefs it already routes with), each under its mount, with the HTTP methods its operations take
 * (http/logical.go: GET read, LIST or GET ?list=true list, POST/PUT create and update, DELETE, PATCH).
 */
import type { DeclaredRoute } from '../shared/near-miss.ts';
import { routePath } from './mounts.ts';
import type { PathDef } from './route-types.ts';
import type { VaultState } from './state.ts';

const METHODS: Record<string, string[]> = { read: ['GET'], list: ['LIST'], create: ['POST', 'PUT'], update: ['POST', 'PUT'], write: ['POST', 'PUT'], delete: ['DELETE'], patch: ['PATCH'] };

/** Every route the mounts serve now (mounts change at run time, so this is read when a miss needs it). */
export function vaultRouteTable(state: VaultState): DeclaredRoute[] {
  const out: DeclaredRoute[] = [];
  for (const mount of [...state.mounts.list('secret'), ...state.mounts.list('auth')]) {
    for (const def of mount.backend.paths) {
      for (const form of patternRoutes(def.pattern)) {
        const route = `/v1/${routePath(mount)}${form}`.replace(/\/+$/, '');
        for (const method of methodsOf(def)) out.push({ method, route });
      }
    }
  }
  return out;
}

function methodsOf(def: PathDef): string[] {
  return [...new Set(Object.keys(def.ops).flatMap((op) => METHODS[op] ?? []))];
}

/**
 * A path pattern (`^data/(?<path>.*)$`, `^role/(?<role_name>\w(?:[\w-.]*\w)?)/secret-id/?$`) as routes: a named
 * group becomes `:name` (`:name*` when it can span segments); an optional unnamed group gives two forms, without it
 * and with it (`^metadata(?:/(?<path>.*))?$` → `metadata`, `metadata/:path*`); anchors and an optional trailing slash go.
 */
export function patternRoutes(re: RegExp): string[] {
  return expand(re.source.replace(/^\^/, '').replace(/\$$/, '').replace(/\\?\/\?$/, '')).map(toRoute);
}

/** The source with each optional non-capturing group taken and left out. */
function expand(src: string): string[] {
  const at = optionalGroupAt(src);
  if (at < 0) return [src];
  const end = groupEnd(src, at);
  const inner = src.slice(at + 3, end);
  const optional = src[end + 1] === '?';
  const after = src.slice(end + (optional ? 2 : 1));
  const forms = [src.slice(0, at) + inner + after];
  if (optional) forms.unshift(src.slice(0, at) + after);
  return forms.flatMap(expand);
}

/** The first non-capturing group outside any named group (a named group is one parameter, whatever is inside). */
function optionalGroupAt(src: string): number {
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src.startsWith('(?<', i)) i = groupEnd(src, i);
    else if (src.startsWith('(?:', i)) return i;
  }
  return -1;
}

function toRoute(src: string): string {
  let out = '';
  for (let i = 0; i < src.length;) {
    if (src.startsWith('(?<', i) && src[i + 3] !== '=' && src[i + 3] !== '!') {
      const end = groupEnd(src, i);
      const name = /^\(\?<(\w+)>/.exec(src.slice(i))![1];
      const body = src.slice(i, end + 1);
      out += /\.[+*]/.test(body) ? `:${name}*` : `:${name}`;
      i = end + 1;
    } else if (src[i] === '\\') {
      out += src[i + 1];
      i += 2;
    } else {
      out += src[i];
      i++;
    }
  }
  return out;
}

/** The index of the parenthesis closing the group opened at `start`. */
function groupEnd(src: string, start: number): number {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === '(') depth++;
    else if (src[i] === ')' && --depth === 0) return i;
  }
  return src.length - 1;
}
