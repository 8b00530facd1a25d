import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { roleSatisfies } from '../kernel/http/route-access.ts';
import { unauthorized } from '../kernel/errors/hub-error.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import { Millis, responses } from '../kernel/http/common-schemas.ts';
import { sharingMetrics } from './prometheus-text.ts';
import { computeSharingFigures } from './sharing-figures.ts';

const Count = Type.Object({ departmentId: Type.String(), departmentName: Type.String(), count: Type.Integer() });
const Figures = Type.Object({
  at: Type.Integer(),
  governmentCameras: Type.Object({ total: Type.Integer(), shared: Type.Integer(), share: Type.Number() }),
  communityCameras: Type.Object({ registered: Type.Integer(), integrated: Type.Integer(), planned: Type.Integer(), share: Type.Number() }),
  cameras: Type.Object({ total: Type.Integer(), online: Type.Integer(), share: Type.Number() }),
  activeGrants: Type.Object({ total: Type.Integer(), byGrantee: Type.Array(Count), byOwner: Type.Array(Count) }),
  pendingRequests: Type.Object({
    count: Type.Integer(), oldestAgeMs: Type.Union([Type.Integer(), Type.Null()]),
    byOwner: Type.Array(Type.Object({ departmentId: Type.String(), departmentName: Type.String(), count: Type.Integer(), oldestAgeMs: Type.Integer() })),
  }),
  views: Type.Object({ since: Type.Integer(), total: Type.Integer(), byDepartment: Type.Array(Count) }),
});

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Sharing dashboard: /api/v1/dashboard/sharing (JSON, any logged-in user) and /metrics (Prometheus).
 * /metrics is internal: it answers the static bearer dashboard.metricsToken (for the scraper; compared in
 * constant time) or an access token of an admin or auditor, nobody else.
 */
export function createDashboardFeature(ctx: HubContext): HubFeature {
  const figures = (viewsSince?: number) => computeSharingFigures(ctx, { viewsSince, communityCamerasPlanned: ctx.config.dashboard.communityCamerasPlanned });

  async function assertMetricsReader(request: FastifyRequest): Promise<void> {
    const token = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw unauthorized('AUTH_REQUIRED', 'send the metrics token or an admin access token as "Authorization: Bearer <token>"');
    const configured = ctx.config.dashboard.metricsToken;
    if (configured && timingSafeEqual(digest(token), digest(configured))) return;
    const user = await ctx.tokens.verify(token).catch(() => undefined);
    if (!user || !roleSatisfies(user.role, ['auditor'])) throw unauthorized('METRICS_TOKEN_INVALID', 'the metrics need the metrics token or an admin/auditor access token');
  }

  return {
    name: 'dashboard',
    registerRoutes(app) {
      app.withTypeProvider<TypeBoxTypeProvider>().get('/dashboard/sharing', {
        config: { access: 'user' },
        schema: {
          tags: ['dashboard'], summary: 'Sharing figures computed live (views since `viewsSince`, default 30 days)',
          querystring: Type.Object({ viewsSince: Type.Optional(Millis) }, { additionalProperties: false }),
          response: responses({ 200: Figures }),
        },
      }, async (request) => figures(request.query.viewsSince));
    },
    registerRootRoutes(app) {
      // 'signed-url': the gate lets it through and the handler checks the credentials itself (metrics token).
      app.get('/metrics', {
        config: { access: 'signed-url', rawResponse: true },
        schema: { tags: ['dashboard'], summary: 'Prometheus metrics: metrics token or admin/auditor access token' },
      }, async (request, reply) => {
        await assertMetricsReader(request);
        reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
        return sharingMetrics(await figures()) + (await ctx.metrics.render());
      });
    },
  };
}
