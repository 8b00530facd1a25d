import type { Redis } from 'ioredis';
import { HubError } from '../errors/hub-error.ts';

/** How many replicas must have a write before the hub acknowledges the work it holds; 0 = none asked. */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

export const NO_REPLICA_WAIT: ReplicaWait = { replicas: 0, timeoutMs: 1_000 };

/**
 * Redis replicates asynchronously: a write the master confirmed is lost if the master dies before a replica
 * has it and Sentinel promotes that replica. `WAIT n timeout` on the connection that wrote returns how many
 * replicas have every write of that connection so far; fewer than asked within the timeout is an error
 * (REDIS_NOT_REPLICATED, 503) instead of an acknowledgement. The write itself stays on the master.
 */
export async function waitForReplicas(client: Pick<Redis, 'call'>, wait: ReplicaWait, what: string): Promise<void> {
  if (wait.replicas <= 0) return;
  let confirmed: number;
  try {
    confirmed = Number(await client.call('WAIT', String(wait.replicas), String(wait.timeoutMs)));
  } catch (cause) {
    throw new HubError('REDIS_NOT_REPLICATED', `${what}: Redis WAIT failed: ${(cause as Error).message}`, 503, { cause, details: { asked: wait.replicas } });
  }
  if (confirmed < wait.replicas) {
    throw new HubError('REDIS_NOT_REPLICATED', `${what}: ${confirmed} of ${wait.replicas} Redis replicas confirmed within ${wait.timeoutMs} ms; not acknowledged`, 503, {
      details: { asked: wait.replicas, confirmed, timeoutMs: wait.timeoutMs },
    });
  }
}
