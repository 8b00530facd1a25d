export interface PeriodicTaskOptions<T> {
  /** One pass of the work. A failure is reported through onError and the loop goes on. */
  run: () => Promise<T>;
  /**
   * Delay from the end of one pass to the start of the next: a fixed number, or chosen from the pass's
   * result (undefined when the pass failed); undefined from the function ends the loop.
   */
  everyMs: number | ((result: T | undefined) => number | undefined);
  onError: (error: Error) => void;
}

/**
 * The hub's one way of doing background work on a timer (sweeps, retention, delivery, health checks).
 * Single flight: the next pass is scheduled only when the previous one ended, so a slow database never
 * piles passes up; the timer is unref()ed, so it never keeps a process alive; stop() waits for the
 * running pass.
 */
export class PeriodicTask<T = unknown> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T | undefined> | undefined;
  private stopped = false;

  constructor(private readonly options: PeriodicTaskOptions<T>) {}

  /** Schedules the next pass after delayMs (default: the fixed interval), replacing any pass already scheduled. */
  start(delayMs?: number): void {
    this.stopped = false;
    const { everyMs } = this.options;
    this.schedule(delayMs ?? (typeof everyMs === 'number' ? everyMs : 0));
  }

  /** Runs a pass now, after the one in flight if any; the loop then goes on from this pass. */
  async runNow(): Promise<T | undefined> {
    while (this.running) await this.running;
    clearTimeout(this.timer);
    return this.pass();
  }

  /**
   * Runs a pass now unless one is in flight (that pass covers the kick): for an outside nudge that may come
   * in bursts, such as a file watcher, where queueing one pass per event would only repeat work.
   */
  kick(): void {
    if (this.running || this.stopped) return;
    clearTimeout(this.timer);
    void this.pass();
  }

  /** No pass starts any more; resolves once the one in flight (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    // A pass in flight when the timer fires schedules the next one itself when it ends.
    this.timer = setTimeout(() => { if (!this.running) void this.pass(); }, delayMs);
    this.timer.unref();
  }

  private pass(): Promise<T | undefined> {
    // Through a promise constructor, so a run that throws before its first await is reported like any failure.
    const running = new Promise<T>((resolve) => resolve(this.options.run())).then(
      (result) => result,
      (error: unknown) => {
        this.options.onError(error instanceof Error ? error : new Error(String(error)));
        return undefined;
      },
    ).then((result) => {
      this.running = undefined;
      const { everyMs } = this.options;
      const next = typeof everyMs === 'number' ? everyMs : everyMs(result);
      if (next !== undefined) this.schedule(next);
      return result;
    });
    this.running = running;
    return running;
  }
}
