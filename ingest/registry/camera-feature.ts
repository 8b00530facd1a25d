import type { HubContext } from '../../api/hub/hub-context.ts';
import type { ProvidingFeature } from '../../api/kernel/hub-feature.ts';
import { CameraSupervisor } from '../health/camera-supervisor.ts';
import { CameraRegistry } from './camera-registry.ts';
import { registerCameraRoutes } from './camera-routes.ts';

/** What the camera feature provides to ingest, the relay and analytics. */
export interface CameraServices {
  registry: CameraRegistry;
  /** The one owner of each camera's status, fed by the health probe, the relay and the analytics sampler. */
  supervisor: CameraSupervisor;
}

/** The camera catalogue and the camera supervisor. */
export function createCameraFeature(ctx: HubContext): ProvidingFeature<CameraServices> {
  const registry = new CameraRegistry(ctx.db, ctx.cameras, ctx.events);
  const supervisor = new CameraSupervisor(registry, ctx.log);
  return {
    name: 'cameras',
    provides: { registry, supervisor },
    registerRoutes: (app) => registerCameraRoutes(app, ctx, registry),
  };
}
