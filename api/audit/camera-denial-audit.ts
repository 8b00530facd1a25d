import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../kernel/errors/hub-error.ts';
import type { HubContext } from '../hub/hub-context.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route audits its own camera denials (snapshot, PTZ: one event with their own action). */
    auditsCameraDenials?: boolean;
  }
}

/** A camera route: its path names the camera (`/cameras/:id…`). */
const CAMERA_ROUTE = /\/cameras\/:id(\/|$)/;

/** The camera a refused request was about, if it was about one. */
function deniedCamera(request: FastifyRequest, error: HubError): string | undefined {
  const fromDecision = error.details?.cameraId;
  if (typeof fromDecision === 'string') return fromDecision;
  const params = request.params as { id?: unknown } | undefined;
  if (CAMERA_ROUTE.test(request.routeOptions.url ?? '') && typeof params?.id === 'string') return params.id;
  return undefined;
}

/**
 * Issue 13 #12: every refusal on a camera is audited in one place, whatever refused it: the camera
 * decision (`assertCameraAccess`, 403 CAMERA_ACCESS_DENIED, e.g. a cross-department play) or the role
 * gate on a camera route (403 ROLE_REQUIRED). One event `camera.access` / denied per refusal, with the
 * user, source address, route, scope and the decision's reason.
 */
export function installCameraDenialAudit(app: FastifyInstance, ctx: Pick<HubContext, 'audit' | 'log'>): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof HubError) || error.status !== 403 || !request.user) return;
    if (request.routeOptions.config?.auditsCameraDenials) return;
    const cameraId = deniedCamera(request, error);
    if (!cameraId) return;
    const user = request.user;
    try {
      await ctx.audit.append({
        action: 'camera.access', result: 'denied', reason: error.code, userId: user.id, username: user.username, departmentId: user.departmentId,
        targetType: 'camera', targetId: cameraId, clientIp: request.ip,
        details: { route: `${request.method} ${request.routeOptions.url ?? ''}`, role: user.role, ...(error.details ?? {}) },
      });
    } catch (cause) {
      ctx.log.error({ err: cause, cameraId }, 'camera denial could not be audited');
    }
  });
}
