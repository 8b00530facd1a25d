import { Type, type Static } from '@sinclair/typebox';

/**
 * Running several hub nodes on one PostgreSQL and one Redis (docs/DEPLOYING.md). Off by default: one hub
 * process (SQLite or PostgreSQL) needs none of it and behaves as before.
 */
export const ClusterConfigSchema = Type.Object({
  enabled: Type.Boolean({ default: false, description: 'this hub is one node of a cluster sharing database.url and redis.url: events cross nodes, background jobs run once cluster-wide' }),
  nodeId: Type.String({ default: '', maxLength: 64, pattern: '^[A-Za-z0-9._-]*$', description: 'this node\'s name in the cluster, unique per node; empty = <hostname>-<pid>' }),
  advertiseUrl: Type.String({ default: '', description: 'URL other nodes reach this node at (internal network); empty = the URL it listens on' }),
  leaseTtlMs: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 10_000, description: 'a lease a dead node held (a camera, a background job run) is free after this long' }),
  role: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('media'), Type.Literal('analytics')], { default: 'all', description: 'what this node runs (docs/DEPLOYING.md): all; api (API, player, workflow, checkpoint, playback, exports: pulls no camera); media (camera pulls, relay, recording, GB/T 28181); analytics (relay and analytics pipelines, checkpoint store)' }),
  heartbeatMs: Type.Integer({ minimum: 200, maximum: 60_000, default: 3_000, description: 'how often a node renews the leases it holds (well under leaseTtlMs)' }),
}, { additionalProperties: false, default: {} });

export type ClusterConfig = Static<typeof ClusterConfigSchema>;
export type NodeRole = ClusterConfig['role'];
