import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { recordFault } from '../faults/fault-table.ts';
import { startClusterNodes, type ClusterNodes } from './cluster-nodes.ts';

const FEATURES = ['auth', 'directory', 'access', 'audit'] as const;
const HOLDER = fileURLToPath(new URL('./lease-holder.ts', import.meta.url));

/** A grant from public security to traffic ending at endsAt, written straight to the shared database. */
async function grantEndingAt(t: TestHub, endsAt: number): Promise<string> {
  const id = randomUUID();
  await t.hub.ctx.db.insertInto('grants').values({
    id, request_id: null, grantee_department_id: t.departments.traffic, owner_department_id: t.departments.ps, target_kind: 'category',
    camera_ids: null, category: 'public_security', area: null, scopes: JSON.stringify(['live']), starts_at: Date.now() - 1_000, ends_at: endsAt,
    revoked_at: null, revoked_by: null, revoke_reason: null, emergency: 0, emergency_reason: null, reviewed_at: null, created_by: t.users.psApprover.id,
    created_at: Date.now(), expiry_announced_at: null,
  }).execute();
  return id;
}

async function expiryAudits(t: TestHub, grantId: string): Promise<number> {
  return (await t.hub.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'access.expire').where('target_id', '=', grantId).execute()).length;
}

/**
 * Background jobs run once cluster-wide (issue 19): three hub nodes on one PostgreSQL and one Redis, each
 * with its grant-expiry sweep ticking every second.
 */
describe.skipIf(skipPostgres)('cluster: background jobs once cluster-wide', () => {
  let cluster: ClusterNodes;

  beforeAll(async () => {
    cluster = await startClusterNodes(3, { features: FEATURES, overrides: { access: { expirySweepSeconds: 1 } } });
  }, 120_000);
  afterAll(async () => { await cluster?.stop(); });

  it('the grant-expiry sweep announces an expiring grant once: one audit event, one notification, one grant.expired per node', async () => {
    const [a] = cluster.nodes;
    const expired = cluster.nodes.map(() => 0);
    cluster.nodes.forEach((node, i) => node.hub.ctx.events.on('grant.expired', () => { expired[i]!++; }));
    const grantId = await grantEndingAt(a!, Date.now() + 1_500);
    await until('expiry audited', async () => (await expiryAudits(a!, grantId)) > 0, 15_000);
    // Several more sweep periods on every node: nothing more may come.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await expiryAudits(a!, grantId)).toBe(1);
    const notes = await a!.hub.ctx.db.selectFrom('access_notifications').select('id').where('grant_id', '=', grantId).where('kind', '=', 'grant.expired').execute();
    expect(notes).toHaveLength(1);
    expect(expired).toEqual([1, 1, 1]);
    // Every node ticked; the passes one node ran, the others skipped.
    const stats = cluster.nodes.map((node) => node.hub.ctx.jobs.stats('grant-expiry'));
    expect(stats.reduce((n, s) => n + s.skipped, 0)).toBeGreaterThan(0);
    expect(stats.every((s) => s.runs + s.skipped > 0)).toBe(true);
  });

  it('a job runs on one node per period, never two at once, whichever node ticks first', async () => {
    const runs: Array<{ node: number; start: number; end: number }> = [];
    const tasks = cluster.nodes.map((node, i) => new PeriodicTask({
      run: () => node.hub.ctx.jobs.once('probe', 1_000, async () => {
        const start = Date.now();
        await new Promise((r) => setTimeout(r, 150));
        runs.push({ node: i, start, end: Date.now() });
      }),
      everyMs: 100 + 37 * i,
      onError: () => {},
    }));
    tasks.forEach((task) => task.start(0));
    await new Promise((r) => setTimeout(r, 5_500));
    await Promise.all(tasks.map((task) => task.stop()));
    runs.sort((x, y) => x.start - y.start);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
      // The lease is kept until 90 % of the period after a run's start.
      expect(runs[i]!.start - runs[i - 1]!.start).toBeGreaterThanOrEqual(900);
    }
  });

  it('when the node holding the grant-expiry lease is killed (-9) mid-run, another node runs the sweep once its lease lapses', async () => {
    const [a] = cluster.nodes;
    const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, cluster.redis.url, 'grant-expiry', '2000', '500'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      holder.stdout!.on('data', (chunk) => { out += chunk; });
      await until('the doomed node holds the lease', () => /holding \d+/.test(out), 20_000);
      const grantId = await grantEndingAt(a!, Date.now() - 1);
      // The holder renews: longer than the TTL passes and no node sweeps.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await expiryAudits(a!, grantId)).toBe(0);
      process.kill(-holder.pid!, 'SIGKILL');
      const killedAt = Date.now();
      await until('another node swept', async () => (await expiryAudits(a!, grantId)) === 1, 15_000);
      const recoverySeconds = (Date.now() - killedAt) / 1_000;
      // Several more periods: the grant's end stays announced once.
      await new Promise((r) => setTimeout(r, 2_000));
      const audits = await expiryAudits(a!, grantId);
      recordFault({ fault: 'kill -9 the node holding the grant-expiry lease (3 nodes) [postgres]', expected: 1, found: Math.min(audits, 1), duplicates: Math.max(0, audits - 1), recoverySeconds, note: 'lease TTL 2 s, sweep every 1 s; found = expiry audit events of the grant' });
      expect(audits).toBe(1);
      const redis = new Redis(cluster.redis.url);
      try {
        // The lease is taken per period and may lapse between two runs: wait for the next holder.
        const lease = await until('a node holds the grant-expiry lease', async () => (await redis.get('hub:job:grant-expiry')) ?? undefined, 10_000);
        const [node, fence] = String(lease).split(':');
        expect(cluster.nodes.map((n) => n.hub.membership.nodeId)).toContain(node);
        // A later grant of the lease carries a higher fencing token than the dead holder's.
        expect(Number(fence)).toBeGreaterThan(Number(/holding (\d+)/.exec(out)![1]));
      } finally {
        redis.disconnect();
      }
    } finally {
      if (holder.exitCode === null && holder.signalCode === null) process.kill(-holder.pid!, 'SIGKILL');
    }
  });
});
