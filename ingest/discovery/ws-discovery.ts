import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Logger } from 'pino';
import type { ProbeTarget } from './discovery-targets.ts';
import { WS_DISCOVERY_PORT } from './discovery-targets.ts';
import { parseProbeMatches, type DiscoveredDevice } from './probe-match.ts';

export const WS_DISCOVERY_MULTICAST = '239.255.255.250';
/** A ProbeMatch is a few KB; anything near a full datagram is padding, not a camera. */
export const MAX_DISCOVERY_REPLY_BYTES = 32 * 1024;

export interface ProbeOptions {
  targets: ProbeTarget[];
  /** Also probe the multicast group (best effort: errors are logged, not thrown). */
  multicast: boolean;
  /** The listening window; replies after it are not read. */
  timeoutMs: number;
  maxReplyBytes?: number;
  /** Local IPv4 address whose interface carries the multicast probe (default: the system's choice). */
  multicastInterface?: string;
  log?: Pick<Logger, 'warn' | 'info' | 'debug'>;
}

export interface ProbeResult {
  messageId: string;
  devices: DiscoveredDevice[];
  rejected: Array<{ from: string; reason: string }>;
}

/**
 * One WS-Discovery Probe (types dn:NetworkVideoTransmitter) sent to the multicast group and every unicast
 * target from one UDP socket; ProbeMatches are collected for the window. Only replies that relate to our
 * MessageID are accepted; everything else is rejected with a log line and never stops the scan. Without
 * multicast the window ends early once every unicast target has answered.
 */
export function probe(options: ProbeOptions): Promise<ProbeResult> {
  const messageId = `urn:uuid:${randomUUID()}`;
  const maxBytes = options.maxReplyBytes ?? MAX_DISCOVERY_REPLY_BYTES;
  const devices = new Map<string, DiscoveredDevice>();
  const rejected: ProbeResult['rejected'] = [];
  const answered = new Set<string>();
  const message = Buffer.from(probeMessage(messageId));
  const socket = createSocket({ type: 'udp4' });

  return new Promise<ProbeResult>((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(window);
      socket.close();
      resolve({ messageId, devices: [...devices.values()], rejected });
    };
    const window = setTimeout(finish, options.timeoutMs);
    const refuse = (from: string, reason: string) => {
      rejected.push({ from, reason });
      options.log?.warn({ from, reason }, 'discovery reply rejected');
    };

    socket.on('error', (error) => {
      options.log?.warn({ err: error }, 'discovery socket error');
      finish();
    });
    socket.on('message', (reply, sender) => {
      const from = `${sender.address}:${sender.port}`;
      answered.add(from);
      if (reply.length > maxBytes) refuse(from, `reply of ${reply.length} bytes exceeds ${maxBytes}`);
      else {
        try {
          for (const device of parseProbeMatches(reply.toString('utf8'), messageId, from)) devices.set(device.endpointRef, device);
        } catch (error) {
          refuse(from, (error as Error).message);
        }
      }
      if (!options.multicast && options.targets.length > 0 && options.targets.every((t) => answered.has(`${t.host}:${t.port}`))) finish();
    });
    socket.bind(0, () => {
      if (options.multicast) {
        if (options.multicastInterface) socket.setMulticastInterface(options.multicastInterface);
        socket.send(message, WS_DISCOVERY_PORT, WS_DISCOVERY_MULTICAST, (error) => {
          if (error) options.log?.warn({ err: error }, 'multicast probe not sent');
        });
      }
      for (const target of options.targets) {
        socket.send(message, target.port, target.host, (error) => {
          if (error) refuse(`${target.host}:${target.port}`, `probe not sent: ${error.message}`);
        });
      }
    });
  });
}

function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>' +
    '<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>' +
    `<a:MessageID>${messageId}</a:MessageID>` +
    '<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>' +
    '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  );
}
