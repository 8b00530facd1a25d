/** Bytes of one unfinished SIP message a TCP peer may hold before the simulator drops the connection. */
const MAX_PENDING_BYTES = 256 * 1024;

/**
 * SIP messages out of a TCP byte stream, delimited by the blank line after the headers and Content-Length
 * (RFC 3261 §18.3). Keepalive CRLFs between messages (RFC 5626) are skipped.
 */
export class SimSipStream {
  private pending: Buffer = Buffer.alloc(0);

  /** The whole messages completed by this chunk; throws when a message grows past the bound. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      while (this.pending.length >= 2 && this.pending[0] === 0x0d && this.pending[1] === 0x0a) this.pending = this.pending.subarray(2);
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = this.pending.subarray(0, end).toString('latin1');
      const length = Number(/^(?:content-length|l)\s*:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (this.pending.length < end + 4 + length) break;
      out.push(Buffer.from(this.pending.subarray(0, end + 4 + length)));
      this.pending = this.pending.subarray(end + 4 + length);
    }
    if (this.pending.length > MAX_PENDING_BYTES) throw new Error('SIP message too large');
    return out;
  }
}
