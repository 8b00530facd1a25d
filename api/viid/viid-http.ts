import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../kernel/errors/domain-error.ts';
import { toHubError } from '../kernel/errors/domain-error-status.ts';
import { MovableBody } from './movable-body.ts';
import { countObjectKeys, SCAN_ABOVE_BYTES } from './objects/object-count.ts';
import { responseStatus, STATUS, statusObject, ViidError, type StatusCode } from './viid-status.ts';

/** The standard's media type; replies carry it, requests may send it or any other JSON type. */
export const VIID_MEDIA_TYPE = 'application/VIID+JSON;charset=UTF-8';

/** application/json, application/VIID+JSON, application/<anything>+json, any parameters, any case. */
const JSON_TYPES = /^application\/(?:[\w.!#$&^-]+\+)?json(?:\s*;|$)/i;

export interface ViidBodyLimits {
  bodyLimitBytes: number;
  bodyTimeoutMs: number;
  /** Most MotorVehicleObjects per request: a larger batch is refused before JSON.parse (which would hold the event loop). */
  maxObjects: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The /VIID route receives its JSON body as bytes (a MovableBody) and parses it elsewhere (a writer thread). */
    viidRawBody?: boolean;
  }
}

/** Errors of the body reader: the /VIID error handler turns them into status objects. */
const tooLarge = (limit: number) => new ViidError('VIID_BODY_TOO_LARGE', `the body is larger than ${limit} bytes`, 413, STATUS.invalidJsonContent);
const tooSlow = (ms: number) => new ViidError('VIID_BODY_TIMEOUT', `the body did not arrive within ${ms} ms`, 408, STATUS.otherError);

/**
 * Reads a body with the /VIID limits: refused as soon as Content-Length or the bytes read pass the limit,
 * and when the whole body has not arrived within bodyTimeoutMs (a trickling sender is cut, not waited for).
 */
function readBody(request: FastifyRequest, payload: NodeJS.ReadableStream, limits: ViidBodyLimits): Promise<MovableBody> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (declared > limits.bodyLimitBytes) {
      reject(tooLarge(limits.bodyLimitBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined, value?: MovableBody) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      payload.removeListener('data', onData);
      if (error) {
        // The rest is read and dropped, so the refusal reaches a sender that is still writing (bounded by http.requestTimeoutSeconds).
        payload.resume();
        reject(error);
      } else resolve(value!);
    };
    const timer = setTimeout(() => finish(tooSlow(limits.bodyTimeoutMs)), limits.bodyTimeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.bodyLimitBytes) finish(tooLarge(limits.bodyLimitBytes));
      else chunks.push(chunk);
    };
    payload.on('data', onData);
    payload.on('error', (error) => finish(error));
    payload.on('end', () => {
      if (!settled) finish(undefined, MovableBody.of(chunks, size));
    });
  });
}

/** A JSON body on the event loop (the small requests of every route but the push). */
function parseJsonBody(movable: MovableBody, limits: ViidBodyLimits): unknown {
  const body = Buffer.concat(movable.move().chunks, movable.size);
  if (body.length > SCAN_ABOVE_BYTES && countObjectKeys(body, limits.maxObjects) > limits.maxObjects) {
    throw new ViidError('VIID_BATCH_TOO_LARGE', `at most ${limits.maxObjects} objects per request; send smaller batches`, 413, STATUS.invalidJsonContent);
  }
  const text = body.toString('utf8');
  if (text.trim() === '') throw new ViidError('VIID_JSON_EMPTY', 'the body is empty', 400, STATUS.invalidJsonFormat);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ViidError('VIID_JSON_INVALID', 'the body is not valid JSON', 400, STATUS.invalidJsonFormat, { cause });
  }
}

/** The StatusCode a refusal carries when it is not a ViidError. */
function statusCodeFor(httpStatus: number, code: string): StatusCode {
  if (code === 'VALIDATION_FAILED' || code === 'JSON_INVALID') return STATUS.invalidJsonContent;
  if (httpStatus === 415) return STATUS.invalidJsonFormat;
  if (httpStatus === 413) return STATUS.invalidJsonContent;
  if (httpStatus === 429 || httpStatus === 503) return STATUS.deviceBusy;
  if (httpStatus >= 500) return STATUS.deviceError;
  return STATUS.invalidOperation;
}

export function sendStatus(reply: FastifyReply, httpStatus: number, requestUrl: string, statusCode: number, text: string, id = ''): FastifyReply {
  return reply.status(httpStatus).type(VIID_MEDIA_TYPE).send(statusObject(responseStatus(requestUrl, statusCode, text, id)));
}

/**
 * Makes an encapsulated scope speak GA/T 1400: JSON in any `application/*+json` type with the /VIID limits,
 * every refusal (401 with its Digest challenge, 404, 413, 415, malformed JSON, schema failures, server
 * errors) answered as a ResponseStatusObject, and replies typed application/VIID+JSON.
 */
export function installViidScope(scope: FastifyInstance, limits: ViidBodyLimits): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(JSON_TYPES, (request, payload, done) => {
    const raw = request.routeOptions.config?.viidRawBody === true;
    readBody(request, payload, limits).then((body) => (raw ? body : parseJsonBody(body, limits))).then((body) => done(null, body), (error: Error) => done(error, undefined));
  });
  scope.addHook('onRequest', async (_request, reply) => {
    reply.type(VIID_MEDIA_TYPE);
  });
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    const path = request.url.split('?')[0]!;
    const thrown: unknown = error;
    if (thrown instanceof ViidError) {
      if (thrown.challenge) reply.header('www-authenticate', thrown.challenge);
      if (thrown.status >= 500) request.log.error({ err: thrown }, thrown.message);
      return sendStatus(reply, thrown.status, path, thrown.statusCode, `${thrown.code}: ${thrown.message}`);
    }
    if (isDomainError(thrown)) {
      const answer = toHubError(thrown);
      if (answer.status >= 500) request.log.error({ err: thrown }, answer.message);
      return sendStatus(reply, answer.status, path, statusCodeFor(answer.status, answer.code), `${answer.code}: ${answer.message}`);
    }
    if (error.validation) return sendStatus(reply, 400, path, STATUS.invalidJsonContent, `VALIDATION_FAILED: ${error.message}`);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      request.log.error({ err: error }, 'unhandled error on a /VIID route');
      return sendStatus(reply, 500, path, STATUS.deviceError, 'INTERNAL: internal error; see the hub log');
    }
    const code = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE' : error.code ?? 'BAD_REQUEST';
    return sendStatus(reply, status, path, statusCodeFor(status, code), `${code}: ${error.message}`);
  });
  scope.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    sendStatus(reply, 404, path, STATUS.invalidOperation, `NOT_FOUND: no route ${request.method} ${path.slice(0, 200)}`);
  });
}
