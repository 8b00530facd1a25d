import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_BATCH } from '../../api/checkpoint/checkpoint-store.ts';
import { searchPasses } from '../../api/checkpoint/pass-search.ts';
import { DAY_MS, dayStart } from '../../api/kernel/db/day-partitions.ts';
import { editDistance, foldPlate } from '../../analytics/vocabulary/plate-text.ts';
import type { PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera } from './checkpoint-fixtures.ts';

/** Plates that differ by OCR confusables (0/D, 8/B, 1/I) and by one edit, so fuzzy search has near misses to get right. */
const PLATES = ['京A12345', '京A1234S', '京AI2345', '京A12B45', '京A123456', '京A2345', '京A99999', '沪C12345', '京A12D45', '京A1Z345'];

describeEachDatabase('checkpoint batch ingest over day partitions', (kind) => {
  let t: TestHub;
  let cameras: string[];
  const today = dayStart(Date.now());
  /** 10 days back to 3 days ahead: on PostgreSQL a week of partitions, days adopted later and the default partition. */
  const records: PassRecordInput[] = [];

  beforeAll(async () => {
    t = await startTestHub(kind);
    cameras = [await addCamera(t, t.departments.traffic), await addCamera(t, t.departments.traffic)];
    for (let i = 0; i < MAX_BATCH; i++) {
      records.push({
        id: `b-${i}`, cameraId: cameras[Math.floor(i / 7) % 2], passedAt: today - 10 * DAY_MS + Math.floor(i * (13 * DAY_MS / MAX_BATCH)), plate: PLATES[i % PLATES.length],
        plateColour: 'blue', plateConfidence: 0.9, charConfidences: [0.9, 0.8], lane: i % 4,
        // Text that COPY's text format must escape: tabs, newlines, backslashes, and a \N that is not NULL.
        direction: i % 3 === 0 ? 'north\tbound\\\n\r\\N' : undefined,
        boxes: i % 5 === 0 ? { plate: [1, 2, 3, 4], note: 'a\tb' } : undefined,
      });
    }
  }, 120_000);
  afterAll(async () => { await t?.stop(); });

  it('stores a full batch exactly as given, NULLs and escapes included', async () => {
    const store = t.hub.services.checkpoint!;
    expect(await store.ingestPasses(records)).toEqual({ inserted: MAX_BATCH, duplicates: 0 });
    for (const i of [0, 1, 5, 9_999]) {
      const row = (await store.findPass(`b-${i}`))!;
      expect(row).toMatchObject({ camera_id: records[i].cameraId, passed_at: records[i].passedAt, plate: records[i].plate, lane: i % 4, plate_colour: 'blue' });
      expect(row.direction).toBe(records[i].direction ?? null);
      expect(row.boxes).toBe(records[i].boxes === undefined ? null : JSON.stringify(records[i].boxes));
      expect(row.crop_image_path).toBeNull();
      expect(row.plate_confidence).toBeCloseTo(0.9, 5);
    }
  });

  it('is idempotent across partitions: a retried batch spanning days inserts nothing, a mixed one only what is new', async () => {
    const store = t.hub.services.checkpoint!;
    const sample = records.filter((_, i) => i % 97 === 0);
    expect(await store.ingestPasses(sample)).toEqual({ inserted: 0, duplicates: sample.length });
    const fresh = { ...records[0], id: 'b-new', passedAt: today + 2 * DAY_MS };
    expect(await store.ingestPasses([...sample, fresh])).toEqual({ inserted: 1, duplicates: sample.length });
    // A new batch that repeats one of its own records stores it once (PostgreSQL: the direct COPY path).
    const twice = { ...records[1], id: 'b-twice', passedAt: today - DAY_MS };
    expect(await store.ingestPasses([twice, { ...records[2], id: 'b-once', passedAt: today - DAY_MS + 1 }, twice])).toEqual({ inserted: 2, duplicates: 1 });
    // GA/T 1400 MotorVehicleID idempotency looks passes up by id and time (the primary key), over the days
    // the batch spans; the same id at another time is another pass, as the insert has it.
    const keys = [records[0], records[MAX_BATCH / 2], records[MAX_BATCH - 1], fresh].map((r) => ({ id: r.id, passedAt: r.passedAt }));
    const asked = [...keys, { id: 'never-stored', passedAt: today }, { id: records[1].id, passedAt: records[1].passedAt + 1 }];
    expect([...await store.existingPassIds(asked)].sort()).toEqual(keys.map((k) => k.id).sort());
    expect(Number((await t.hub.ctx.db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(MAX_BATCH + 3);
  });

  it('exact and fuzzy plate searches over a time window return what the plate rules say, newest first, page after page', async () => {
    const all = [...records, { ...records[0], id: 'b-new', passedAt: today + 2 * DAY_MS },
      { ...records[1], id: 'b-twice', passedAt: today - DAY_MS }, { ...records[2], id: 'b-once', passedAt: today - DAY_MS + 1 }];
    const from = today - 8 * DAY_MS + 12_345;
    const to = today + DAY_MS;
    const inWindow = all.filter((r) => r.passedAt >= from && r.passedAt < to && r.cameraId === cameras[1]);
    const order = (rows: PassRecordInput[]) => rows.sort((a, b) => b.passedAt - a.passedAt || (a.id < b.id ? 1 : -1)).map((r) => r.id);
    const collect = async (query: Parameters<typeof searchPasses>[2]) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await searchPasses(t.hub.ctx.readDb, { all: false, cameraIds: [cameras[1]] }, { ...query, cursor, limit: 97 });
        ids.push(...page.rows.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return ids;
    };
    const exact = await collect({ plate: '京A12345', from, to, limit: 0 });
    expect(exact).toEqual(order(inWindow.filter((r) => r.plate === '京A12345')));
    expect(exact.length).toBeGreaterThan(100);
    // Oldest first, and with no window at all (PostgreSQL reads the time range in slices either way).
    expect(await collect({ plate: '京A12345', from, to, order: 'oldest', limit: 0 })).toEqual([...exact].reverse());
    const everywhere = all.filter((r) => r.cameraId === cameras[1] && r.plate === '京A12345');
    expect(await collect({ plate: '京A12345', limit: 0 })).toEqual(order(everywhere));
    expect(await collect({ plate: '京A12345', order: 'oldest', limit: 0 })).toEqual(order(everywhere).reverse());
    const fuzzy = await collect({ fuzzyPlate: '京AI2345', from, to, limit: 0 });
    const expected = order(inWindow.filter((r) => editDistance(foldPlate('京AI2345'), foldPlate(r.plate), 1) <= 1));
    expect(fuzzy).toEqual(expected);
    // Near misses are in and far ones out: both outcomes occur in this data.
    const matched = new Set(inWindow.filter((r) => expected.includes(r.id)).map((r) => r.plate));
    expect(matched.has('京A99999')).toBe(false);
    expect(matched.has('京A12B45')).toBe(true);
    expect(await collect({ fuzzyPlate: '京AI2345', fuzzyDistance: 0, from, to, limit: 0 }))
      .toEqual(order(inWindow.filter((r) => foldPlate(r.plate) === foldPlate('京AI2345'))));
  });
});
