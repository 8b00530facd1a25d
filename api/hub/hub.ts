import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp, REDACTED_LOG_PATHS } from './http-app.ts';
import { AuditCheckpointer, checkpointFileOf } from '../audit/audit-checkpoints.ts';
import { auditKeyringOf } from '../audit/audit-keys.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { TokenService } from '../kernel/auth/token-service.ts';
import type { HubConfig } from './hub-config.ts';
import { SecretBox } from '../kernel/crypto/secret-box.ts';
import { openDatabase, type HubDatabase } from '../kernel/db/database.ts';
import { ensurePrivateDirSync } from '../kernel/fs/private-files.ts';
import { migrateToLatest } from '../kernel/db/migrator.ts';
import { HubEvents } from '../kernel/events/hub-events.ts';
import { MetricsRegistry } from '../kernel/metrics/metrics-registry.ts';
import { GrantRepository } from '../access/grant-repository.ts';
import { DirectoryService } from '../directory/directory-service.ts';
import { CameraRepository } from '../../ingest/registry/camera-repository.ts';
import { startPrivateRedis, type PrivateRedis } from '../kernel/redis/private-redis.ts';
import { RedisConnections } from '../kernel/redis/redis-connections.ts';
import { ensureFirstRunAdmin, type FirstRunAdmin } from './first-run.ts';
import type { HubContext } from './hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import { composeFeatures, featuresForRole, type FeatureName, type HubServices } from './hub-services.ts';
import { RetentionJob } from './retention-job.ts';
import { ClusterNode } from '../kernel/cluster/cluster-node.ts';
import { resolveNodeId } from '../kernel/cluster/cluster-config.ts';
import { startClusterMembership, type ClusterMembership } from './cluster-membership.ts';

export interface StartHubOptions {
  config: HubConfig;
  logger?: Logger;
  /** The features to run (tests run a subset); defaults to those of config.cluster.role (every feature for 'all'). */
  features?: readonly FeatureName[];
  /** Listen on config.http.port (default true); tests use port 0. */
  listen?: boolean;
}

/**
 * The running hub: database, Redis, features and the HTTP API, started in that order and stopped in
 * reverse. SIGTERM handling lives in the CLI; stop() is the graceful path.
 */
export class Hub {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly ctx: HubContext,
    readonly app: FastifyInstance,
    readonly features: HubFeature[],
    /** Services of the running features, typed (undefined for a feature that is off). */
    readonly services: HubServices,
    /** The retention pass over every feature's tables (runOnce for tests and tools). */
    readonly retention: RetentionJob,
    /** Publishes the audit chain's head outside the database (publish() for tests and tools). */
    readonly auditCheckpoints: AuditCheckpointer,
    readonly firstRunAdmin: FirstRunAdmin | undefined,
    private readonly state: { ready: boolean },
    private readonly database: HubDatabase,
    private readonly redis: PrivateRedis | undefined,
    /** This node's cluster part: its id, job leases and (when clustered) the cross-node event bus. */
    readonly membership: ClusterMembership,
    readonly url: string,
  ) {}

  static async start(options: StartHubOptions): Promise<Hub> {
    const { config } = options;
    const log = options.logger ?? pino({ level: config.log.level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } });
    const dataDir = resolve(config.dataDir);
    if (!ensurePrivateDirSync(dataDir)) log.warn({ dataDir }, 'could not make the data folder private (0700); other local users may read it');
    const database = openDatabase({ url: config.database.url, readUrl: config.database.readUrl, dataDir, poolSize: config.database.poolSize });
    let redis: PrivateRedis | undefined;
    let redisConnections: RedisConnections | undefined;
    let clusterUrl: (url: string) => void = () => {};
    let membership: ClusterMembership | undefined;
    let cluster: ClusterNode | undefined;
    try {
      const applied = await migrateToLatest(database.db);
      log.info({ database: database.description, migrations: applied }, 'database ready');
      if (!config.redis.url && config.redis.sentinels.length === 0) {
        redis = await startPrivateRedis({ dataDir, serverPath: config.redis.serverPath, logger: log });
        log.info({ redisPort: redis.port }, 'private redis-server started (password in its private config file)');
      }
      let publicUrl = config.http.publicUrl;
      const events = new HubEvents();
      const metrics = new MetricsRegistry();
      redisConnections = RedisConnections.fromConfig(config.redis, redis?.url);
      log.info({ redis: redisConnections.describe() }, 'redis clients connect here');
      // One id for this process, in the job leases, the event bus and the camera leases.
      const nodeId = resolveNodeId(config.cluster, config.http.port);
      membership = await startClusterMembership(config.cluster, { nodeId, redis: redisConnections, events, metrics, log });
      const audit = new AuditLog(database.db, auditKeyringOf(config.audit));
      const secrets = new SecretBox(config.credentials.encryptionKey, config.credentials.previousEncryptionKeys);
      const ctx: HubContext = {
        config,
        dataDir,
        db: database.db,
        readDb: database.readDb,
        log,
        redis: redisConnections,
        audit,
        tokens: new TokenService(config.auth.tokenSecret, config.auth.issuer, config.auth.tokenTtlSeconds),
        secrets,
        events,
        metrics,
        jobs: membership.jobs,
        cameras: new CameraRepository(database.db, secrets),
        grants: new GrantRepository(database.db),
        directory: new DirectoryService(database.db, audit),
        publicUrl: () => publicUrl,
      };
      if (config.cluster.enabled) {
        let listenUrl = '';
        ctx.cluster = cluster = ClusterNode.create({
          config: config.cluster, nodeId, redis: ctx.redis, tokenSecret: config.auth.tokenSecret,
          url: () => (config.cluster.advertiseUrl || listenUrl).replace(/\/$/, ''), capacity: config.relay.maxStreams,
          cameraIds: () => ctx.cameras.ids(), log,
        });
        clusterUrl = (url) => { listenUrl = url; };
      }
      if (config.credentials.previousEncryptionKeys.length > 0) {
        log.info({ resealed: await ctx.cameras.resealCredentials() }, 'camera credentials sealed by a retired key were sealed again with the current one');
      }
      const firstRunAdmin = await ensureFirstRunAdmin(ctx);
      const { features, services } = composeFeatures(ctx, options.features ?? featuresForRole(config.cluster.role));
      const state = { ready: false };
      const app = await buildApp(ctx, features, state);
      for (const feature of features) await feature.start?.();
      const retention = new RetentionJob(features, config.retention.intervalMinutes, log, membership.jobs);
      retention.start();
      const auditCheckpoints = new AuditCheckpointer(database.db, audit.keys, checkpointFileOf(dataDir), config.audit.checkpointIntervalMinutes, log.child({ component: 'audit-checkpoints' }));
      await auditCheckpoints.start();
      let url = '';
      if (options.listen !== false) {
        const address = await app.listen({ host: config.http.host, port: config.http.port });
        url = address.replace('[::1]', 'localhost');
        publicUrl ||= url;
      } else {
        await app.ready();
      }
      // Only once it listens: the other nodes send viewers of its cameras here.
      clusterUrl(url.replace('localhost', '127.0.0.1'));
      await ctx.cluster?.start();
      if (ctx.cluster) {
        log.info({ node: ctx.cluster.nodeId }, 'cluster node joined');
        // A wildcard listen address is no address another node can use.
        if (!config.cluster.advertiseUrl && /^(0\.0\.0\.0|::|\[::\])$/.test(config.http.host)) log.warn('cluster.advertiseUrl is empty while the hub listens on all addresses: set it to the URL other nodes reach this one at');
      }
      state.ready = true;
      log.info({ url }, 'hub ready');
      return new Hub(ctx, app, features, services, retention, auditCheckpoints, firstRunAdmin, state, database, redis, membership, url);
    } catch (error) {
      await cluster?.stop().catch(() => {});
      await membership?.stop().catch(() => {});
      await redisConnections?.close();
      await redis?.stop().catch(() => {});
      await database.close().catch(() => {});
      throw error;
    }
  }

  get ready(): boolean {
    return this.state.ready;
  }

  /** Graceful stop: readiness off, in-flight requests finish, features and children stop, then exit. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    const { log, config } = this.ctx;
    this.state.ready = false;
    const budget = setTimeout(() => {
      log.warn('shutdown budget exceeded; closing remaining connections');
      this.app.server.closeAllConnections?.();
    }, config.shutdown.graceMs);
    budget.unref();
    try {
      // Cameras handed over first, so the other nodes take them while this one winds down.
      await this.ctx.cluster?.stop();
      await this.app.close();
      await this.retention.stop();
      for (const feature of [...this.features].reverse()) {
        await feature.stop?.().catch((error: Error) => log.error({ err: error, feature: feature.name }, 'feature failed to stop'));
      }
      await this.ctx.audit.flush();
      await this.auditCheckpoints.stop().catch((error: Error) => log.error({ err: error }, 'last audit checkpoint could not be published'));
    } finally {
      clearTimeout(budget);
      await this.membership.stop().catch((error: Error) => log.error({ err: error }, 'cluster membership did not stop cleanly'));
      await this.ctx.redis.close();
      await this.redis?.stop().catch(() => {});
      await this.database.close().catch(() => {});
      log.info('hub stopped');
    }
  }
}
