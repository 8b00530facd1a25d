import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installCameraDenialAudit } from '../audit/camera-denial-audit.ts';
import { CurrentUserCheck } from '../kernel/auth/current-user.ts';
import { installRouteAccess } from '../kernel/http/route-access.ts';
import { forbidden } from '../kernel/errors/hub-error.ts';
import { installErrorHandler } from '../kernel/errors/error-handler.ts';
import type { HubContext } from './hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import { installConnectionCap, proxyList, timeoutOptions } from '../kernel/http/connection-limits.ts';
import { requestLogView } from '../kernel/http/request-log.ts';
import { isCrossOrigin } from '../kernel/http/same-origin.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { installApiRateLimit, installEventStreamCap, installHostCheck } from '../kernel/http/api-limits.ts';

/** Log fields that must never reach a log line. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', '*.password', '*.password_hash', '*.passwordHash',
  '*.credentials', '*.credentials_enc', '*.token', '*.tokenSecret', '*.encryptionKey', '*.chainKey', '*.sentinelPassword', '*.previousChainKeys', '*.previousEncryptionKeys', 'body.password',
];

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The HTTP API: one authorization gate, schemas on every route, errors as `{ code, message }`,
 * OpenAPI at /api/v1/openapi.json. Feature routes live under /api/v1.
 */
export async function buildApp(ctx: HubContext, features: HubFeature[], state: { ready: boolean }): Promise<FastifyInstance> {
  // Request lines carry URLs, and URLs carry play tokens and signatures: every route's `req` is scrubbed
  // here (a serializer on the logger fastify uses), not per route, so near-miss URLs are covered too.
  const requestLogger = (ctx.log as Logger).child({}, { serializers: { req: requestLogView } });
  const app = Fastify({
    loggerInstance: requestLogger as unknown as FastifyBaseLogger,
    bodyLimit: ctx.config.http.bodyLimitBytes,
    // Only the listed proxies' X-Forwarded-For is believed (request.ip feeds login throttling and audit).
    trustProxy: ctx.config.http.trustProxy === false ? false : [...ctx.config.http.trustProxy],
    ...timeoutOptions(ctx.config.http),
    // Unknown body fields are an error, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  installErrorHandler(app);
  installConnectionCap(app.server, ctx.config.http.maxConnectionsPerIp, proxyList(ctx.config.http.trustProxy), app.log);
  installHostCheck(app, ctx.config.http.publicUrl, ctx.config.http.allowedHosts);
  installRouteAccess(app, ctx.tokens, new CurrentUserCheck(ctx.db, ctx.config.auth.userRecheckSeconds), ctx.cluster?.hop);
  // After the route gate (its onRequest hook sets request.user, which keys the budget per user).
  await installApiRateLimit(app, ctx.config.http.rateLimitPerMinute);
  installEventStreamCap(app, ctx.config.http.maxEventStreamsPerUser);
  installCameraDenialAudit(app, ctx);

  // Browsers attach no credentials here (bearer tokens only), but refuse cross-origin writes outright.
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    if (isCrossOrigin(request.headers.origin, request.headers.host)) {
      throw forbidden('CROSS_ORIGIN_REFUSED', 'cross-origin requests may not change anything');
    }
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Camera sharing hub API', version: '1', description: 'Cross-department camera sharing, relay, analytics and checkpoint API' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });

  registerHealthRoutes(app, ctx, state, () => features);
  app.get('/api/v1/openapi.json', {
    config: { access: 'public', rawResponse: true },
    schema: { tags: ['meta'], summary: 'This OpenAPI document', response: { 200: Type.Object({}, { additionalProperties: true }) } },
  }, async () => app.swagger());

  await app.register(async (api) => {
    for (const feature of features) {
      if (feature.registerRoutes) await feature.registerRoutes(api.withTypeProvider<TypeBoxTypeProvider>());
    }
  }, { prefix: '/api/v1' });

  for (const feature of features) {
    if (feature.registerRootRoutes) await feature.registerRootRoutes(app);
  }
  return app;
}
