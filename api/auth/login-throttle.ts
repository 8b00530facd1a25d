/**
 * Slows down password guessing: after `maxFailures` failures for one username or one client address
 * within the window, further attempts are refused until the lock expires. In memory: one hub process
 * serves the API; a restart resets it, which only gives an attacker a fresh five tries.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; firstAt: number; lockedUntil: number }>();

  constructor(private readonly maxFailures: number, private readonly lockMs: number) {}

  /** Milliseconds until a login for these keys may be tried again; 0 = now. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (entry && entry.lockedUntil > now) wait = Math.max(wait, entry.lockedUntil - now);
    }
    return wait;
  }

  recordFailure(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (!entry || now - entry.firstAt > this.lockMs) {
        this.failures.set(key, { count: 1, firstAt: now, lockedUntil: 0 });
        continue;
      }
      entry.count++;
      if (entry.count >= this.maxFailures) entry.lockedUntil = now + this.lockMs;
    }
    if (this.failures.size > 100_000) this.prune(now);
  }

  recordSuccess(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.failures) {
      if (entry.lockedUntil < now && now - entry.firstAt > this.lockMs) this.failures.delete(key);
    }
  }
}
