import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { HubContext } from './hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';

const Check = Type.Object({ name: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) });

/** Liveness (/healthz: the process answers) and readiness (/readyz: it can do its work). */
export function registerHealthRoutes(app: FastifyInstance, ctx: HubContext, state: { ready: boolean }, features: () => HubFeature[]): void {
  app.get('/healthz', {
    config: { access: 'public' },
    schema: { tags: ['health'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Number() }) } },
  }, async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }));

  app.get('/readyz', {
    config: { access: 'public' },
    schema: {
      tags: ['health'], summary: 'Readiness: database, Redis and every feature',
      response: { 200: Type.Object({ ready: Type.Boolean(), checks: Type.Array(Check) }), 503: Type.Object({ ready: Type.Boolean(), checks: Type.Array(Check) }) },
    },
  }, async (_request, reply) => {
    const checks: Array<{ name: string; ok: boolean; detail?: string }> = [{ name: 'accepting', ok: state.ready, detail: state.ready ? undefined : 'starting or shutting down' }];
    checks.push(await timed('database', async () => { await sql`select 1`.execute(ctx.db); }));
    checks.push(await timed('redis', async () => {
      if (!(await ctx.redis.ping(500))) throw new Error('no PONG');
    }));
    for (const feature of features()) {
      if (!feature.readiness) continue;
      const result = await feature.readiness().catch((error: Error) => ({ ok: false, detail: error.message }));
      checks.push({ name: feature.name, ...result });
    }
    const ready = checks.every((check) => check.ok);
    reply.status(ready ? 200 : 503);
    return { ready, checks };
  });
}

async function timed(name: string, probe: () => Promise<void>, timeoutMs = 1_000): Promise<{ name: string; ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs); })]);
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
