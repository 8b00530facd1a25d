import { randomUUID } from 'node:crypto';
import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointFindingsTable } from '../kernel/db/tables/checkpoint.ts';
import type { CheckpointFindingEvent } from './checkpoint-alert.ts';
import { toPassView, type PassRow } from './pass-record.ts';
import { plateIn } from './plate-condition.ts';

export interface CameraPlace {
  lat: number | null;
  lon: number | null;
}

/** Great-circle distance in km. */
export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const PLATES_PER_QUERY = 1_000;
const HISTORY_COLUMNS = ['id', 'camera_id', 'passed_at', 'plate', 'plate_colour', 'plate_confidence'] as const;
type HistoryRow = Pick<PassRow, (typeof HISTORY_COLUMNS)[number]>;

/**
 * Cloned-plate (套牌) analysis for a batch of new passes. Two signs:
 * - impossible speed: consecutive passes of one plate at two cameras further apart than maxSpeedKmh allows in
 *   the time between them. Consecutive pairs suffice: if A→C is too fast, then by the triangle inequality
 *   A→B or B→C is too;
 * - colour mismatch: the same plate read with two plate colours within colourWindowHours.
 * Low-confidence reads are no evidence. Each finding keeps copies of both passes.
 */
export class CloneDetector {
  constructor(private readonly ctx: HubContext) {}

  async analyse(fresh: PassRow[], now = Date.now()): Promise<CheckpointFindingEvent[]> {
    const settings = this.ctx.config.checkpoint;
    const usable = fresh.filter((row) => row.plate !== '' && row.plate_confidence >= settings.minPlateConfidence);
    if (usable.length === 0) return [];
    const windowMs = settings.colourWindowHours * 3_600_000;
    const from = Math.min(...usable.map((r) => r.passed_at)) - windowMs;
    const to = Math.max(...usable.map((r) => r.passed_at)) + windowMs;
    const plates = [...new Set(usable.map((r) => r.plate))];
    const byPlate = new Map<string, HistoryRow[]>();
    for (let i = 0; i < plates.length; i += PLATES_PER_QUERY) {
      // Only the columns the analysis needs: full rows are read for the (rare) findings alone.
      const rows = await this.ctx.db.selectFrom('checkpoint_passes').select(HISTORY_COLUMNS)
        .where(plateIn(this.ctx.db, plates.slice(i, i + PLATES_PER_QUERY)))
        .where('passed_at', '>=', from).where('passed_at', '<=', to)
        .where('plate_confidence', '>=', settings.minPlateConfidence)
        .execute();
      for (const row of rows) {
        const list = byPlate.get(row.plate) ?? [];
        list.push({ ...row, passed_at: Number(row.passed_at) });
        byPlate.set(row.plate, list);
      }
    }
    const cameraIds = [...new Set([...byPlate.values()].flat().map((r) => r.camera_id))];
    const places = new Map<string, CameraPlace>();
    if (cameraIds.length > 0) {
      for (const c of await this.ctx.cameras.factsOf({ ids: cameraIds })) places.set(c.id, c);
    }
    const findings: CheckpointFindingEvent[] = [];
    for (const pass of usable) {
      const history = (byPlate.get(pass.plate) ?? []).sort((a, b) => a.passed_at - b.passed_at || a.id.localeCompare(b.id));
      const at = history.findIndex((r) => r.id === pass.id);
      if (at < 0) continue;
      for (const neighbour of [history[at - 1], history[at + 1]]) {
        if (!neighbour) continue;
        const finding = this.speedFinding(pass, neighbour, places, settings.maxSpeedKmh, settings.minDistanceKm);
        if (finding) findings.push(...(await this.store(finding, now)));
      }
      const otherColour = history
        .filter((r) => r.plate_colour !== pass.plate_colour && r.plate_colour !== 'unknown' && pass.plate_colour !== 'unknown' && Math.abs(r.passed_at - pass.passed_at) <= windowMs)
        .sort((a, b) => Math.abs(a.passed_at - pass.passed_at) - Math.abs(b.passed_at - pass.passed_at))[0];
      if (otherColour) findings.push(...(await this.store({ kind: 'colour_mismatch', a: pass, b: otherColour, distanceKm: null, speedKmh: null }, now)));
    }
    for (const finding of findings) this.ctx.events.emit('checkpoint.finding', finding);
    return findings;
  }

  private speedFinding(a: HistoryRow, b: HistoryRow, places: Map<string, CameraPlace>, maxSpeedKmh: number, minDistanceKm: number) {
    const pa = places.get(a.camera_id);
    const pb = places.get(b.camera_id);
    if (a.camera_id === b.camera_id || pa?.lat == null || pa.lon == null || pb?.lat == null || pb.lon == null) return undefined;
    const distanceKm = haversineKm({ lat: pa.lat, lon: pa.lon }, { lat: pb.lat, lon: pb.lon });
    if (distanceKm < minDistanceKm) return undefined;
    // Clock skew between cameras: never divide by less than one second.
    const hours = Math.max(Math.abs(a.passed_at - b.passed_at), 1_000) / 3_600_000;
    const speedKmh = distanceKm / hours;
    return speedKmh > maxSpeedKmh ? { kind: 'impossible_speed' as const, a, b, distanceKm, speedKmh } : undefined;
  }

  /** Stores a finding once per pair (earlier pass first); returns it when it is new. */
  private async store(f: { kind: CheckpointFindingsTable['kind']; a: HistoryRow; b: HistoryRow; distanceKm: number | null; speedKmh: number | null }, now: number): Promise<CheckpointFindingEvent[]> {
    const [first, second] = f.a.passed_at < f.b.passed_at || (f.a.passed_at === f.b.passed_at && f.a.id < f.b.id) ? [f.a, f.b] : [f.b, f.a];
    const id = randomUUID();
    const full = await this.ctx.db.selectFrom('checkpoint_passes').selectAll().where('id', 'in', [first.id, second.id]).execute();
    const evidenceOf = (row: HistoryRow) => toPassView(full.find((r) => r.id === row.id)!);
    const inserted = await this.ctx.db.insertInto('checkpoint_findings').values({
      id, kind: f.kind, plate: first.plate, pass_a_id: first.id, pass_b_id: second.id,
      evidence: JSON.stringify({ a: evidenceOf(first), b: evidenceOf(second) }),
      distance_km: f.distanceKm, speed_kmh: f.speedKmh, detected_at: now,
    }).onConflict((oc) => oc.columns(['kind', 'pass_a_id', 'pass_b_id']).doNothing()).returning('id').execute();
    return inserted.length ? [{ id, kind: f.kind, plate: first.plate, passAId: first.id, passBId: second.id, detectedAt: now }] : [];
  }
}
