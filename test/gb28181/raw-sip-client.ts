import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** A bare SIP/UDP peer for hostile-input tests: sends any bytes, collects what comes back. */
export class RawSipClient {
  private socket: Socket | undefined;
  private readonly inbox: Buffer[] = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly serverPort: number) {}

  async open(): Promise<this> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.on('message', (data) => {
      this.inbox.push(data);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.socket = socket;
    return this;
  }

  get port(): number {
    return this.socket!.address().port;
  }

  send(data: Buffer | string): void {
    this.socket!.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, this.serverPort, '127.0.0.1');
  }

  /** The next datagram, or undefined after `timeoutMs`. */
  async next(timeoutMs = 3_000): Promise<string | undefined> {
    if (this.inbox.length) return this.inbox.shift()!.toString('latin1');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => { clearTimeout(timer); resolve(); });
    });
    return this.inbox.shift()?.toString('latin1');
  }

  /** Sends a request and returns the first answer to it (requests the hub sends meanwhile are skipped; undefined: no answer). */
  async status(data: string, timeoutMs = 3_000): Promise<{ status: number | undefined; text: string | undefined }> {
    this.inbox.length = 0;
    const callId = /^Call-ID: (.*)$/m.exec(data)?.[1]?.trim();
    this.send(data);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.next(Math.max(1, deadline - Date.now()));
      if (text === undefined) return { status: undefined, text };
      if (text.startsWith('SIP/2.0 ') && (!callId || text.includes(`Call-ID: ${callId}`))) return { status: Number(text.slice(8, 11)), text };
    }
  }

  close(): void {
    this.socket?.close();
  }
}

/** A SIP request as text with the mandatory headers, From the given user. */
export function sipRequest(method: string, o: { user: string; port: number; body?: string; extra?: string[]; callId?: string; cseq?: number }): string {
  const body = o.body ?? '';
  return [
    `${method} sip:34020000002000000001@3402000000 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    `From: <sip:${o.user}@3402000000>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${method === 'REGISTER' ? o.user : '34020000002000000001'}@3402000000>`,
    `Call-ID: ${o.callId ?? randomBytes(8).toString('hex')}@127.0.0.1`,
    `CSeq: ${o.cseq ?? 1} ${method}`, 'Max-Forwards: 70', ...(o.extra ?? []), `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body,
  ].join('\r\n');
}

/** A digest Authorization for a 401 text, with any password. */
export function authorizationFor(challenge: string, user: string, password: string): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
  const uri = 'sip:34020000002000000001@3402000000';
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const response = md5(`${md5(`${user}:3402000000:${password}`)}:${nonce}:${md5(`REGISTER:${uri}`)}`);
  return `Authorization: Digest username="${user}",realm="3402000000",nonce="${nonce}",uri="${uri}",response="${response}",algorithm=MD5`;
}
