/**
 * An error of protocol, vision or data-contract code: a stable machine-readable code, a human message and the
 * cause kept, and no HTTP status. That code runs outside requests too (workers, queues, the CLI); the HTTP
 * edge alone decides the status, from the code (`domain-error-status.ts`).
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.details = options.details;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
