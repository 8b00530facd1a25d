import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../kernel/http/route-access.ts';
import { IdParams, OkResponse, responses } from '../kernel/http/common-schemas.ts';
import { NotificationView } from './access-schemas.ts';
import type { NotificationCenter, StreamEvent } from './notification-center.ts';

/**
 * /access/notifications: the stored list, mark-read, and a Server-Sent Events stream. The stream needs
 * the bearer header like every route, so browsers read it with fetch() and a stream reader (EventSource
 * cannot send headers). Streams are ended when the app closes (preClose), so shutdown is not held up.
 */
export function registerNotificationRoutes(app: FastifyInstance, notifications: NotificationCenter, heartbeatSeconds: number): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['access'];
  const openStreams = new Set<() => void>();

  r.get('/access/notifications', {
    config: { access: 'user' },
    schema: {
      tags, summary: 'My notifications, newest first',
      querystring: Type.Object({ unreadOnly: Type.Optional(Type.Boolean()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
      response: responses({ 200: Type.Array(NotificationView) }),
    },
  }, async (request) => notifications.list(requireUser(request).id, request.query));

  r.post('/access/notifications/:id/read', {
    config: { access: 'user' },
    schema: { tags, summary: 'Mark one of my notifications read', params: IdParams, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    await notifications.markRead(requireUser(request).id, request.params.id);
    return { ok: true };
  });

  r.get('/access/notifications/stream', {
    config: { access: 'user', rawResponse: true, eventStream: true },
    schema: { tags, summary: 'Server-Sent Events: "notification" (mine) and "grant.ended" (my department)' },
  }, async (request, reply) => {
    const user = requireUser(request);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write('retry: 3000\n: connected\n\n');
    const send = (event: StreamEvent) => { raw.write(`event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`); };
    const unsubscribe = notifications.subscribe(user.id, user.departmentId, send);
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), heartbeatSeconds * 1000);
    heartbeat.unref();
    const release = () => {
      clearInterval(heartbeat);
      unsubscribe();
      openStreams.delete(end);
    };
    function end() {
      release();
      raw.end();
    }
    openStreams.add(end);
    request.raw.on('close', release);
  });

  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });
}
