import { ClusterJobs } from '../../api/kernel/cluster/cluster-jobs.ts';
import { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';

/**
 * A stand-in for a hub node that takes a background job's lease and hangs in the run (renewing the lease
 * as a live node does) until it is killed: `node --import tsx lease-holder.ts <redisUrl> <job> <ttlMs> <heartbeatMs>`.
 * Prints `holding <fence>` once it has the lease.
 */
const [redisUrl, job, ttl, heartbeat] = process.argv.slice(2);
const jobs = new ClusterJobs({ enabled: true, nodeId: 'doomed', redis: RedisConnections.fromUrl(redisUrl!), leaseTtlMs: Number(ttl), heartbeatMs: Number(heartbeat), log: console });
for (;;) {
  const ran = await jobs.once(job!, 60_000, ({ fence }) => {
    process.stdout.write(`holding ${fence}\n`);
    return new Promise<never>(() => {});
  });
  if (ran === undefined) await new Promise((r) => setTimeout(r, 100));
}
