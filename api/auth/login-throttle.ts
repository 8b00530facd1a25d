export interface LoginThrottleOptions {
  /** Failures per key before each further try has to wait. */
  freeFailures: number;
  /** First wait; doubles with each further failure. */
  backoffMs: number;
  /** The longest wait the doubling reaches. */
  maxDelayMs: number;
  /** A key's failures are forgotten after this long without a new one. */
  windowMs: number;
}

interface Entry {
  failures: number;
  lastAt: number;
}

/** One login try in flight, counted as a failure until `succeeded()` says otherwise. */
export interface LoginAttempt {
  account: string;
  source: string;
}

const MAX_ENTRIES = 200_000;
const MAX_KNOWN_SOURCES = 50_000;

/**
 * Slows down password guessing with a growing delay, never a fixed lockout, on three counters:
 * - per source address (`src:`): spraying many usernames from one address; another account's success
 *   from that address does not reset it, so one valid login cannot buy unlimited guesses;
 * - per account and source (`pair:`): guessing one password from one address;
 * - per account (`acct:`): guessing from many addresses. An address this account has logged in from
 *   before skips this counter, so strangers failing against `admin` do not keep its owner out.
 * A try is counted before the password is checked (scrypt is slow), so parallel tries cannot all slip
 * through; a success takes its own count back. In memory: one hub process serves the API.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly knownSources = new Map<string, number>();

  constructor(private readonly o: LoginThrottleOptions) {}

  /** Milliseconds until this account may be tried from this source; 0 = now. */
  retryAfter(account: string, source: string, now = Date.now()): number {
    let wait = 0;
    for (const key of this.gatingKeys(account, source)) {
      const entry = this.live(key, now);
      if (entry) wait = Math.max(wait, entry.lastAt + this.delay(entry.failures) - now);
    }
    return Math.max(0, wait);
  }

  /** Counts a try as failed up front; call succeeded() when the password was right. */
  begin(account: string, source: string, now = Date.now()): LoginAttempt {
    for (const key of this.allKeys(account, source)) {
      const entry = this.live(key, now) ?? { failures: 0, lastAt: now };
      entry.failures++;
      entry.lastAt = now;
      // Re-inserted so that Map order is least-recently-failed first, for eviction.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    if (this.entries.size > MAX_ENTRIES) this.prune(now);
    return { account, source };
  }

  /** The right password: the account's counters clear, the source only takes back this try. */
  succeeded(attempt: LoginAttempt, now = Date.now()): void {
    const { account, source } = attempt;
    this.entries.delete(`acct:${account}`);
    this.entries.delete(`pair:${account}\n${source}`);
    const src = this.entries.get(`src:${source}`);
    if (src && --src.failures <= 0) this.entries.delete(`src:${source}`);
    const known = `${account}\n${source}`;
    this.knownSources.delete(known);
    this.knownSources.set(known, now);
    if (this.knownSources.size > MAX_KNOWN_SOURCES) this.knownSources.delete(this.knownSources.keys().next().value!);
  }

  private delay(failures: number): number {
    if (failures < this.o.freeFailures) return 0;
    return Math.min(this.o.maxDelayMs, this.o.backoffMs * 2 ** Math.min(30, failures - this.o.freeFailures));
  }

  private allKeys(account: string, source: string): string[] {
    return [`src:${source}`, `pair:${account}\n${source}`, `acct:${account}`];
  }

  private gatingKeys(account: string, source: string): string[] {
    const keys = this.allKeys(account, source);
    return this.knownSources.has(`${account}\n${source}`) ? keys.slice(0, 2) : keys;
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.lastAt > this.o.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.lastAt > this.o.windowMs) this.entries.delete(key);
    }
    // Still too many (a flood from many addresses): drop the longest-quiet counters first.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES * 0.9) break;
      this.entries.delete(key);
    }
  }
}
