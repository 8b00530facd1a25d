import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CheckpointStore } from '../../api/checkpoint/checkpoint-store.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, pass } from './checkpoint-fixtures.ts';

describeEachDatabase('checkpoint cloned-plate detection', (kind) => {
  let t: TestHub;
  let store: CheckpointStore;
  let beijing: string;
  let tianjin: string;
  let beijingNorth: string;
  const base = Date.UTC(2024, 5, 1, 2, 0, 0);
  const minutes = (n: number) => n * 60_000;

  beforeAll(async () => {
    t = await startTestHub(kind, { overrides: { checkpoint: { maxSpeedKmh: 180 } } });
    store = t.hub.services.checkpoint!;
    beijing = await addCamera(t, t.departments.traffic, { lat: 39.9042, lon: 116.4074 });
    tianjin = await addCamera(t, t.departments.traffic, { lat: 39.3434, lon: 117.3616 }); // ~104 km away
    beijingNorth = await addCamera(t, t.departments.traffic, { lat: 39.9142, lon: 116.4074 }); // ~1.1 km away
  });
  afterAll(async () => { await t?.stop(); });

  it('finds a plate at two cameras too far apart for the time between, with both passes as evidence', async () => {
    const a = pass(beijing, '津C55555', base);
    const b = pass(tianjin, '津C55555', base + minutes(20)); // 104 km in 20 min ≈ 312 km/h
    await store.ingestPasses([a]);
    await store.ingestPasses([b]);
    const findings = await t.api('/api/v1/checkpoint/findings?plate=津C55555', { user: t.users.trafficViewer });
    expect(findings.status).toBe(200);
    expect(findings.body).toHaveLength(1);
    const [finding] = findings.body;
    expect(finding).toMatchObject({ kind: 'impossible_speed', passAId: a.id, passBId: b.id });
    expect(finding.distanceKm).toBeGreaterThan(100);
    expect(finding.speedKmh).toBeGreaterThan(300);
    expect(finding.evidence.a).toMatchObject({ id: a.id, cameraId: beijing, plate: '津C55555' });
    expect(finding.evidence.b).toMatchObject({ id: b.id, cameraId: tianjin });
    // Re-ingesting the same passes finds nothing new.
    await store.ingestPasses([a, b]);
    expect((await t.api('/api/v1/checkpoint/findings?plate=津C55555', { user: t.users.admin })).body).toHaveLength(1);
  });

  it('finds the same plate with two plate colours', async () => {
    const blue = pass(beijing, '京E24680', base + minutes(100));
    const yellow = pass(beijingNorth, '京E24680', base + minutes(400), { plateColour: 'yellow' });
    await store.ingestPasses([blue, yellow]);
    const findings = (await t.api('/api/v1/checkpoint/findings?plate=京E24680&kind=colour_mismatch', { user: t.users.admin })).body;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ passAId: blue.id, passBId: yellow.id });
    expect([findings[0].evidence.a.plateColour, findings[0].evidence.b.plateColour]).toEqual(['blue', 'yellow']);
  });

  it('finds nothing for plausible travel, nearby cameras or unreliable reads', async () => {
    await store.ingestPasses([
      pass(beijing, '京F13579', base), pass(tianjin, '京F13579', base + minutes(60)), // 104 km/h
      pass(beijing, '京F24680', base), pass(beijingNorth, '京F24680', base + 5_000), // 1.1 km in 5 s
      pass(beijing, '京F11111', base), pass(tianjin, '京F11111', base + minutes(5), { plateConfidence: 0.5 }),
    ]);
    const plates = (await t.hub.ctx.db.selectFrom('checkpoint_findings').select('plate').execute()).map((f) => f.plate);
    expect(plates).not.toContain('京F13579');
    expect(plates).not.toContain('京F11111');
    // 1.1 km in 5 s is ~800 km/h: over the 1 km noise floor, so it is a finding.
    expect(plates).toContain('京F24680');
  });
});
