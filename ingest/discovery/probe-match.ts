import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { child, children, parseXmlSafely, path, text } from '../onvif/safe-xml.ts';

export interface DiscoveredDevice {
  /** wsa:EndpointReference/Address: the device's identity across address changes. */
  endpointRef: string;
  /** First http(s) XAddr: the device service URL. */
  xaddr: string;
  name: string | null;
  hardware: string | null;
  locations: string[];
  /** host:port the reply came from (for logs). */
  from: string;
}

/**
 * Validates one WS-Discovery reply against the probe we sent and returns its devices. Throws a DomainError
 * whose message is the reason, for the log: not XML/not WS-Discovery, DOCTYPE, malformed, RelatesTo
 * not our MessageID, no ONVIF video device type, no usable XAddr, XAddr on another host than the sender.
 * `from` is the sender as `address:port`.
 */
export function parseProbeMatches(xml: string, messageId: string, from: string): DiscoveredDevice[] {
  if (!xml.trimStart().startsWith('<')) throw reject('not a WS-Discovery reply (not XML)');
  const senderHost = from.slice(0, from.lastIndexOf(':'));
  const document = parseXmlSafely(xml, 'discovery reply');
  const envelope = child(document, 'Envelope');
  const relatesTo = text(path(envelope, 'Header'), 'RelatesTo');
  if (relatesTo === undefined) throw reject('not a WS-Discovery reply (no RelatesTo)');
  if (relatesTo.trim() !== messageId) throw reject(`RelatesTo ${relatesTo.slice(0, 60)} does not match our probe ${messageId}`);
  const matches = children(path(envelope, 'Body', 'ProbeMatches'), 'ProbeMatch');
  if (matches.length === 0) throw reject('not a WS-Discovery ProbeMatches reply');
  const devices: DiscoveredDevice[] = [];
  for (const match of matches) {
    const endpointRef = text(child(match, 'EndpointReference'), 'Address')?.trim();
    const types = (text(match, 'Types') ?? '').split(/\s+/).map((type) => type.split(':').pop());
    if (!endpointRef || endpointRef.length > 200) throw reject('ProbeMatch without a usable EndpointReference');
    if (!types.includes('NetworkVideoTransmitter')) throw reject('not an ONVIF video device (no NetworkVideoTransmitter type)');
    const xaddrs = (text(match, 'XAddrs') ?? '').split(/\s+/).filter(isHttpUrl);
    if (xaddrs.length === 0) throw reject('ProbeMatch without an http(s) XAddr');
    // The device service must be on the host that answered: a responder cannot point us (and later the
    // adoption credentials) at some other machine.
    const xaddr = xaddrs.find((x) => new URL(x).hostname === senderHost);
    if (!xaddr) throw reject(`XAddr ${new URL(xaddrs[0]!).host} is not the responding host ${senderHost}`);
    const scopes = (text(match, 'Scopes') ?? '').split(/\s+/).filter(Boolean);
    devices.push({ endpointRef, xaddr, name: scope(scopes, 'name')[0] ?? null, hardware: scope(scopes, 'hardware')[0] ?? null, locations: scope(scopes, 'location'), from });
  }
  return devices;
}

function scope(scopes: string[], kind: string): string[] {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  return scopes.filter((s) => s.toLowerCase().startsWith(prefix.toLowerCase())).map((s) => {
    try { return decodeURIComponent(s.slice(prefix.length)).slice(0, 200); } catch { return s.slice(prefix.length, prefix.length + 200); }
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && value.length <= 2048;
  } catch {
    return false;
  }
}

const reject = (reason: string) => new DomainError('DISCOVERY_REPLY_REJECTED', reason);
