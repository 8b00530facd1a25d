/**
 * Every BullMQ queue of the hub, in one place: a newcomer (or an operator looking at Redis keys) finds here
 * what each queue carries and who produces and consumes it. Redis keys are `<prefix>:<name>:*`; the prefix
 * carries the feature's name because BullMQ forbids ':' in the queue name itself.
 */
export interface QueueAddress {
  readonly prefix: string;
  readonly name: string;
}

export const QUEUES = {
  /**
   * Closed passes, from the analytics pipeline to the checkpoint store; durable (job id = pass id).
   * Producer and consumer: analytics/pipeline/pass-queue.ts.
   */
  passes: { prefix: 'analytics', name: 'passes' },
  /**
   * JPEG frames for remote inference workers, when analytics.remoteFrames is on. Producer:
   * analytics/pipeline/remote-analyser.ts; consumers: analytics/pipeline/remote-worker.ts (`npm run worker`).
   */
  frames: { prefix: 'analytics', name: 'frames' },
} as const satisfies Record<string, QueueAddress>;

/** `prefix:name`, as the queue's keys start in Redis. */
export function queueKey(queue: QueueAddress): string {
  return `${queue.prefix}:${queue.name}`;
}
