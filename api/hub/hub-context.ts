import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { CameraRepository } from '../../ingest/registry/camera-repository.ts';
import type { GrantRepository } from '../access/grant-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { TokenService } from '../kernel/auth/token-service.ts';
import type { HubConfig } from './hub-config.ts';
import type { SecretBox } from '../kernel/crypto/secret-box.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { DirectoryService } from '../directory/directory-service.ts';
import type { HubEvents } from '../kernel/events/hub-events.ts';
import type { MetricsRegistry } from '../kernel/metrics/metrics-registry.ts';
import type { ClusterNode } from '../kernel/cluster/cluster-node.ts';
import type { ClusterJobs } from '../kernel/cluster/cluster-jobs.ts';
import type { RedisConnections } from '../kernel/redis/redis-connections.ts';

/** What every feature gets: the hub's shared kernel. Services of other features come as factory arguments (hub-services.ts). */
export interface HubContext {
  config: HubConfig;
  /** Absolute path of config.dataDir. */
  dataDir: string;
  db: Kysely<Database>;
  /** Searches and lists only, never writes: the streaming replica of database.readUrl, or db itself. */
  readDb: Kysely<Database>;
  log: Logger;
  /** The one way to Redis (configured URL, Sentinels, or the private redis-server): clients and BullMQ options. */
  redis: RedisConnections;
  audit: AuditLog;
  tokens: TokenService;
  secrets: SecretBox;
  events: HubEvents;
  /** Features add their /metrics lines here (the dashboard serves them). */
  metrics: MetricsRegistry;
  /** The only owner of the cameras table (and of the sealed credentials). */
  cameras: CameraRepository;
  /** The only owner of the grants table, and of the active-grant rule. */
  grants: GrantRepository;
  /** Creates users and departments. */
  directory: DirectoryService;
  /** This process as a node of a hub cluster (cluster.enabled): its camera leases; undefined when the hub runs alone. */
  cluster?: ClusterNode;
  /**
   * Background jobs that must run once cluster-wide go through jobs.once() (a Redis lease per period when
   * cluster.enabled; alone, the job just runs). jobs.nodeId names this node.
   */
  jobs: ClusterJobs;
  /** Base URL the hub is reachable at (set once it listens). */
  publicUrl(): string;
}
