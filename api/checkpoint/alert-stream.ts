import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizeCamera } from '../access/camera-access.ts';
import type { AuthUser } from '../kernel/auth/token-service.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointAlert } from './checkpoint-alert.ts';

const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events of watchlist alerts. Each alert goes to a client only if that user may see the pass's
 * camera (scope `events`), decided per alert so a revoked grant stops the flow at once. closeAll() ends
 * every stream so the HTTP server can close (SSE responses never go idle on their own).
 */
export class AlertStream {
  private readonly clients = new Set<() => void>();

  constructor(private readonly ctx: HubContext) {}

  get size(): number {
    return this.clients.size;
  }

  open(request: FastifyRequest, reply: FastifyReply, user: AuthUser): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    const onAlert = (alert: CheckpointAlert) => {
      authorizeCamera(this.ctx, user, alert.cameraId, 'events')
        .then((decision) => {
          if (decision.allowed && !res.writableEnded) res.write(`id: ${alert.id}\nevent: alert\ndata: ${JSON.stringify(alert)}\n\n`);
        })
        .catch((error: Error) => this.ctx.log.warn({ err: error }, 'alert stream: access check failed'));
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const close = () => {
      if (!this.clients.delete(close)) return;
      clearInterval(heartbeat);
      this.ctx.events.off('checkpoint.alert', onAlert);
      if (!res.writableEnded) res.end();
    };
    this.clients.add(close);
    this.ctx.events.on('checkpoint.alert', onAlert);
    request.raw.on('close', close);
    res.on('error', close);
  }

  closeAll(): void {
    for (const close of [...this.clients]) close();
  }
}
