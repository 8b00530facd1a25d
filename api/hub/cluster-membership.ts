import type { Logger } from 'pino';
import { ClusterBus } from '../kernel/cluster/cluster-bus.ts';
import type { ClusterConfig } from '../kernel/cluster/cluster-config.ts';
import { ClusterJobs } from '../kernel/cluster/cluster-jobs.ts';
import type { HubEventName, HubEvents } from '../kernel/events/hub-events.ts';
import type { MetricsRegistry } from '../kernel/metrics/metrics-registry.ts';
import type { RedisConnections } from '../kernel/redis/redis-connections.ts';
import '../access/grant-events.ts';
import '../access/notification-events.ts';
import '../checkpoint/checkpoint-events.ts';
import '../../analytics/crowd/crowd-events.ts';
import '../../ingest/registry/camera-events.ts';

/**
 * The events every node of a cluster must hear, wherever they were emitted. Each listener of these acts on
 * its own node's state only, so running it on every node is right, and once per node:
 * - grant ends: each node cuts its own live and playback sessions on the grant, tells its own streams;
 * - watchlist and crowd alerts, console notifications: each node writes them to its own SSE clients
 *   (the recorder triggers only cameras it records here);
 * - camera changes: each node refreshes the pulls, pipelines and caches it holds for the camera.
 * Not bridged: camera.status (written to the status history by the emitting node), checkpoint.passes and
 * analytics.motion (they start recordings where the camera's pipeline runs).
 */
export const CLUSTER_EVENTS: readonly HubEventName[] = [
  'grant.revoked', 'grant.expired', 'checkpoint.alert', 'crowd.alert', 'notification.created', 'camera.changed',
];

/** What every hub has of the cluster: job leases always, the cross-node event bus when clustered. The camera leases are ClusterNode's (api/kernel/cluster/cluster-node.ts). */
export interface ClusterMembership {
  nodeId: string;
  jobs: ClusterJobs;
  /** Undefined when the hub runs alone. */
  bus: ClusterBus | undefined;
  stop(): Promise<void>;
}

/** This hub's part in a cluster: the job leases always (they just run the job when alone), the event bus when clustered. */
export async function startClusterMembership(config: ClusterConfig, deps: { nodeId: string; redis: RedisConnections; events: HubEvents; metrics: MetricsRegistry; log: Logger }): Promise<ClusterMembership> {
  const { nodeId } = deps;
  const log = deps.log.child({ component: 'cluster', nodeId });
  const jobs = new ClusterJobs({ enabled: config.enabled, nodeId, redis: deps.redis, leaseTtlMs: config.leaseTtlMs, heartbeatMs: config.heartbeatMs, log });
  let bus: ClusterBus | undefined;
  if (config.enabled) {
    bus = new ClusterBus({ events: deps.events, redis: deps.redis, nodeId, names: CLUSTER_EVENTS, log });
    await bus.start();
    const counts = bus.counts;
    deps.metrics.add('cluster-bus', () => [
      '# HELP hub_cluster_events_total Hub events this node published to, and received from, the other nodes', '# TYPE hub_cluster_events_total counter',
      `hub_cluster_events_total{direction="published"} ${counts.published}`, `hub_cluster_events_total{direction="received"} ${counts.received}`,
      '# HELP hub_cluster_resyncs_total Times the event bus came back after a Redis cut', '# TYPE hub_cluster_resyncs_total counter',
      `hub_cluster_resyncs_total ${counts.resyncs}`, '',
    ].join('\n'));
    log.info({ events: CLUSTER_EVENTS }, 'cluster node: events cross nodes, background jobs run once cluster-wide');
  }
  deps.metrics.add('cluster-jobs', () => jobs.metrics());
  return {
    nodeId, jobs, bus,
    stop: async () => {
      await bus?.stop();
      await jobs.stop();
    },
  };
}
