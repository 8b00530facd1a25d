import { DomainError } from '../../api/kernel/errors/domain-error.ts';

/** Header names as SIP allows them in compact form (RFC 3261 §7.3.3), mapped to the full lower-case name. */
const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', s: 'subject', k: 'supported', e: 'content-encoding' };

export const SIP_LIMITS = { maxHeaderBytes: 16 * 1024, maxHeaders: 64, maxBodyBytes: 1024 * 1024 } as const;

/** Headers in arrival order; names are kept lower-case (compact forms expanded). */
export class SipHeaders {
  readonly list: Array<[string, string]> = [];

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.list.find(([n]) => n === key)?.[1];
  }

  all(name: string): string[] {
    const key = name.toLowerCase();
    return this.list.filter(([n]) => n === key).map(([, v]) => v);
  }

  add(name: string, value: string): this {
    this.list.push([name.toLowerCase(), value]);
    return this;
  }

  set(name: string, value: string): this {
    const key = name.toLowerCase();
    const at = this.list.findIndex(([n]) => n === key);
    if (at < 0) this.list.push([key, value]);
    else {
      this.list[at] = [key, value];
      for (let i = this.list.length - 1; i > at; i--) if (this.list[i]![0] === key) this.list.splice(i, 1);
    }
    return this;
  }

  remove(name: string): this {
    const key = name.toLowerCase();
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]![0] === key) this.list.splice(i, 1);
    return this;
  }
}

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

const REQUEST_LINE = /^([A-Z]{2,16}) (sips?:[^\s]{1,512}) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.{0,128})$/;
const HEADER_LINE = /^([A-Za-z0-9!%*_+`'~.-]{1,64})[ \t]*:[ \t]*(.*)$/;

/** Where the header section ends: the offset of the blank line and the length of its terminator, or undefined. */
export function headerEnd(buf: Buffer, from = 0): { at: number; size: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from);
  const lf = buf.indexOf('\n\n', from);
  if (crlf < 0 && lf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, size: 4 };
  return { at: lf, size: 2 };
}

function malformed(message: string): DomainError {
  return new DomainError('SIP_MALFORMED', message);
}

/** Parses the header section (start line and headers) of one message. */
export function parseHead(text: string): { start: SipRequest | SipResponse; contentLength: number | undefined } {
  const lines = text.split(/\r?\n/);
  // Folded header lines (leading white space) continue the previous one.
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length > 1) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else unfolded.push(line);
  }
  const first = unfolded.shift() ?? '';
  const headers = new SipHeaders();
  if (unfolded.length > SIP_LIMITS.maxHeaders) throw malformed(`more than ${SIP_LIMITS.maxHeaders} header lines`);
  for (const line of unfolded) {
    if (line === '') continue;
    const m = HEADER_LINE.exec(line);
    if (!m) throw malformed('a header line is not "Name: value"');
    const name = m[1]!.toLowerCase();
    headers.add(COMPACT[name] ?? name, m[2]!.trim());
  }
  const request = REQUEST_LINE.exec(first);
  const status = request ? undefined : STATUS_LINE.exec(first);
  let start: SipMessage;
  if (request) start = { kind: 'request', method: request[1]!, uri: request[2]!, headers, body: Buffer.alloc(0) };
  else if (status) start = { kind: 'response', status: Number(status[1]), reason: status[2]!.trim(), headers, body: Buffer.alloc(0) };
  else throw malformed('the first line is neither a SIP/2.0 request line nor a status line');
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!headers.get(name)) throw malformed(`the ${name} header is missing`);
  }
  if (!/^\d{1,10} [A-Z]{2,16}$/.test(headers.get('cseq')!)) throw malformed('CSeq is not "<number> <METHOD>"');
  const raw = headers.get('content-length');
  let contentLength: number | undefined;
  if (raw !== undefined) {
    if (!/^\d{1,9}$/.test(raw)) throw malformed('Content-Length is not a number');
    contentLength = Number(raw);
    if (contentLength > SIP_LIMITS.maxBodyBytes) throw malformed(`body larger than ${SIP_LIMITS.maxBodyBytes} bytes`);
  }
  return { start, contentLength };
}

/**
 * One datagram as one SIP message. Content-Length bounds the body (extra bytes are ignored, as RFC 3261
 * §18.3 says for UDP); without it the rest of the datagram is the body. Throws DomainError SIP_MALFORMED.
 */
export function parseDatagram(buf: Buffer): SipMessage {
  const end = headerEnd(buf);
  if (!end) throw malformed('no blank line after the headers');
  if (end.at > SIP_LIMITS.maxHeaderBytes) throw malformed(`headers larger than ${SIP_LIMITS.maxHeaderBytes} bytes`);
  const { start, contentLength } = parseHead(buf.subarray(0, end.at).toString('latin1'));
  const rest = buf.subarray(end.at + end.size);
  if (contentLength !== undefined && rest.length < contentLength) throw malformed('body shorter than Content-Length');
  start.body = Buffer.from(contentLength === undefined ? rest : rest.subarray(0, contentLength));
  return start;
}

/** The CSeq number and method. */
export function cseqOf(message: SipMessage): { seq: number; method: string } {
  const [seq, method] = message.headers.get('cseq')!.split(' ');
  return { seq: Number(seq), method: method! };
}

/** A header parameter (`;tag=…`, `;branch=…`), undefined when absent, '' when present without a value. */
export function param(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`;\\s*${name}(?:=([^;,\\s>]*))?`, 'i').exec(header.replace(/<[^>]*>/g, ''));
  return m ? (m[1] ?? '') : undefined;
}

/** The user part of the first SIP URI in a header or URI (`<sip:3402…@3402000000>` → `3402…`). */
export function uriUser(value: string | undefined): string | undefined {
  return value ? /sips?:([^@;>\s]+)@/.exec(value)?.[1] : undefined;
}

/** Serialises a message; Content-Length is always written from the body. */
export function formatSip(message: SipMessage): Buffer {
  const start = message.kind === 'request' ? `${message.method} ${message.uri} SIP/2.0` : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [start];
  for (const [name, value] of message.headers.list) {
    if (name === 'content-length') continue;
    if (/[\r\n]/.test(value)) throw new DomainError('SIP_HEADER_INVALID', `header ${name} contains a line break`);
    lines.push(`${canonical(name)}: ${value}`);
  }
  lines.push(`Content-Length: ${message.body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), message.body]);
}

const CANONICAL: Record<string, string> = { 'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'max-forwards': 'Max-Forwards' };

function canonical(name: string): string {
  return CANONICAL[name] ?? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
