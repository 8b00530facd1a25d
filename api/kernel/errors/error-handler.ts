import type { FastifyError, FastifyInstance } from 'fastify';
import { isDomainError } from './domain-error.ts';
import { toHubError } from './domain-error-status.ts';

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'JSON_INVALID' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'JSON_INVALID' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_CONTENT_LENGTH' },
  FST_ERR_VALIDATION: { status: 400, code: 'VALIDATION_FAILED' },
};

/** Every error leaves the API as `{ code, message }` with a fitting status; causes go to the log only. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Tested as unknown: a FastifyError has the shape of a DomainError, so narrowing the typed value leaves nothing.
    const thrown: unknown = error;
    if (isDomainError(thrown)) {
      const answer = toHubError(thrown);
      if (answer.status >= 500) request.log.error({ err: thrown }, answer.message);
      return reply.status(answer.status).send({ code: answer.code, message: answer.message });
    }
    if (error.validation) {
      return reply.status(400).send({ code: 'VALIDATION_FAILED', message: error.message });
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return reply.status(known.status).send({ code: known.code, message: error.message });
    if (error.statusCode === 429) return reply.status(429).send({ code: 'RATE_LIMITED', message: error.message });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ code: error.code ?? 'BAD_REQUEST', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ code: 'INTERNAL', message: 'internal error; see the hub log' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
}
