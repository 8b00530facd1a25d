import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assertCameraAccess } from '../../api/access/camera-access.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import { IdParams, OkResponse, responses } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { PtzService } from './ptz-service.ts';

const Speed = Type.Number({ minimum: -1, maximum: 1 });
const MoveBody = Type.Object({
  pan: Type.Optional(Speed), tilt: Type.Optional(Speed), zoom: Type.Optional(Speed),
  timeoutMs: Type.Integer({ minimum: 100, maximum: 10_000, default: 1_000, description: 'the camera stops on its own after this' }),
}, { additionalProperties: false });
const PresetParams = Type.Object({
  id: IdParams.properties.id,
  token: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }),
});

/** PTZ behind the camera's 'ptz' scope (owner, admin, or a grant with ptz); every call audited. */
export function registerPtzRoutes(app: FastifyInstance, ctx: HubContext, ptz: PtzService): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const guarded = async <T>(request: FastifyRequest, cameraId: string, operation: string, details: Record<string, unknown>, run: () => Promise<T>): Promise<T> => {
    const user = requireUser(request);
    const audit = (result: 'ok' | 'denied' | 'failed', reason?: string) => ctx.audit.append({
      action: 'ptz', result, reason, userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'camera', targetId: cameraId, clientIp: request.ip, details: { operation, ...details },
    });
    try {
      await assertCameraAccess(ctx, user, cameraId, 'ptz');
    } catch (error) {
      if (error instanceof HubError && error.status === 403) await audit('denied', error.code);
      throw error;
    }
    try {
      const result = await run();
      await audit('ok');
      return result;
    } catch (error) {
      await audit('failed', error instanceof DomainError ? error.code : 'ERROR');
      throw error;
    }
  };

  r.post('/cameras/:id/ptz/move', {
    config: { access: 'user', auditsCameraDenials: true },
    schema: { tags: ['ptz'], summary: 'Continuous pan/tilt/zoom at the given speeds (-1..1) for timeoutMs', params: IdParams, body: MoveBody, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    const velocity = { pan: request.body.pan ?? 0, tilt: request.body.tilt ?? 0, zoom: request.body.zoom ?? 0 };
    await guarded(request, request.params.id, 'move', { ...velocity, timeoutMs: request.body.timeoutMs }, () => ptz.move(request.params.id, velocity, request.body.timeoutMs));
    return { ok: true };
  });

  r.post('/cameras/:id/ptz/stop', {
    config: { access: 'user', auditsCameraDenials: true },
    schema: { tags: ['ptz'], summary: 'Stop any PTZ movement', params: IdParams, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    await guarded(request, request.params.id, 'stop', {}, () => ptz.stop(request.params.id));
    return { ok: true };
  });

  r.get('/cameras/:id/ptz/presets', {
    config: { access: 'user', auditsCameraDenials: true },
    schema: { tags: ['ptz'], summary: 'The camera\'s PTZ presets', params: IdParams, response: responses({ 200: Type.Array(Type.Object({ token: Type.String(), name: Type.String() })) }) },
  }, async (request) => guarded(request, request.params.id, 'presets', {}, () => ptz.presets(request.params.id)));

  r.post('/cameras/:id/ptz/presets/:token/goto', {
    config: { access: 'user', auditsCameraDenials: true },
    schema: { tags: ['ptz'], summary: 'Move to a preset', params: PresetParams, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    await guarded(request, request.params.id, 'goto-preset', { preset: request.params.token }, () => ptz.gotoPreset(request.params.id, request.params.token));
    return { ok: true };
  });
}
