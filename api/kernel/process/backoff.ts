export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up after this many consecutive failed attempts; retry forever when omitted. */
  maxAttempts?: number;
}

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so that many cameras
 * failing together do not retry in lock-step.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
