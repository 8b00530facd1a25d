import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { headerEnd, parseHead, SIP_LIMITS, type SipMessage } from './sip-message.ts';

/**
 * Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3: required on streams).
 * Buffers at most one message; anything that can never become a valid message (headers over the limit,
 * no Content-Length, garbage start line) throws DomainError SIP_MALFORMED and the caller drops the connection.
 */
export class SipStreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the complete messages they finished. */
  push(chunk: Buffer): SipMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: SipMessage[] = [];
    for (;;) {
      // CRLF keep-alives between messages (RFC 5626) are skipped.
      let skip = 0;
      while (skip < this.buffer.length && (this.buffer[skip] === 0x0d || this.buffer[skip] === 0x0a)) skip++;
      if (skip) this.buffer = this.buffer.subarray(skip);
      if (this.buffer.length === 0) break;
      const end = headerEnd(this.buffer);
      if (!end) {
        if (this.buffer.length > SIP_LIMITS.maxHeaderBytes) throw new DomainError('SIP_MALFORMED', `headers larger than ${SIP_LIMITS.maxHeaderBytes} bytes`);
        break;
      }
      if (end.at > SIP_LIMITS.maxHeaderBytes) throw new DomainError('SIP_MALFORMED', `headers larger than ${SIP_LIMITS.maxHeaderBytes} bytes`);
      const { start, contentLength } = parseHead(this.buffer.subarray(0, end.at).toString('latin1'));
      if (contentLength === undefined) throw new DomainError('SIP_MALFORMED', 'a SIP message over TCP needs Content-Length');
      const total = end.at + end.size + contentLength;
      if (this.buffer.length < total) break;
      start.body = Buffer.from(this.buffer.subarray(end.at + end.size, total));
      out.push(start);
      this.buffer = this.buffer.subarray(total);
    }
    if (this.buffer.length > 0) this.buffer = Buffer.from(this.buffer);
    return out;
  }

  get buffered(): number {
    return this.buffer.length;
  }
}
