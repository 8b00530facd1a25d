import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { labelValue } from '../../kernel/metrics/metrics-registry.ts';
import type { Database } from '../../kernel/db/tables/index.ts';
import type { UpstreamStatus } from './upstream-link.ts';

const STATES = ['disabled', 'registering', 'online', 'retrying', 'stopped'] as const;

/** Prometheus text of gauges (the exposition format's # HELP / # TYPE lines, then the samples). */
class Gauges {
  private readonly lines: string[] = [];

  gauge(name: string, help: string, samples: Array<{ labels: Record<string, string>; value: number }>): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const { labels, value } of samples) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`).join(',');
      this.lines.push(`${name}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 0}`);
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/**
 * /metrics lines of the GA/T 1400 side: the upstream link (state, failures, registrations, keepalive age)
 * and the outbound queue of notifications and upward pushes (pending, delivered, failed).
 */
export async function viidMetrics(db: Kysely<Database>, upstream: UpstreamStatus, now = Date.now()): Promise<string> {
  const rows = await db.selectFrom('checkpoint_deliveries')
    .select(['kind', sql<string>`case when delivered_at is not null then 'delivered' when failed_at is not null then 'failed' else 'pending' end`.as('state'), db.fn.countAll<number>().as('n')])
    .where('kind', 'in', ['subscription', 'cascade'])
    .groupBy(['kind', sql`case when delivered_at is not null then 'delivered' when failed_at is not null then 'failed' else 'pending' end`])
    .execute();
  const labels = upstream.url ? { upstream: upstream.url, upstream_id: upstream.upstreamId ?? '' } : { upstream: '', upstream_id: '' };
  return new Gauges()
    .gauge('hub_viid_upstream_up', '1 when registered with the upstream 视图库 (cascade), else 0', [{ labels, value: upstream.state === 'online' ? 1 : 0 }])
    .gauge('hub_viid_upstream_state', 'Upstream link state (1 for the current one)', STATES.map((state) => ({ labels: { ...labels, state }, value: upstream.state === state ? 1 : 0 })))
    .gauge('hub_viid_upstream_failures', 'Consecutive failed register/keepalive attempts', [{ labels, value: upstream.failures }])
    .gauge('hub_viid_upstream_registrations', 'Successful registrations since start', [{ labels, value: upstream.registrations }])
    .gauge('hub_viid_upstream_keepalive_age_seconds', 'Seconds since the last successful keepalive (-1 = never)', [{ labels, value: upstream.lastKeepaliveAt === null ? -1 : Math.round((now - upstream.lastKeepaliveAt) / 1000) }])
    .gauge('hub_viid_outbound_messages', 'GA/T 1400 notifications (kind=subscription) and upward pushes (kind=cascade) by delivery state', rows.map((row) => ({ labels: { kind: row.kind, state: row.state }, value: Number(row.n) })))
    .toString();
}
