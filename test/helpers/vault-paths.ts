/** Every backend of the fake Vault at the mount the tests use, and a concrete request path for each path pattern. */
import type { BackendDef, PathDef } from '../../emulators/vault/route-types.ts';
import { SYS_BACKEND } from '../../emulators/vault/sys/index.ts';
import { APPROLE_BACKEND } from '../../emulators/vault/auth/approle-routes.ts';
import { USERPASS_BACKEND } from '../../emulators/vault/auth/userpass-routes.ts';
import { TOKEN_BACKEND } from '../../emulators/vault/tokens/routes.ts';
import { KV1_BACKEND, KV2_BACKEND } from '../../emulators/vault/secrets/kv-routes.ts';
import { TRANSIT_BACKEND } from '../../emulators/vault/secrets/transit-routes.ts';
import { CUBBYHOLE_BACKEND } from '../../emulators/vault/secrets/cubbyhole.ts';

/** Where each backend is mounted (the seed's mounts; transit and userpass must be enabled there first). */
export const MOUNTED: [string, BackendDef][] = [
  ['sys/', SYS_BACKEND], ['auth/approle/', APPROLE_BACKEND], ['auth/userpass/', USERPASS_BACKEND], ['auth/token/', TOKEN_BACKEND],
  ['secret/', KV2_BACKEND], ['kv/', KV1_BACKEND], ['transit/', TRANSIT_BACKEND], ['cubbyhole/', CUBBYHOLE_BACKEND],
];

/** A concrete path for a pattern: named groups become "fuzz" (or their first alternative), optional parts are kept. */
export function samplePath(def: PathDef): string {
  let s = def.pattern.source.replace(/^\^/, '').replace(/\$$/, '');
  const group = (from: string, fill: (body: string) => string): boolean => {
    const start = s.indexOf(from);
    if (start < 0) return false;
    let depth = 0;
    let end = start;
    for (; end < s.length; end++) {
      if (s[end] === '\\') end++;
      else if (s[end] === '(') depth++;
      else if (s[end] === ')' && --depth === 0) break;
    }
    const optional = s[end + 1] === '?';
    s = s.slice(0, start) + fill(s.slice(start + from.length, end)) + s.slice(end + (optional ? 2 : 1));
    return true;
  };
  while (group('(?<', (body) => {
    const inner = body.slice(body.indexOf('>') + 1);
    return /^[a-z]+(\|[a-z]+)+$/.test(inner) ? inner.split('|')[0] : 'fuzz';
  }));
  while (group('(?:', (body) => body));
  return s.replace(/\\\/\?$/, '').replace(/\\\//g, '/');
}

