import { DomainError } from '../../api/kernel/errors/domain-error.ts';

export interface BoundedRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Total deadline: connect, headers and the whole body (a trickling device is cut off too). */
  timeoutMs: number;
  /** The body is read while it streams and the connection dropped once it passes this size. */
  maxBytes: number;
}

export interface BoundedResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * One HTTP exchange with a device, bounded in time and size. Redirects are not followed: a device must
 * not be able to send us (and any credentials) to another host. Errors are DomainErrors with stable codes
 * (the HTTP edge answers the status in brackets): DEVICE_TIMEOUT (504), DEVICE_RESPONSE_TOO_LARGE /
 * DEVICE_UNREACHABLE / DEVICE_REDIRECT (502).
 */
export async function boundedFetch(request: BoundedRequest): Promise<BoundedResponse> {
  const origin = safeOrigin(request.url);
  const signal = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  try {
    response = await fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, body: request.body, redirect: 'manual', signal });
  } catch (cause) {
    if (signal.aborted) throw timeout(origin, request.timeoutMs, cause);
    throw new DomainError('DEVICE_UNREACHABLE', `cannot reach ${origin}: ${rootMessage(cause)}`, { cause });
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => {});
    throw new DomainError('DEVICE_REDIRECT', `${origin} answered with a redirect (${response.status}); redirects are not followed`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > request.maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(origin, request.maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > request.maxBytes) {
          await reader.cancel().catch(() => {});
          throw tooLarge(origin, request.maxBytes);
        }
        chunks.push(Buffer.from(value));
      }
    }
  } catch (cause) {
    if (cause instanceof DomainError) throw cause;
    if (signal.aborted) throw timeout(origin, request.timeoutMs, cause);
    throw new DomainError('DEVICE_UNREACHABLE', `connection to ${origin} failed while reading: ${rootMessage(cause)}`, { cause });
  }
  return { status: response.status, headers: response.headers, body: Buffer.concat(chunks) };
}

/** scheme://host:port of a URL, without path or credentials: what logs and errors may show. */
export function safeOrigin(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return '[invalid url]';
  }
}

const timeout = (origin: string, ms: number, cause: unknown) =>
  new DomainError('DEVICE_TIMEOUT', `${origin} did not answer completely within ${ms} ms`, { cause });
const tooLarge = (origin: string, max: number) =>
  new DomainError('DEVICE_RESPONSE_TOO_LARGE', `${origin} sent more than ${max} bytes; connection dropped`);

function rootMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown; code?: string } | undefined;
  while (current?.cause && typeof current.cause === 'object') current = current.cause as typeof current;
  return current?.code ?? current?.message ?? String(error);
}
