import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassPartitionManager } from '../../api/checkpoint/pass-partition-manager.ts';
import { DAY_MS, DayPartitions, dayStart, partitionName } from '../../api/kernel/db/day-partitions.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, pass } from './checkpoint-fixtures.ts';

const partsOf = async (t: TestHub) => (await new DayPartitions(t.hub.ctx.db, 'checkpoint_passes', 'passed_at').list()).map((p) => p.name);
const partitionOf = async (t: TestHub, id: string) =>
  (await sql<{ part: string }>`select tableoid::regclass::text as part from checkpoint_passes where id = ${id}`.execute(t.hub.ctx.db)).rows[0]?.part;

describe.skipIf(skipPostgres)('checkpoint day partitions on PostgreSQL', () => {
  let t: TestHub;
  let camera: string;
  const today = dayStart(Date.now());

  beforeAll(async () => {
    t = await startTestHub('postgres', { overrides: { checkpoint: { retentionDays: { passes: 30, images: 30 }, partitions: { aheadDays: 7 } } } });
    camera = await addCamera(t, t.departments.traffic);
  });
  afterAll(async () => { await t?.stop(); });

  it('creates partitions ahead of the clock, and more as the days go by', async () => {
    const manager = new PassPartitionManager(t.hub.ctx);
    for (let d = 0; d <= 7; d++) expect(await partsOf(t)).toContain(partitionName('checkpoint_passes', today + d * DAY_MS));
    expect(await manager.runOnce(today + 3 * DAY_MS)).toEqual([8, 9, 10].map((d) => partitionName('checkpoint_passes', today + d * DAY_MS)));
    expect(await manager.runOnce(today + 3 * DAY_MS)).toEqual([]);
  });

  it('puts a stray pass in the default partition, then adopts its day into a partition of its own', async () => {
    const stray = pass(camera, '京B00001', today - 20 * DAY_MS + 5_000);
    const tooOld = pass(camera, '京B00002', today - 45 * DAY_MS);
    await t.hub.services.checkpoint!.ingestPasses([stray, tooOld]);
    expect(await partitionOf(t, stray.id)).toBe('checkpoint_passes_default');
    expect(await new PassPartitionManager(t.hub.ctx).runOnce()).toContain(partitionName('checkpoint_passes', stray.passedAt));
    expect(await partitionOf(t, stray.id)).toBe(partitionName('checkpoint_passes', stray.passedAt));
    // Past retention: left in the default partition for retention to delete.
    expect(await partitionOf(t, tooOld.id)).toBe('checkpoint_passes_default');
  });

  it('retention drops whole expired day partitions (pictures first), deletes the rest row by row, and leaves younger days alone', async () => {
    const store = t.hub.services.checkpoint!;
    const images = join(t.database.dataDir, 'images');
    mkdirSync(images, { recursive: true });
    writeFileSync(join(images, 'gone.jpg'), 'jpeg');
    const days = [35, 34, 10].map((d) => today - d * DAY_MS);
    const partitions = new DayPartitions(t.hub.ctx.db, 'checkpoint_passes', 'passed_at');
    await partitions.ensureDays(days);
    const old = [pass(camera, '京C00001', days[0] + 1_000, { cropImagePath: 'gone.jpg' }), pass(camera, '京C00002', days[0] + 2_000), pass(camera, '京C00003', days[1] + 3_000)];
    const young = pass(camera, '京C00004', days[2] + 4_000);
    await store.ingestPasses([...old, young]);
    const now = Date.now();
    const report = await t.hub.retention.runOnce(now);
    // Two whole days dropped (3 passes), plus the 45-day-old stray deleted from the default partition.
    expect(report.passes).toBe(4);
    const left = await partsOf(t);
    expect(left).not.toContain(partitionName('checkpoint_passes', days[0]));
    expect(left).not.toContain(partitionName('checkpoint_passes', days[1]));
    expect(left).toContain(partitionName('checkpoint_passes', days[2]));
    expect(await partitionOf(t, young.id)).toBe(partitionName('checkpoint_passes', days[2]));
    expect(existsSync(join(images, 'gone.jpg'))).toBe(false);
    const remaining = await t.hub.ctx.db.selectFrom('checkpoint_passes').select('passed_at').execute();
    expect(remaining.every((r) => r.passed_at >= now - 30 * DAY_MS)).toBe(true);
    expect((await t.hub.retention.runOnce(now)).passes).toBe(0);
  });
});
