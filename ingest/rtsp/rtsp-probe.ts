import { connect, type Socket } from 'node:net';
import { tls } from './tls-connect.ts';
import { basicAuthorization, digestAuthorization, parseDigestChallenge } from '../onvif/http-digest.ts';
import { assertCameraUrl } from './camera-url.ts';

export type RtspProbeVerdict =
  | { ok: true; status: number; hasVideo: boolean }
  | { ok: false; kind: 'auth_failed' | 'unreachable' | 'timeout' | 'protocol'; reason: string };

export interface RtspProbeOptions {
  username?: string;
  password?: string;
  /** Total deadline for connect, both round trips and the SDP body. */
  timeoutMs: number;
  /** Cap on one reply (headers plus SDP). */
  maxBytes?: number;
}

interface RtspReply {
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

/**
 * A minimal RTSP client for health checks: DESCRIBE, and once more with Digest (or Basic, when that is
 * all the server offers) after a 401. A second 401 means the stored credentials are wrong. Credentials go
 * only to the stream URL's own host; nothing is set up or played.
 */
export async function probeRtsp(rawUrl: string, options: RtspProbeOptions): Promise<RtspProbeVerdict> {
  const url = assertCameraUrl(rawUrl);
  url.username = '';
  url.password = '';
  const target = url.toString();
  const socket = url.protocol === 'rtsps:' ? tls(url) : connect({ host: url.hostname, port: Number(url.port || 554) });
  const session = new RtspSession(socket, options.maxBytes ?? 64 * 1024);
  const deadline = setTimeout(() => session.fail({ ok: false, kind: 'timeout', reason: `no complete RTSP answer within ${options.timeoutMs} ms` }), options.timeoutMs);
  try {
    let reply = await session.request('DESCRIBE', target, {});
    if (reply.status === 401 && options.username) {
      const challenges = reply.headers.get('www-authenticate') ?? [];
      const digest = challenges.map(parseDigestChallenge).find((c) => c !== undefined);
      const authorization = digest
        ? digestAuthorization(digest, 'DESCRIBE', target, options.username, options.password ?? '')
        : basicAuthorization(options.username, options.password ?? '');
      reply = await session.request('DESCRIBE', target, { Authorization: authorization });
      if (reply.status === 401) return { ok: false, kind: 'auth_failed', reason: 'the camera refused the stored username or password (RTSP 401)' };
    }
    if (reply.status === 401) return { ok: false, kind: 'auth_failed', reason: 'the camera needs credentials and none are stored (RTSP 401)' };
    if (reply.status !== 200) return { ok: false, kind: 'protocol', reason: `RTSP DESCRIBE answered ${reply.status}` };
    return { ok: true, status: reply.status, hasVideo: /^m=video /m.test(reply.body) };
  } catch (error) {
    return (error as { verdict?: RtspProbeVerdict }).verdict ?? { ok: false, kind: 'unreachable', reason: (error as Error).message };
  } finally {
    clearTimeout(deadline);
    socket.destroy();
  }
}

/** One connection, one request at a time, replies parsed as they stream in. */
class RtspSession {
  private buffer = Buffer.alloc(0);
  private cseq = 0;
  private waiting: { resolve: (reply: RtspReply) => void; reject: (error: unknown) => void } | undefined;
  private failure: RtspProbeVerdict | undefined;

  constructor(private readonly socket: Socket, private readonly maxBytes: number) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail({ ok: false, kind: 'unreachable', reason: `cannot reach the camera: ${error.code ?? error.message}` }));
    socket.on('close', () => this.fail({ ok: false, kind: 'unreachable', reason: 'the camera closed the RTSP connection' }));
  }

  request(method: string, uri: string, headers: Record<string, string>): Promise<RtspReply> {
    if (this.failure) return Promise.reject({ verdict: this.failure });
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++this.cseq}`, 'User-Agent: camera-hub-health', 'Accept: application/sdp'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; });
  }

  fail(verdict: RtspProbeVerdict): void {
    this.failure ??= verdict;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject({ verdict: this.failure });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > this.maxBytes) return this.fail({ ok: false, kind: 'protocol', reason: `RTSP reply larger than ${this.maxBytes} bytes` });
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = /^RTSP\/1\.0 (\d{3})/.exec(head[0] ?? '');
    if (!status) return this.fail({ ok: false, kind: 'protocol', reason: 'not an RTSP server' });
    const headers = new Map<string, string[]>();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    const length = Number(headers.get('content-length')?.[0] ?? 0) || 0;
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve({ status: Number(status[1]), headers, body });
  }
}
