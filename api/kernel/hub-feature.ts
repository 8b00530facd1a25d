import type { FastifyInstance } from 'fastify';

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

/**
 * One concern of the hub (ingest, relay, analytics, checkpoint, access, …). Features are built and
 * started by api/hub/hub-services.ts and stop in reverse; routes are registered under /api/v1 unless the
 * feature says otherwise.
 */
export interface HubFeature {
  name: string;
  registerRoutes?(app: FastifyInstance): void | Promise<void>;
  /** Routes outside /api/v1 (the player page, media files); same access rules. */
  registerRootRoutes?(app: FastifyInstance): void | Promise<void>;
  start?(): Promise<void>;
  /** Stop background work; in-flight work finishes first. */
  stop?(): Promise<void>;
  readiness?(): Promise<ReadinessCheck>;
  /**
   * Deletes this feature's rows past their retention (set in its own config section); returns the rows
   * deleted per data class. Called by the hub's retention job (retention-job.ts).
   */
  prune?(now: number): Promise<Record<string, number>>;
}

/**
 * A feature that hands services to features built after it. The composition root passes them on as typed
 * factory arguments; there is no lookup by name.
 */
export interface ProvidingFeature<S> extends HubFeature {
  readonly provides: S;
}
