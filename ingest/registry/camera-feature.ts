import type { HubContext } from '../../api/hub/hub-context.ts';
import type { ProvidingFeature } from '../../api/hub/hub-feature.ts';
import { CameraRegistry } from './camera-registry.ts';
import { registerCameraRoutes } from './camera-routes.ts';

/** The camera catalogue; provides the registry to ingest, the relay and analytics. */
export function createCameraFeature(ctx: HubContext): ProvidingFeature<CameraRegistry> {
  const registry = new CameraRegistry(ctx.db, ctx.cameras, ctx.events);
  return {
    name: 'cameras',
    provides: registry,
    registerRoutes: (app) => registerCameraRoutes(app, ctx, registry),
  };
}
