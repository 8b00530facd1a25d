import { DomainError } from '../../../api/kernel/errors/domain-error.ts';
import { digestAuthorization } from '../http-digest.ts';
import { statusEntries, VIID_JSON, type ResponseStatus } from './viid-codes.ts';

export interface ViidPeerOptions {
  /** The 视图库's base URL, e.g. http://hub:8080 (paths are the standard's literal /VIID/...). */
  baseUrl: string;
  /** Our 20-digit ID (device or platform): the RegisterObject.DeviceID and the User-Identify of every request. */
  id: string;
  /** Digest credentials (defaults: username = id). */
  username?: string;
  password: string;
  timeoutMs?: number;
}

export interface ViidReply {
  status: number;
  body: any;
  statuses: ResponseStatus[];
  headers: Headers;
}

/**
 * The peer side of GA/T 1400 part 4 as a 卡口 device or platform speaks it: Register / UnRegister with HTTP
 * Digest (first POST without credentials, 401 challenge, resend with MD5 + qop=auth and a rising nc), then
 * every request with `User-Identify` and `application/VIID+JSON`.
 */
export class ViidPeerClient {
  private challenge: string | undefined;
  private nonceCount = 0;
  registered = false;

  constructor(readonly options: ViidPeerOptions) {}

  get id(): string {
    return this.options.id;
  }

  async register(): Promise<ViidReply> {
    const reply = await this.digestPost('/VIID/System/Register', { RegisterObject: { DeviceID: this.id } });
    this.registered = reply.status === 200 && reply.statuses.every((s) => Number(s.StatusCode) === 0);
    return reply;
  }

  async unregister(): Promise<ViidReply> {
    const reply = await this.digestPost('/VIID/System/UnRegister', { UnRegisterObject: { DeviceID: this.id } });
    this.registered = false;
    return reply;
  }

  keepalive(): Promise<ViidReply> {
    return this.request('POST', '/VIID/System/Keepalive', { KeepaliveObject: { DeviceID: this.id } });
  }

  time(): Promise<ViidReply> {
    return this.request('GET', '/VIID/System/Time');
  }

  /** A data request: `User-Identify` and the VIID media type, no digest (the session is the registration). */
  async request(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ViidReply> {
    const headers: Record<string, string> = { 'user-identify': this.id, accept: 'application/VIID+JSON, application/json', ...extraHeaders };
    if (body !== undefined) headers['content-type'] = VIID_JSON;
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new DomainError('VIID_PEER_UNREACHABLE', `${method} ${path}: ${(cause as Error).message}`, { cause });
    }
    const text = await response.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON: kept as text */ }
    return { status: response.status, body: parsed, statuses: statusEntries(parsed), headers: response.headers };
  }

  /**
   * POST with digest: reuses the last challenge with the next nc; a 401 (first contact, expired or replayed
   * nonce) brings a fresh challenge and one resend with nc=1. A second 401 on a fresh challenge is final
   * (wrong credentials).
   */
  private async digestPost(path: string, body: unknown): Promise<ViidReply> {
    const username = this.options.username ?? this.id;
    let freshTried = false;
    for (;;) {
      const headers: Record<string, string> = {};
      if (this.challenge) {
        this.nonceCount += 1;
        headers.authorization = digestAuthorization(this.challenge, 'POST', path, username, this.options.password, this.nonceCount);
      }
      const reply = await this.request('POST', path, body, headers);
      if (reply.status !== 401 || freshTried) return reply;
      const challenge = reply.headers.get('www-authenticate') ?? '';
      if (!/^digest /i.test(challenge)) return reply;
      freshTried = true;
      this.challenge = challenge;
      this.nonceCount = 0;
    }
  }
}
