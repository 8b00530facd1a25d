import { HubError } from '../../api/kernel/errors/hub-error.ts';

export interface ScanLimits {
  scansPerUserPerMinute: number;
  scansPerMinute: number;
}

const MINUTE_MS = 60_000;

/**
 * Issue 13 #7: discovery scans send datagrams from the hub, so they are budgeted: one scan at a time
 * hub-wide, and a sliding one-minute budget per user and for the whole hub. Refusals are 429 with a
 * stable code and `retryAfterSeconds` in the error details (the route sets Retry-After).
 */
export class ScanLimiter {
  private running = false;
  private readonly hubStarts: number[] = [];
  private readonly userStarts = new Map<string, number[]>();

  constructor(private readonly limits: ScanLimits) {}

  /** Takes the scan slot for this user or throws; call the returned function when the scan ends. */
  begin(userId: string, now = Date.now()): () => void {
    if (this.running) throw refusal('DISCOVERY_SCAN_BUSY', 'another discovery scan is running; try again when it has finished', 1);
    const hub = recent(this.hubStarts, now);
    const mine = recent(this.userStarts.get(userId) ?? [], now);
    this.userStarts.set(userId, mine);
    if (mine.length >= this.limits.scansPerUserPerMinute) {
      throw refusal('DISCOVERY_SCAN_RATE_LIMITED', `at most ${this.limits.scansPerUserPerMinute} discovery scans per minute per user`, waitSeconds(mine, now));
    }
    if (hub.length >= this.limits.scansPerMinute) {
      throw refusal('DISCOVERY_SCAN_RATE_LIMITED', `at most ${this.limits.scansPerMinute} discovery scans per minute on this hub`, waitSeconds(hub, now));
    }
    hub.push(now);
    mine.push(now);
    this.running = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running = false;
    };
  }
}

/** Drops starts older than a minute (in place) and returns the list. */
function recent(starts: number[], now: number): number[] {
  while (starts.length > 0 && starts[0]! <= now - MINUTE_MS) starts.shift();
  return starts;
}

const waitSeconds = (starts: number[], now: number) => Math.max(1, Math.ceil((starts[0]! + MINUTE_MS - now) / 1_000));

const refusal = (code: string, message: string, retryAfterSeconds: number) =>
  new HubError(code, message, 429, { details: { retryAfterSeconds } });
