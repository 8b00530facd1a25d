import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';

/**
 * Settings of a hub cluster: several hub nodes on one PostgreSQL and one Redis. Off by default: one node,
 * every camera pulled here, behaviour as before. Other cluster concerns (events, run-once jobs) add their
 * own keys to this section.
 */
export const ClusterConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'run as one node of a cluster sharing database.url and redis.url: camera pulls are owned through leases in Redis, viewers of another node\'s camera are served through it, chosen events cross nodes, background jobs run once cluster-wide' }),
    nodeId: Type.String({ default: '', maxLength: 64, pattern: '^[A-Za-z0-9._-]*$', description: 'this node\'s id, unique in the cluster; empty = hostname-port, or random when the port is 0' }),
    advertiseUrl: Type.String({ default: '', maxLength: 512, description: 'http(s) base URL other nodes reach this node at (internal media hop); empty = the URL it listens on' }),
    leaseTtlMs: Type.Integer({ minimum: 1_000, maximum: 120_000, default: 5_000, description: 'a node (and its camera and job leases) counts as gone this long after its last heartbeat' }),
    heartbeatMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1_000, description: 'how often a node renews its heartbeat, camera and job leases and re-balances; well below leaseTtlMs' }),
    role: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('media'), Type.Literal('analytics')], { default: 'all', description: 'what this node runs (docs/DEPLOYING.md): all; api (API, player, workflow, checkpoint, playback, exports: pulls no camera); media (camera pulls, relay, recording, GB/T 28181); analytics (relay and analytics pipelines, checkpoint store)' }),
  },
  { additionalProperties: false, default: {} },
);

export type ClusterConfig = Static<typeof ClusterConfigSchema>;
export type NodeRole = ClusterConfig['role'];

/** The configured node id, else `<hostname>-<port>`, else (port 0: tests) a random one; stable for the process. */
export function resolveNodeId(config: ClusterConfig, port: number): string {
  if (config.nodeId) return config.nodeId;
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) || 'hub';
  return port > 0 ? `${host}-${port}` : `${host}-${randomBytes(4).toString('hex')}`;
}

/** Problems with the section that the schema cannot see. */
export function clusterProblems(config: ClusterConfig): string[] {
  const problems: string[] = [];
  if (config.heartbeatMs * 2 >= config.leaseTtlMs) problems.push('cluster.heartbeatMs must be less than half of cluster.leaseTtlMs (a lease must survive a late renewal)');
  if (config.advertiseUrl && !/^https?:\/\/[^/?#]+\/?$/.test(config.advertiseUrl)) problems.push('cluster.advertiseUrl must be an http(s) base URL without a path, e.g. http://10.0.0.5:8080');
  return problems;
}
