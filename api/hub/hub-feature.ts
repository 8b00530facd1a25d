import type { FastifyInstance } from 'fastify';
import type { HubContext } from './hub-context.ts';

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/**
 * One concern of the hub (ingest, relay, analytics, checkpoint, access, …). Features start in list
 * order and stop in reverse; routes are registered under /api/v1 unless the feature says otherwise.
 */
export interface HubFeature {
  name: string;
  /** Services other features may use through ctx.service(name). */
  services?: Record<string, unknown>;
  registerRoutes?(app: FastifyInstance): void | Promise<void>;
  /** Routes outside /api/v1 (the player page, media files); same access rules. */
  registerRootRoutes?(app: FastifyInstance): void | Promise<void>;
  start?(): Promise<void>;
  /** Stop background work; in-flight work finishes first. */
  stop?(): Promise<void>;
  readiness?(): Promise<ReadinessCheck>;
}

export type HubFeatureFactory = (ctx: HubContext) => HubFeature | Promise<HubFeature>;
