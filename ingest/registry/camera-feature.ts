import type { HubContext } from '../../api/hub/hub-context.ts';
import type { HubFeature } from '../../api/hub/hub-feature.ts';
import { CameraSupervisor } from '../health/camera-supervisor.ts';
import { CameraRegistry } from './camera-registry.ts';
import { registerCameraRoutes } from './camera-routes.ts';

/**
 * The camera catalogue; publishes the registry as the 'cameras' service and the one owner of each camera's
 * status as 'camera-supervisor' (fed by the health probe, the relay and the analytics sampler).
 */
export function createCameraFeature(ctx: HubContext): HubFeature {
  const registry = new CameraRegistry(ctx.db, ctx.cameras, ctx.events);
  const supervisor = new CameraSupervisor(registry, ctx.log);
  return {
    name: 'cameras',
    services: { cameras: registry, 'camera-supervisor': supervisor },
    registerRoutes: (app) => registerCameraRoutes(app, ctx, registry),
  };
}
