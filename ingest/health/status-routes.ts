import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { HubEventMap } from '../../api/kernel/events/hub-events.ts';
import { IdParams, responses } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { StatusHistory } from './status-history.ts';

const HEARTBEAT_MS = 15_000;

const StatusChange = Type.Object({
  at: Type.Integer(), status: Type.String(), previous: Type.String(), reason: Type.Union([Type.String(), Type.Null()]),
});

/**
 * Camera status for every logged-in user (the catalogue shows status to all of them): the history of one
 * camera, and a Server-Sent Events stream of changes. Open streams are ended when the hub closes, so
 * shutdown does not wait on them.
 */
export function registerStatusRoutes(app: FastifyInstance, ctx: HubContext, registry: CameraRegistry, history: StatusHistory): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });

  r.get('/cameras/status/stream', {
    config: { access: 'user', rawResponse: true, eventStream: true },
    schema: { tags: ['cameras'], summary: 'Server-Sent Events: `event: status` with {cameraId, status, previous, at, reason} on every status change' },
  }, async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    const send = (event: HubEventMap['camera.status'][0]) => {
      res.write(`event: status\ndata: ${JSON.stringify({ cameraId: event.cameraId, status: event.status, previous: event.previous, at: event.at, reason: event.reason ?? null })}\n\n`);
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const end = () => {
      if (!openStreams.delete(end)) return;
      clearInterval(heartbeat);
      ctx.events.off('camera.status', send);
      res.end();
    };
    openStreams.add(end);
    ctx.events.on('camera.status', send);
    request.raw.once('close', end);
    // Headers go out once subscribed: a client that has them misses no change after that point.
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': camera status stream\n\n');
  });

  r.get('/cameras/:id/status-history', {
    config: { access: 'user' },
    schema: {
      tags: ['cameras'], summary: 'Status changes of a camera, newest first', params: IdParams,
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
      response: responses({ 200: Type.Array(StatusChange) }),
    },
  }, async (request) => {
    await registry.get(request.params.id);
    return history.list(request.params.id, request.query.limit);
  });
}
