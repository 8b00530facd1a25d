import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay of this process (tests run the hub in-process), p99 and max in ms. The test's own
 * client and the simulated devices share the loop, so a figure under the limit bounds the hub's share.
 */
export class LoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  start(): void {
    this.histogram.reset();
    this.histogram.enable();
  }

  stop(): { p99Ms: number; maxMs: number } {
    this.histogram.disable();
    return { p99Ms: this.histogram.percentile(99) / 1e6, maxMs: this.histogram.max / 1e6 };
  }
}
