import { randomUUID } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { billionLaughs, malformXml, nonOnvifUdpReply, OVERSIZE_UDP_BYTES, type OnvifDeviceMode } from './hostile-output.ts';
import { envelope, escapeXml as x, parseSoapRequest, text } from './onvif-soap.ts';

export const WS_DISCOVERY_MULTICAST = { address: '239.255.255.250', port: 3702 } as const;
const PROBE_ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe';
const PROBE_MATCHES_ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches';
const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
const OUR_TYPES = ['NetworkVideoTransmitter', 'Device'];
const MAX_PROBE_BYTES = 16 * 1024;
/** In `trickle` mode a ProbeMatch arrives this late: after any sensible discovery window. */
export const TRICKLE_UDP_DELAY_MS = 5_000;

export interface DiscoveryIdentity {
  endpointUuid: string;
  xaddr: string;
  scopes: string[];
  httpPort: number;
}

/**
 * Answers WS-Discovery Probes with a ProbeMatch. Binds a free UDP port on 127.0.0.1 so many devices can run
 * on one machine (clients probe host:port directly); optionally also joins the standard multicast group.
 * Only loopback senders get an answer.
 */
export class WsDiscoveryResponder {
  private readonly sockets: Socket[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private messageNumber = 0;
  port = 0;
  multicastJoined = false;

  constructor(
    private readonly identity: DiscoveryIdentity,
    private readonly mode: () => OnvifDeviceMode,
  ) {}

  async start(multicast = false): Promise<void> {
    const unicast = createSocket({ type: 'udp4' });
    await bind(unicast, 0, '127.0.0.1');
    this.port = unicast.address().port;
    this.listen(unicast);
    if (!multicast) return;
    const group = createSocket({ type: 'udp4', reuseAddr: true });
    try {
      await bind(group, WS_DISCOVERY_MULTICAST.port, '0.0.0.0');
      group.addMembership(WS_DISCOVERY_MULTICAST.address, '127.0.0.1');
      this.listen(group);
      this.multicastJoined = true;
    } catch {
      // 3702 taken or multicast unavailable on loopback: unicast discovery still works.
      group.close();
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.sockets.splice(0).map((socket) => new Promise<void>((done) => socket.close(() => done()))));
  }

  private listen(socket: Socket): void {
    this.sockets.push(socket);
    socket.on('error', () => {});
    socket.on('message', (message, sender) => this.onMessage(socket, message, sender));
  }

  private onMessage(socket: Socket, message: Buffer, sender: RemoteInfo): void {
    if (!sender.address.startsWith('127.') || message.length > MAX_PROBE_BYTES) return;
    const mode = this.mode();
    if (mode === 'offline') return;
    let probe: { messageId: string; types: string[] };
    try {
      probe = parseProbe(message.toString('utf8'));
    } catch {
      return; // not a Probe
    }
    if (probe.types.length > 0 && !probe.types.some((type) => OUR_TYPES.includes(type.split(':').pop()!))) return;
    const reply = Buffer.from(this.reply(mode, probe.messageId));
    const send = () => socket.send(reply, sender.port, sender.address, () => {});
    if (mode !== 'trickle') return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, TRICKLE_UDP_DELAY_MS);
    this.timers.add(timer);
  }

  private reply(mode: OnvifDeviceMode, relatesTo: string): string {
    if (mode === 'non-onvif') return nonOnvifUdpReply(this.identity.httpPort);
    const related = mode === 'wrong-relates-to' ? `urn:uuid:${randomUUID()}` : relatesTo;
    let scopes = this.identity.scopes.join(' ');
    if (mode === 'oversize') {
      const base = this.probeMatch(related, scopes).length;
      scopes += ` onvif://www.onvif.org/padding/${'x'.repeat(Math.max(0, OVERSIZE_UDP_BYTES - base - 40))}`;
    }
    const xml = this.probeMatch(related, scopes);
    if (mode === 'malformed-xml') return malformXml(xml);
    if (mode === 'doctype-entity') return billionLaughs(xml, /<d:XAddrs>/);
    return xml;
  }

  private probeMatch(relatesTo: string, scopes: string): string {
    const { endpointUuid, xaddr } = this.identity;
    const header =
      `<wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${x(relatesTo)}</wsa:RelatesTo>` +
      `<wsa:To>${ANONYMOUS}</wsa:To><wsa:Action>${PROBE_MATCHES_ACTION}</wsa:Action>` +
      `<d:AppSequence InstanceId="1" MessageNumber="${++this.messageNumber}"/>`;
    const body =
      `<d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:${endpointUuid}</wsa:Address></wsa:EndpointReference>` +
      `<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>${x(scopes)}</d:Scopes>` +
      `<d:XAddrs>${x(xaddr)}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches>`;
    return envelope(body, header);
  }
}

function parseProbe(xml: string): { messageId: string; types: string[] } {
  const request = parseSoapRequest(xml);
  const action = text(request.header, 'Action');
  const messageId = text(request.header, 'MessageID');
  if (request.operation !== 'Probe' || (action !== undefined && action !== PROBE_ACTION) || !messageId) {
    throw new Error('not a WS-Discovery Probe');
  }
  const types = (text(request.args, 'Types') ?? '').split(/\s+/).filter(Boolean);
  return { messageId, types };
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
