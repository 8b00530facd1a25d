import type { HubContext } from '../../api/hub/hub-context.ts';
import type { HubFeature } from '../../api/hub/hub-feature.ts';
import { CameraRegistry } from './camera-registry.ts';
import { registerCameraRoutes } from './camera-routes.ts';

/** The camera catalogue; publishes the registry as the 'cameras' service. */
export function createCameraFeature(ctx: HubContext): HubFeature {
  const registry = new CameraRegistry(ctx.db, ctx.cameras, ctx.events);
  return {
    name: 'cameras',
    services: { cameras: registry },
    registerRoutes: (app) => registerCameraRoutes(app, ctx, registry),
  };
}
