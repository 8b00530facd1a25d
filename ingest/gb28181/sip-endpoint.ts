import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { cseqOf, param, SipHeaders, type SipMessage, type SipRequest, type SipResponse } from './sip-message.ts';
import type { SipPeer, SipTransport } from './sip-transport.ts';

/** RFC 3261 timers: T1 first retransmission, T2 cap, 64*T1 transaction timeout. */
export const SIP_T1_MS = 500;
const SIP_T2_MS = 4_000;
const SERVER_CACHE_MS = 32_000;
const MAX_SERVER_TRANSACTIONS = 20_000;

export const newTag = () => randomBytes(6).toString('hex');
export const newBranch = () => `z9hG4bK${randomBytes(8).toString('hex')}`;
export const newCallId = (host: string) => `${randomBytes(12).toString('hex')}@${host}`;

export interface OutgoingRequest {
  method: string;
  uri: string;
  /** Full header values (`<sip:id@domain>;tag=…`). */
  from: string;
  to: string;
  callId: string;
  cseq: number;
  headers?: Array<[string, string]>;
  body?: Buffer;
}

interface ClientTransaction {
  resolve(response: SipResponse): void;
  reject(error: Error): void;
  onProvisional?: (response: SipResponse) => void;
  gotProvisional: boolean;
}

export interface SipEndpointEvents {
  request: [request: SipRequest, peer: SipPeer];
  /** A 2xx to an INVITE whose transaction already ended (a retransmission: re-send the ACK). */
  strayInviteOk: [response: SipResponse, peer: SipPeer];
}

/**
 * Transactions over a SipTransport: incoming requests get `received`/`rport` on their top Via and are
 * de-duplicated (a retransmission gets the cached final answer again); outgoing requests are retransmitted
 * over UDP (T1 doubling to T2) until answered and time out after 64*T1.
 */
export class SipEndpoint extends EventEmitter<SipEndpointEvents> {
  private readonly client = new Map<string, ClientTransaction>();
  private readonly server = new Map<string, { response?: SipResponse; at: number }>();
  private lastPurge = Date.now();

  constructor(private readonly transport: SipTransport, private readonly local: { host: string; timeoutMs?: number }) {
    super();
    transport.on('message', (message, peer) => this.onMessage(message, peer));
  }

  get host(): string {
    return this.local.host;
  }

  get port(): number {
    return this.transport.port;
  }

  private onMessage(message: SipMessage, peer: SipPeer): void {
    if (message.kind === 'response') return this.onResponse(message, peer);
    const via = message.headers.get('via')!;
    // Answers go where the request really came from (RFC 3261 §18.2.1, RFC 3581): note it on the Via.
    let fixed = via.replace(/;\s*received=[^;,]*/i, '') + `;received=${peer.address}`;
    fixed = /;\s*rport(=\d*)?/i.test(fixed) ? fixed.replace(/;\s*rport(=\d*)?/i, `;rport=${peer.port}`) : fixed;
    const vias = message.headers.all('via');
    message.headers.remove('via');
    message.headers.add('via', fixed);
    for (const rest of vias.slice(1)) message.headers.add('via', rest);
    if (message.method === 'ACK') {
      this.emit('request', message, peer);
      return;
    }
    const key = `${param(via, 'branch') ?? ''}|${message.headers.get('call-id')}|${message.headers.get('cseq')}`;
    const seen = this.server.get(key);
    if (seen) {
      if (seen.response) void this.transport.send(peer, seen.response).catch(() => {});
      return;
    }
    this.purge();
    if (this.server.size >= MAX_SERVER_TRANSACTIONS) return; // flood: drop until the cache drains
    this.server.set(key, { at: Date.now() });
    this.emit('request', message, peer);
  }

  private purge(): void {
    const now = Date.now();
    if (now - this.lastPurge < 1_000) return;
    this.lastPurge = now;
    for (const [key, entry] of this.server) if (now - entry.at > SERVER_CACHE_MS) this.server.delete(key);
  }

  private onResponse(response: SipResponse, peer: SipPeer): void {
    const key = `${param(response.headers.get('via'), 'branch')}|${cseqOf(response).method}`;
    const transaction = this.client.get(key);
    if (!transaction) {
      if (cseqOf(response).method === 'INVITE' && response.status < 300) this.emit('strayInviteOk', response, peer);
      return;
    }
    if (response.status < 200) {
      transaction.gotProvisional = true;
      transaction.onProvisional?.(response);
      return;
    }
    this.client.delete(key);
    transaction.resolve(response);
  }

  /** A response to a request: Via, From, To (with a tag), Call-ID and CSeq copied; finals are cached for retransmissions. */
  respond(request: SipRequest, peer: SipPeer, status: number, reason: string, extra: { headers?: Array<[string, string]>; body?: Buffer; toTag?: string } = {}): Promise<void> {
    const headers = new SipHeaders();
    for (const via of request.headers.all('via')) headers.add('via', via);
    headers.add('from', request.headers.get('from')!);
    const to = request.headers.get('to')!;
    headers.add('to', status > 100 && param(to, 'tag') === undefined ? `${to};tag=${extra.toTag ?? newTag()}` : to);
    headers.add('call-id', request.headers.get('call-id')!);
    headers.add('cseq', request.headers.get('cseq')!);
    headers.add('user-agent', 'camera-sharing-hub');
    for (const [name, value] of extra.headers ?? []) headers.add(name, value);
    const response: SipResponse = { kind: 'response', status, reason, headers, body: extra.body ?? Buffer.alloc(0) };
    if (status >= 200 && request.method !== 'ACK') {
      const key = `${param(request.headers.get('via'), 'branch') ?? ''}|${request.headers.get('call-id')}|${request.headers.get('cseq')}`;
      const entry = this.server.get(key);
      if (entry) entry.response = response;
    }
    return this.transport.send(peer, response).catch(() => {});
  }

  /** Builds a request with our Via (rport, fresh branch) and Max-Forwards. */
  build(peer: SipPeer, o: OutgoingRequest): SipRequest {
    const headers = new SipHeaders();
    headers.add('via', `SIP/2.0/${peer.transport.toUpperCase()} ${this.local.host}:${this.port};rport;branch=${newBranch()}`);
    headers.add('from', o.from).add('to', o.to).add('call-id', o.callId).add('cseq', `${o.cseq} ${o.method}`).add('max-forwards', '70');
    headers.add('user-agent', 'camera-sharing-hub');
    for (const [name, value] of o.headers ?? []) headers.add(name, value);
    return { kind: 'request', method: o.method, uri: o.uri, headers, body: o.body ?? Buffer.alloc(0) };
  }

  /** Sends without a transaction (ACK for a 2xx). */
  send(peer: SipPeer, message: SipMessage): Promise<void> {
    return this.transport.send(peer, message);
  }

  /** Sends a request and resolves with its final response; DomainError SIP_TIMEOUT when none comes. */
  request(peer: SipPeer, request: SipRequest, options: { timeoutMs?: number; onProvisional?: (r: SipResponse) => void } = {}): Promise<SipResponse> {
    const key = `${param(request.headers.get('via'), 'branch')}|${request.method}`;
    return new Promise<SipResponse>((resolve, reject) => {
      let retransmit: NodeJS.Timeout | undefined;
      const timeout = setTimeout(() => {
        this.client.delete(key);
        clearTimeout(retransmit);
        reject(new DomainError('SIP_TIMEOUT', `no answer to ${request.method} from ${peer.address}:${peer.port}`));
      }, options.timeoutMs ?? this.local.timeoutMs ?? 64 * SIP_T1_MS);
      const transaction: ClientTransaction = {
        gotProvisional: false,
        onProvisional: options.onProvisional,
        resolve: (response) => { clearTimeout(timeout); clearTimeout(retransmit); resolve(response); },
        reject: (error) => { clearTimeout(timeout); clearTimeout(retransmit); reject(error); },
      };
      this.client.set(key, transaction);
      const sendNow = (interval: number) => {
        this.transport.send(peer, request).catch((cause: unknown) => {
          this.client.delete(key);
          transaction.reject(cause instanceof DomainError ? cause : new DomainError('SIP_SEND_FAILED', `cannot send ${request.method}`, { cause }));
        });
        if (peer.transport !== 'udp') return;
        // An INVITE stops retransmitting once the callee answered provisionally (RFC 3261 §17.1.1.2).
        retransmit = setTimeout(() => {
          if (!this.client.has(key) || (request.method === 'INVITE' && transaction.gotProvisional)) return;
          sendNow(Math.min(interval * 2, SIP_T2_MS));
        }, interval);
        retransmit.unref();
      };
      sendNow(SIP_T1_MS);
    });
  }

  /** Fails every pending request (shutdown). */
  close(): void {
    for (const transaction of this.client.values()) transaction.reject(new DomainError('SIP_TRANSPORT_STOPPED', 'the SIP endpoint is stopping'));
    this.client.clear();
    this.server.clear();
  }
}
