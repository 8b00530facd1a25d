import { DomainError } from '../../kernel/errors/domain-error.ts';
import { digestAuthorization, parseDigestChallenge, type DigestChallenge } from '../../../ingest/onvif/http-digest.ts';

export const VIID_JSON = 'application/VIID+JSON;charset=UTF-8';

export interface UpstreamReply {
  status: number;
  body: unknown;
  /** StatusCode of the reply's ResponseStatusObject (or of the first failing entry of a list); undefined = none. */
  statusCode: number | undefined;
}

/**
 * HTTP to an upstream 视图库 as a lower platform: Register/UnRegister with digest (401 challenge, MD5,
 * qop=auth, rising nc, a fresh challenge when the nonce is refused), other requests with `User-Identify`.
 * Failures are DomainErrors: VIID_UPSTREAM_UNREACHABLE (network, timeout), VIID_UPSTREAM_REFUSED (401 after
 * a fresh challenge, or StatusCode ≠ 0).
 */
export class ViidUpstreamClient {
  private challenge: DigestChallenge | undefined;
  private nonceCount = 0;

  constructor(private readonly options: { url: string; ourId: string; username: string; password: string; timeoutMs: number; signal?: AbortSignal }) {}

  async register(): Promise<UpstreamReply> {
    return this.expectOk(await this.digestPost('/VIID/System/Register', { RegisterObject: { DeviceID: this.options.ourId } }), 'register');
  }

  async unregister(): Promise<UpstreamReply> {
    return this.expectOk(await this.digestPost('/VIID/System/UnRegister', { UnRegisterObject: { DeviceID: this.options.ourId } }), 'unregister');
  }

  async keepalive(): Promise<UpstreamReply> {
    return this.expectOk(await this.send('POST', '/VIID/System/Keepalive', { KeepaliveObject: { DeviceID: this.options.ourId } }), 'keepalive');
  }

  async send(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<UpstreamReply & { headers: Headers }> {
    const headers: Record<string, string> = { 'user-identify': this.options.ourId, accept: 'application/VIID+JSON, application/json', ...extra };
    if (body !== undefined) headers['content-type'] = VIID_JSON;
    let response: Response;
    try {
      const signals = [AbortSignal.timeout(this.options.timeoutMs), ...(this.options.signal ? [this.options.signal] : [])];
      response = await fetch(`${this.options.url}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'error', signal: AbortSignal.any(signals),
      });
    } catch (cause) {
      throw new DomainError('VIID_UPSTREAM_UNREACHABLE', `${method} ${path}: ${(cause as Error).message}`, { cause });
    }
    const text = (await response.text()).slice(0, 1_000_000);
    let parsed: unknown;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: response.status, body: parsed, statusCode: statusCodeOf(parsed), headers: response.headers };
  }

  private async digestPost(path: string, body: unknown): Promise<UpstreamReply & { headers: Headers }> {
    for (let fresh = false; ; fresh = true) {
      const extra: Record<string, string> = {};
      if (this.challenge) extra.authorization = digestAuthorization(this.challenge, 'POST', path, this.options.username, this.options.password, ++this.nonceCount);
      const reply = await this.send('POST', path, body, extra);
      const challenge = reply.status === 401 ? parseDigestChallenge(reply.headers.get('www-authenticate')) : undefined;
      if (!challenge || fresh) return reply;
      this.challenge = challenge;
      this.nonceCount = 0;
    }
  }

  private expectOk(reply: UpstreamReply, what: string): UpstreamReply {
    if (reply.status < 200 || reply.status >= 300 || (reply.statusCode !== undefined && reply.statusCode !== 0)) {
      throw new DomainError('VIID_UPSTREAM_REFUSED', `upstream refused ${what}: HTTP ${reply.status}${reply.statusCode === undefined ? '' : `, StatusCode ${reply.statusCode}`}`, { details: { status: reply.status, statusCode: reply.statusCode } });
    }
    return reply;
  }
}

function statusCodeOf(body: unknown): number | undefined {
  const root = (body ?? {}) as Record<string, any>;
  const list = root.ResponseStatusListObject?.ResponseStatusObject ?? root.ResponseStatusObject;
  const entries: any[] = Array.isArray(list) ? list : list ? [list] : [];
  if (entries.length === 0) return undefined;
  const failing = entries.map((e) => Number(e?.StatusCode)).find((code) => code !== 0);
  return failing ?? 0;
}
