import { BlockList, isIP } from 'node:net';
import { invalid } from '../errors.ts';

/** Parses `a.b.c.d/nn` or an IPv6 CIDR (a bare address means a single host); throws naming the bad entry. */
export function parseCidrs(cidrs: unknown): string[] {
  if (!Array.isArray(cidrs)) throw invalid('cidrs: must be an array of CIDR strings');
  return cidrs.map((entry, i) => {
    if (typeof entry !== 'string') throw invalid(`cidrs[${i}]: must be a string`);
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const max = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max))) {
      throw invalid(`cidrs[${i}]: "${entry}" is not an IPv4 or IPv6 CIDR`);
    }
    return prefix === undefined ? `${address}/${max}` : entry;
  });
}

/** An empty list allows every address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match IPv4 entries. */
export function ipAllowed(ip: string, cidrs: string[]): boolean {
  if (cidrs.length === 0) return true;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped?.[1] ?? ip;
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
