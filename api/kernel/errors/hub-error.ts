import { DomainError } from './domain-error.ts';

/**
 * Errors are data: a stable machine-readable code, an HTTP status, a human message, and the cause kept.
 * The API answers `{ code, message }`; the cause is logged, never sent. Thrown by HTTP-facing code; code that
 * also runs outside requests throws a plain DomainError, which the edge maps to a status by its code.
 */
export class HubError extends DomainError {
  readonly status: number;

  constructor(code: string, message: string, status = 500, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, options);
    this.name = 'HubError';
    this.status = status;
  }
}

export const badRequest = (code: string, message: string, cause?: unknown) => new HubError(code, message, 400, { cause });
export const unauthorized = (code: string, message: string) => new HubError(code, message, 401);
export const forbidden = (code: string, message: string) => new HubError(code, message, 403);
export const notFound = (code: string, message: string) => new HubError(code, message, 404);
export const conflict = (code: string, message: string) => new HubError(code, message, 409);
export const unavailable = (code: string, message: string, cause?: unknown) => new HubError(code, message, 503, { cause });

export function isHubError(value: unknown): value is HubError {
  return value instanceof HubError;
}
