import { BlockList, isIP } from 'node:net';

/**
 * A set of networks from `address` or `address/bits` entries (IPv4 and IPv6). Node's BlockList also
 * matches IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) against IPv4 entries.
 */
export function networkList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const family = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, Number(bits), family);
  }
  return list;
}

export const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Is this literal address inside the list? */
export function inNetworks(list: BlockList, address: string): boolean {
  return list.check(address, familyOf(address));
}

/** `address` or `address/bits` with a valid prefix length: what config lists of networks accept. */
export function isAddressOrCidr(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** Host part of a URL's hostname: `[::1]` → `::1`. */
export const bareHost = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');
