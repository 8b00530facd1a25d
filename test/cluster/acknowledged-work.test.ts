import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { EvidenceRepository } from '../../api/evidence/evidence-repository.ts';
import { toPassRow } from '../../api/checkpoint/pass-record.ts';
import { insertPassRows } from '../../api/checkpoint/pass-writer.ts';
import { addCamera, pass } from '../checkpoint/checkpoint-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

/**
 * A node that dies between storing a pass batch and raising its alerts (issue 19): the queue hands the
 * batch to another node, which finds the passes already stored. Their alerts and webhooks must still come,
 * once. Webhook posts to a closed port fail and stay queued: only the stored delivery rows count.
 */
describeEachDatabase('acknowledged passes keep their alerts across a node death', (kind) => {
  let t: TestHub;
  let camera: string;

  beforeAll(async () => {
    t = await startTestHub(kind, {
      features: ['auth', 'directory', 'access', 'audit', 'checkpoint'],
      overrides: { checkpoint: { alertWebhookUrl: 'http://127.0.0.1:9/alerts', delivery: { pollMs: 60_000 } } },
    });
    camera = await addCamera(t, t.departments.traffic);
    const watch = await t.api('/api/v1/checkpoint/watchlist', { user: t.users.trafficApprover, body: { plate: '苏E19190', matchKind: 'exact', reason: 'case 19 retry', validUntil: Date.now() + 3_600_000 } });
    expect(watch.status).toBe(201);
  });
  afterAll(async () => { await t?.stop(); });

  it('a retried batch whose passes were stored without alerts raises each alert and its webhook exactly once', async () => {
    const store = t.hub.services.checkpoint!;
    const record = pass(camera, '苏E19190', Date.now());
    // What the dead node committed: the pass, and nothing after it.
    await t.hub.ctx.db.transaction().execute((trx) => insertPassRows(trx, [toPassRow(record, 0, store.imagesDir, Date.now())]));
    const alertsOf = () => t.hub.ctx.db.selectFrom('checkpoint_alerts').select('id').where('pass_id', '=', record.id).execute();
    const webhooksOf = async () => (await t.hub.ctx.db.selectFrom('checkpoint_deliveries').select('payload').where('kind', '=', 'alert').execute())
      .filter((d) => JSON.parse(d.payload).alert.passId === record.id);
    expect(await alertsOf()).toHaveLength(0);

    const retried = await store.ingestPasses([record]);
    expect(retried).toEqual({ inserted: 0, duplicates: 1 });
    expect(await alertsOf()).toHaveLength(1);
    expect(await webhooksOf()).toHaveLength(1);

    // Once more (the queue may hand a batch over twice): nothing new.
    await store.ingestPasses([record]);
    expect(await alertsOf()).toHaveLength(1);
    expect(await webhooksOf()).toHaveLength(1);
  });

  it('an evidence export another node is running stays its own; one whose node went silent is queued again', async () => {
    const repo = new EvidenceRepository(t.hub.ctx.db);
    const now = Date.now();
    const job = (updatedAt: number) => ({
      id: randomUUID(), kind: 'still' as const, camera_id: camera, from_at: now - 60_000, to_at: now - 60_000, pass_id: null, source: 'recording' as const,
      caption: 0, reason: 'case 19', state: 'running' as const, progress: 0.5, attempts: 1, error_code: null, error_message: null, file_name: null, bytes: null,
      duration_ms: null, sha256: null, manifest: null, user_id: t.users.trafficViewer.id, username: 'trafficViewer', department_id: t.departments.traffic,
      created_at: now - 120_000, updated_at: updatedAt, finished_at: null,
    });
    const running = job(now - 2_000);
    const orphaned = job(now - 60_000);
    await repo.insert(running);
    await repo.insert(orphaned);
    expect(await repo.recoverInterrupted(3, now, now - 30_000)).toBe(1);
    expect((await repo.find(running.id))!.state).toBe('running');
    expect((await repo.find(orphaned.id))!.state).toBe('queued');
  });
});
