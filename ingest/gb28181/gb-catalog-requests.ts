import type { Logger } from 'pino';

export interface GbCatalogRequestsOptions {
  /** Sends one Catalog query (resolves once the device 200-OKed the MESSAGE). */
  query(deviceId: string): Promise<unknown>;
  /** True while the device is registered: nobody asks a device that left. */
  registered(deviceId: string): boolean;
  /** How long to wait for the answer's first part before asking again. */
  answerTimeoutMs: number;
  /** Queries at most this many times per registration. */
  maxAttempts?: number;
  /** First pause before asking again (doubles, with jitter, up to maxBackoffMs). */
  backoffMs?: number;
  maxBackoffMs?: number;
  log: Pick<Logger, 'warn'>;
}

interface Asking {
  attempt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Asks a device for its catalogue until an answer arrives. A query lost on its way (a device busy
 * booting, a MESSAGE refused, an answer dropped on a loaded network) would otherwise leave a registered
 * NVR with no cameras until it registers again, hours later; wvp re-syncs for the same reason.
 */
export class GbCatalogRequests {
  private readonly asking = new Map<string, Asking>();
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly o: GbCatalogRequestsOptions) {
    this.maxAttempts = o.maxAttempts ?? 6;
    this.backoffMs = o.backoffMs ?? 2_000;
    this.maxBackoffMs = o.maxBackoffMs ?? 60_000;
  }

  /** Starts asking (again from the first attempt when it was asking already: a new registration). */
  request(deviceId: string): void {
    this.cancel(deviceId);
    const asking: Asking = { attempt: 0 };
    this.asking.set(deviceId, asking);
    this.ask(deviceId, asking);
  }

  /** A catalogue answer (or its first part) came in: stop asking. */
  answered(deviceId: string): void {
    this.cancel(deviceId);
  }

  /** The device left, or the hub stops. */
  cancel(deviceId: string): void {
    const asking = this.asking.get(deviceId);
    if (!asking) return;
    clearTimeout(asking.timer);
    this.asking.delete(deviceId);
  }

  stop(): void {
    for (const id of [...this.asking.keys()]) this.cancel(id);
  }

  /** Devices still waited on (for tests and metrics). */
  pending(): string[] {
    return [...this.asking.keys()];
  }

  private ask(deviceId: string, asking: Asking): void {
    if (this.asking.get(deviceId) !== asking) return;
    if (!this.o.registered(deviceId)) return this.cancel(deviceId);
    asking.attempt++;
    const attempt = asking.attempt;
    const retry = (why: string) => {
      if (this.asking.get(deviceId) !== asking) return;
      if (attempt >= this.maxAttempts) {
        this.o.log.warn({ deviceId, attempts: attempt }, `GB28181: no catalogue from the device (${why}); not asking again until it registers again`);
        return this.cancel(deviceId);
      }
      const pause = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      this.o.log.warn({ deviceId, attempt, retryInMs: Math.round(pause) }, `GB28181: no catalogue from the device (${why}); asking again`);
      clearTimeout(asking.timer);
      asking.timer = setTimeout(() => this.ask(deviceId, asking), pause);
      asking.timer.unref();
    };
    // The answer arrives as its own MESSAGE: wait for it from the moment the query is sent.
    asking.timer = setTimeout(() => retry(`no answer within ${this.o.answerTimeoutMs} ms`), this.o.answerTimeoutMs);
    asking.timer.unref();
    this.o.query(deviceId).catch((error: Error) => retry(error.message));
  }
}
