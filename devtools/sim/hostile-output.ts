import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';

/** How a simulated device behaves; the hostile modes are what a hub must survive from a real network. */
export type OnvifDeviceMode =
  | 'normal'
  | 'malformed-xml'
  | 'wrong-relates-to'
  | 'doctype-entity'
  | 'oversize'
  | 'trickle'
  | 'non-onvif'
  | 'offline';

export const ONVIF_DEVICE_MODES: readonly OnvifDeviceMode[] = [
  'normal', 'malformed-xml', 'wrong-relates-to', 'doctype-entity', 'oversize', 'trickle', 'non-onvif', 'offline',
];

/** Default size of an `oversize` HTTP body: streamed lazily, never held in memory. */
export const OVERSIZE_HTTP_BYTES = 200 * 1024 * 1024;
/** An `oversize` UDP reply fills a datagram to near the IPv4 maximum (65,507 bytes). */
export const OVERSIZE_UDP_BYTES = 65_000;

/** The document cut in the middle and ended by an unterminated tag: not well-formed. */
export function malformXml(xml: string): string {
  return `${xml.slice(0, Math.floor(xml.length * 0.6))}<tt:Broken attr="unterminated></`;
}

/**
 * The billion-laughs DOCTYPE: ten levels of ten-fold entity references (10^9 "lol"s, about 3 GB if
 * expanded), referenced from inside the document so a parser that expands entities blows up.
 */
export function billionLaughs(xml: string, referenceAt: RegExp): string {
  const levels = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  const doctype = `<!DOCTYPE lolz [${levels.join('')}]>`;
  const withoutDeclaration = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const poisoned = withoutDeclaration.replace(referenceAt, (match) => `${match}&lol9;`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${doctype}\n${poisoned}`;
}

/** `prefix`, then filler up to `totalBytes`, then `suffix`; chunks are made on demand from one buffer. */
export function oversizeStream(prefix: string, suffix: string, totalBytes = OVERSIZE_HTTP_BYTES): Readable {
  const filler = Buffer.alloc(64 * 1024, 'A');
  const head = Buffer.from(prefix);
  const tail = Buffer.from(suffix);
  let remaining = Math.max(0, totalBytes - head.length - tail.length);
  let sentHead = false;
  return new Readable({
    read() {
      if (!sentHead) {
        sentHead = true;
        this.push(head);
        return;
      }
      if (remaining > 0) {
        const size = Math.min(remaining, filler.length);
        remaining -= size;
        this.push(size === filler.length ? filler : filler.subarray(0, size));
        return;
      }
      this.push(tail);
      this.push(null);
    },
  });
}

/** Writes `body` one byte per second; the timer is dropped when the client goes away. */
export function trickle(res: ServerResponse, body: Buffer, timers: Set<NodeJS.Timeout>, intervalMs = 1_000): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed || offset >= body.length) {
      clearInterval(timer);
      timers.delete(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.subarray(offset, offset + 1));
    offset += 1;
  }, intervalMs);
  timers.add(timer);
  res.once('close', () => {
    clearInterval(timer);
    timers.delete(timer);
  });
}

/** What a home router's admin page answers on a port someone took for a camera. */
export const NON_ONVIF_HTML =
  '<!DOCTYPE html><html><head><title>Router login</title></head><body><form method="post" action="/login">' +
  '<input name="user"><input name="pass" type="password"><button>Login</button></form></body></html>';

/** An unrelated UDP answer: an SSDP (UPnP) search response instead of a WS-Discovery ProbeMatch. */
export function nonOnvifUdpReply(httpPort: number): string {
  return (
    'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: upnp:rootdevice\r\n' +
    `USN: uuid:00000000-0000-0000-0000-000000000000::upnp:rootdevice\r\nLOCATION: http://127.0.0.1:${httpPort}/rootDesc.xml\r\n\r\n`
  );
}
