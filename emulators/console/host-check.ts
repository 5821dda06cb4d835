/**
 * DNS rebinding guard. The console reveals secrets and resets the stack, and binds a loopback address; a web page
 * on any site can still reach it by making its own hostname resolve to 127.0.0.1 after the page loaded, and the
 * browser then treats the console as that site's own origin. What such a request cannot change is its Host header:
 * it names the attacker's hostname. So the console answers only a Host that is an IP address, `localhost` or a
 * name under `.localhost` (which resolve to loopback by RFC 6761 and cannot be re-pointed by a site), or a name the
 * user allowed in CONSOLE_ALLOWED_HOSTS — the rule of Vite's `server.allowedHosts` and webpack-dev-server's
 * `allowedHosts`.
 */
import net from 'node:net';

/** The host part of a Host header (`[::1]:4050` → `::1`, `Example.test.:80` → `example.test`), or undefined. */
function hostnameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::\d*)?$/.exec(h);
    return m?.[1];
  }
  const name = h.replace(/:\d*$/, '');
  return name.replace(/\.$/, '') || undefined;
}

/** Whether a request with this Host header may be answered. `allowed`: extra hostnames (a leading dot: and subdomains). */
export function hostAllowed(header: string | undefined, allowed: readonly string[] = []): boolean {
  const name = hostnameOf(header);
  if (!name) return false;
  if (net.isIP(name)) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.some((a) => {
    const rule = a.trim().toLowerCase().replace(/\.$/, '');
    return rule.startsWith('.') ? name === rule.slice(1) || name.endsWith(rule) : name === rule;
  });
}

/** CONSOLE_ALLOWED_HOSTS: comma-separated hostnames (`.example.test` allows its subdomains too). */
export const allowedHostsFrom = (env: Record<string, string | undefined>): string[] =>
  (env.CONSOLE_ALLOWED_HOSTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
