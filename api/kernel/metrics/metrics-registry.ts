/** One feature's part of /metrics: Prometheus text exposition lines (with their # HELP and # TYPE). */
export type MetricsSource = () => string | Promise<string>;

/**
 * The features' contributions to /metrics. Each feature adds its source when it starts (the dashboard renders
 * them after the sharing figures), so /metrics needs no knowledge of what the other features count, and a
 * feature that is off simply contributes nothing. A failing source is reported as a comment, not a 500:
 * one broken figure must not blind the scraper to the rest.
 */
export class MetricsRegistry {
  private readonly sources = new Map<string, MetricsSource>();

  add(name: string, source: MetricsSource): void {
    this.sources.set(name, source);
  }

  remove(name: string): void {
    this.sources.delete(name);
  }

  async render(): Promise<string> {
    const parts: string[] = [];
    for (const [name, source] of this.sources) {
      try {
        const text = await source();
        if (text) parts.push(text.endsWith('\n') ? text : `${text}\n`);
      } catch (error) {
        parts.push(`# metrics source ${name} failed: ${String((error as Error)?.message ?? error).replace(/\s+/g, ' ').slice(0, 200)}\n`);
      }
    }
    return parts.join('');
  }
}

/** A Prometheus label value, escaped. */
export function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
