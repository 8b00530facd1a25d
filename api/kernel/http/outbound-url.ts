import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HubError } from '../errors/hub-error.ts';
import { bareHost, inNetworks, networkList } from './network-list.ts';

/** Never a destination, allowlisted or not: unspecified, multicast, broadcast and reserved addresses. */
const NEVER = networkList(['0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '::/128', 'ff00::/8']);

/**
 * The hub's own host and networks behind it: loopback, link-local (cloud metadata at 169.254.169.254),
 * private, shared (CGNAT), benchmark and unique-local ranges, NAT64. Refused unless allowlisted.
 */
const INTERNAL = networkList([
  '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '192.0.0.0/24', '198.18.0.0/15',
  '::1/128', 'fe80::/10', 'fc00::/7', '64:ff9b::/96', '64:ff9b:1::/48',
]);

export type OutboundRefusal = 'OUTBOUND_URL_INVALID' | 'OUTBOUND_URL_NOT_ALLOWED';

/**
 * Issue 13 #9 (blind SSRF): the one check every outbound fetch or push of a URL a user set goes through
 * (camera snapshot URIs, webhook and subscription receivers). The host is resolved (every address DNS
 * gives, so a name that resolves to loopback or a private address is caught as well as `0x7f000001`,
 * `[::1]` or `::ffff:127.0.0.1`) and each address must be public, or inside `http.outboundAllowedNetworks`.
 * Callers check again before every request and follow no redirects (a redirect is a new, unchecked URL).
 */
export class OutboundUrlGuard {
  private readonly allowed;

  constructor(allowedNetworks: readonly string[], private readonly resolve: (host: string) => Promise<string[]> = resolveAll) {
    this.allowed = networkList(allowedNetworks);
  }

  /** Resolves and checks `raw`; returns the parsed URL and the addresses it resolved to. Throws 400 HubErrors. */
  async check(raw: string): Promise<{ url: URL; addresses: string[] }> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refusal('OUTBOUND_URL_INVALID', 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refusal('OUTBOUND_URL_INVALID', `${url.protocol} is not http(s)`);
    const host = bareHost(url.hostname);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.resolve(host);
    } catch (cause) {
      throw new HubError('OUTBOUND_URL_UNRESOLVED', `${host} does not resolve`, 400, { cause });
    }
    if (addresses.length === 0) throw new HubError('OUTBOUND_URL_UNRESOLVED', `${host} does not resolve`, 400);
    for (const address of addresses) {
      const why = this.refusalOf(address);
      if (why) throw refusal('OUTBOUND_URL_NOT_ALLOWED', `${host} resolves to ${address} (${why}); the hub does not send requests there`);
    }
    return { url, addresses };
  }

  /** Why this address may not be contacted, or undefined when it may. */
  refusalOf(address: string): string | undefined {
    if (inNetworks(NEVER, address)) return 'unspecified, multicast or reserved';
    if (inNetworks(this.allowed, address)) return undefined;
    if (inNetworks(INTERNAL, address)) return 'loopback, link-local or private, and not in http.outboundAllowedNetworks';
    return undefined;
  }
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
}

const refusal = (code: OutboundRefusal, message: string) => new HubError(code, message, 400);
