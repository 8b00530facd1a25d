import { lookup } from 'node:dns/promises';
import { isIP, isIPv4 } from 'node:net';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { inNetworks, networkList } from '../../api/kernel/http/network-list.ts';

export interface ProbeTarget {
  host: string;
  port: number;
}

export const WS_DISCOVERY_PORT = 3702;
/** A /20 at most: a scan is a targeted action, not a sweep of the whole network. */
const MAX_ADDRESSES = 4096;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/;

/**
 * Unicast probe targets from `host`, `host:port`, `a.b.c.d/nn` or `a.b.c.d/nn:port` (every address of the
 * range, port 3702 unless given). Throws DISCOVERY_TARGET_INVALID / DISCOVERY_RANGE_TOO_LARGE (400).
 */
export function parseTargets(specs: readonly string[]): ProbeTarget[] {
  const targets = new Map<string, ProbeTarget>();
  for (const spec of specs) {
    for (const target of parseTarget(spec.trim())) targets.set(`${target.host}:${target.port}`, target);
    if (targets.size > MAX_ADDRESSES) throw new DomainError('DISCOVERY_RANGE_TOO_LARGE', `at most ${MAX_ADDRESSES} addresses per scan`);
  }
  return [...targets.values()];
}

function parseTarget(spec: string): ProbeTarget[] {
  const invalid = () => new DomainError('DISCOVERY_TARGET_INVALID', `"${spec.slice(0, 80)}" is not a host, host:port or IPv4 CIDR range`);
  const match = /^([^:/\s]+)(?:\/(\d{1,2}))?(?::(\d{1,5}))?$/.exec(spec);
  if (!match) throw invalid();
  const [, host, prefixText, portText] = match as unknown as [string, string, string | undefined, string | undefined];
  const port = portText === undefined ? WS_DISCOVERY_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw invalid();
  if (prefixText === undefined) {
    if (!isIPv4(host) && !HOSTNAME.test(host)) throw invalid();
    return [{ host, port }];
  }
  if (!isIPv4(host)) throw invalid();
  const prefix = Number(prefixText);
  if (prefix < 0 || prefix > 32) throw invalid();
  const size = 2 ** (32 - prefix);
  if (size > MAX_ADDRESSES) throw new DomainError('DISCOVERY_RANGE_TOO_LARGE', `range ${spec} has ${size} addresses; at most ${MAX_ADDRESSES} per scan`);
  const base = (ipToNumber(host) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0)) >>> 0;
  return Array.from({ length: size }, (_, i) => ({ host: numberToIp(base + i), port }));
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}

function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/**
 * Issue 13 #7: unicast targets must lie in the configured camera networks (`ingest.discovery.allowedNetworks`)
 * and be at most `maxTargets`. Host names are resolved here and replaced by their address, so the datagram
 * goes where the check looked. Returns the targets and the networks they fall in (for the audit trail).
 * Throws DISCOVERY_RANGE_TOO_LARGE / DISCOVERY_TARGET_NOT_ALLOWED (400).
 */
export async function confineTargets(
  targets: readonly ProbeTarget[],
  allowedNetworks: readonly string[],
  maxTargets: number,
  resolve: (host: string) => Promise<string> = async (host) => (await lookup(host)).address,
): Promise<{ targets: ProbeTarget[]; networks: string[] }> {
  if (targets.length > maxTargets) throw new DomainError('DISCOVERY_RANGE_TOO_LARGE', `${targets.length} addresses; at most ${maxTargets} per scan (ingest.discovery.maxTargets)`);
  const networks = allowedNetworks.map((entry) => ({ entry, list: networkList([entry]) }));
  const touched = new Set<string>();
  const confined: ProbeTarget[] = [];
  for (const target of targets) {
    let address = target.host;
    if (isIP(address) === 0) {
      try {
        address = await resolve(target.host);
      } catch (cause) {
        throw new DomainError('DISCOVERY_TARGET_INVALID', `${target.host.slice(0, 80)} does not resolve`, { cause });
      }
    }
    const network = networks.find((n) => inNetworks(n.list, address));
    if (!network) {
      throw new DomainError('DISCOVERY_TARGET_NOT_ALLOWED', `${target.host.slice(0, 80)} (${address}) is outside the camera networks this hub may scan (ingest.discovery.allowedNetworks)`);
    }
    touched.add(network.entry);
    confined.push({ host: address, port: target.port });
  }
  return { targets: confined, networks: [...touched] };
}
