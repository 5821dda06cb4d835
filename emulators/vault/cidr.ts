/**
 * CIDR blocks as Vault binds tokens and secret_ids to them (sdk/helper/cidrutil, go-sockaddr): an IPv4 or IPv6
 * address with an optional prefix length, a client address inside any of them, and the way a lookup prints one.
 */
import net from 'node:net';

/** The client address as Go's RemoteAddr host: Node's IPv4-mapped IPv6 form ("::ffff:127.0.0.1") unwrapped. */
export const clientIp = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

function parse(cidr: string): { addr: string; bits: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [addr, bits, extra] = cidr.trim().split('/');
  const version = net.isIP(addr);
  if (extra !== undefined || version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return undefined;
  const n = bits === undefined ? max : Number(bits);
  return n <= max ? { addr, bits: n, family: version === 4 ? 'ipv4' : 'ipv6' } : undefined;
}

export const isCidr = (s: string): boolean => parse(s) !== undefined;

/** cidrutil.RemoteAddrIsOk: is the address inside any of the blocks (none: anything goes)? */
export function inCidrs(address: string, cidrs: string[]): boolean {
  if (cidrs.length === 0) return true;
  const ip = clientIp(address);
  const version = net.isIP(ip);
  if (version === 0) return false;
  const list = new net.BlockList();
  for (const c of cidrs) {
    const p = parse(c);
    if (p) list.addSubnet(p.addr, p.bits, p.family);
  }
  return list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}

/** go-sockaddr's String(): a single-host block prints as the bare address, any other with its prefix length. */
export function cidrText(cidr: string): string {
  const p = parse(cidr);
  if (!p) return cidr;
  return p.bits === (p.family === 'ipv4' ? 32 : 128) ? p.addr : `${p.addr}/${p.bits}`;
}
