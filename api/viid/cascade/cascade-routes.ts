import { Type } from '@sinclair/typebox';
import { responses } from '../../kernel/http/common-schemas.ts';
import type { HubRoutes } from '../../kernel/hub-feature.ts';
import type { UpstreamLink } from './upstream-link.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** The upstream link as the dashboard shows it (never its credentials). */
const UpstreamView = Type.Object({
  configured: Type.Boolean(), url: Nullable(Type.String()), upstreamId: Nullable(Type.String()), ourId: Type.String(),
  state: Type.Union(['disabled', 'registering', 'online', 'retrying', 'stopped'].map((s) => Type.Literal(s))),
  registeredAt: Nullable(Type.Integer()), lastKeepaliveAt: Nullable(Type.Integer()), lastError: Nullable(Type.String()),
  failures: Type.Integer(), registrations: Type.Integer(), nextAttemptAt: Nullable(Type.Integer()),
});

/** GET /api/v1/viid/upstream: the cascade link's state (admins and auditors). */
export function registerCascadeRoutes(app: HubRoutes, link: UpstreamLink): void {
  app.get('/viid/upstream', {
    config: { access: ['auditor'] },
    schema: { tags: ['viid'], summary: 'State of the link to the upstream 视图库 (cascade)', response: responses({ 200: UpstreamView }) },
  }, async () => link.snapshot());
}
