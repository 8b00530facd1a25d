import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../api/kernel/db/tables/index.ts';
import type { RecordingGapsTable, RecordingSegmentFormat, RecordingSegmentState } from '../api/kernel/db/tables/recording.ts';

/** One indexed segment as code sees it (keyframes parsed). */
export interface RecordedSegment {
  id: string;
  cameraId: string;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  bytes: number;
  /** Relative to `<dataDir>/recordings`. */
  path: string;
  format: RecordingSegmentFormat;
  /** Key frame offsets in ms from startedAt. */
  keyframes: number[];
  state: RecordingSegmentState;
  createdAt: number;
}

export interface RecordingGap {
  id: string;
  cameraId: string;
  fromAt: number;
  /** For an ongoing gap: when the drop was noticed (readers show it up to now). */
  toAt: number;
  reason: string;
  /** The camera is still down: the gap has no end yet. */
  ongoing?: boolean;
}

/** A stretch of time covered by back-to-back segments (the timeline's recorded bar). */
export interface RecordedSpan {
  from: number;
  to: number;
}

export interface CameraStorage {
  cameraId: string;
  segments: number;
  bytes: number;
  oldestAt: number | null;
  newestAt: number | null;
}

/** Segments closer than this are one span (timestamps of consecutive segments jitter by a frame or two). */
export const SPAN_JOIN_MS = 1_500;

type SegmentRow = Database['recording_segments'];

function toSegment(row: SegmentRow): RecordedSegment {
  return {
    id: row.id, cameraId: row.camera_id, startedAt: Number(row.started_at), endedAt: Number(row.ended_at),
    durationMs: Number(row.duration_ms), bytes: Number(row.bytes), path: row.path, format: row.format,
    keyframes: JSON.parse(row.keyframes) as number[], state: row.state, createdAt: Number(row.created_at),
  };
}

function toGap(row: Selectable<RecordingGapsTable>): RecordingGap {
  return { id: row.id, cameraId: row.camera_id, fromAt: Number(row.from_at), toAt: Number(row.to_at), reason: row.reason, ongoing: Number(row.ongoing) === 1 };
}

/**
 * The one owner of `recording_segments` and `recording_gaps`: the recorder writes through it, retention
 * deletes through it, playback and export (issue 16 part B) read through it. Ranges are half-open overlaps:
 * a segment is "in" [from, to) when it ends after `from` and starts before `to`.
 */
export class RecordingIndex {
  constructor(private readonly db: Kysely<Database>) {}

  async addSegment(segment: RecordedSegment): Promise<void> {
    await this.db.insertInto('recording_segments').values({
      id: segment.id, camera_id: segment.cameraId, started_at: segment.startedAt, ended_at: segment.endedAt,
      duration_ms: segment.durationMs, bytes: segment.bytes, path: segment.path, format: segment.format,
      keyframes: JSON.stringify(segment.keyframes), state: segment.state, created_at: segment.createdAt,
    }).onConflict((oc) => oc.column('path').doNothing()).execute();
  }

  /** Segments of a camera overlapping [from, to), oldest first; `missing` ones only when asked. */
  async segmentsBetween(cameraId: string, from: number, to: number, options: { includeMissing?: boolean } = {}): Promise<RecordedSegment[]> {
    let query = this.db.selectFrom('recording_segments').selectAll()
      .where('camera_id', '=', cameraId).where('started_at', '<', to).where('ended_at', '>', from);
    if (!options.includeMissing) query = query.where('state', '!=', 'missing');
    return (await query.orderBy('started_at').execute()).map(toSegment);
  }

  /** The segment playing at `at` (or the first one after it, for a seek into a gap), or undefined. */
  async segmentAt(cameraId: string, at: number): Promise<RecordedSegment | undefined> {
    const row = await this.db.selectFrom('recording_segments').selectAll()
      .where('camera_id', '=', cameraId).where('ended_at', '>', at).where('state', '!=', 'missing')
      .orderBy('started_at').limit(1).executeTakeFirst();
    return row ? toSegment(row) : undefined;
  }

  async segment(id: string): Promise<RecordedSegment | undefined> {
    const row = await this.db.selectFrom('recording_segments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSegment(row) : undefined;
  }

  /** End of a camera's newest segment, or undefined. */
  async newestEnd(cameraId: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('recording_segments').select((eb) => eb.fn.max('ended_at').as('newest')).where('camera_id', '=', cameraId).executeTakeFirst();
    return row?.newest === null || row?.newest === undefined ? undefined : Number(row.newest);
  }

  /** Gaps overlapping [from, to); an ongoing gap reaches to `now` (it has no end yet). */
  async gapsBetween(cameraId: string, from: number, to: number, now = Date.now()): Promise<RecordingGap[]> {
    const rows = await this.db.selectFrom('recording_gaps').selectAll()
      .where('camera_id', '=', cameraId).where('from_at', '<', to)
      .where((eb) => (now > from ? eb.or([eb('to_at', '>', from), eb('ongoing', '=', 1)]) : eb('to_at', '>', from)))
      .orderBy('from_at').execute();
    return rows.map(toGap).map((gap) => (gap.ongoing ? { ...gap, toAt: Math.max(gap.toAt, now) } : gap));
  }

  /** A drop noticed now: the gap row is written at once, `ongoing` until closeGap(). */
  async openGap(gap: RecordingGap): Promise<void> {
    await this.db.insertInto('recording_gaps').values({ id: gap.id, camera_id: gap.cameraId, from_at: gap.fromAt, to_at: Math.max(gap.fromAt, gap.toAt), reason: gap.reason, ongoing: 1 })
      .onConflict((oc) => oc.column('id').doNothing()).execute();
  }

  /** Video came back at `toAt`: the ongoing gap ends there. */
  async closeGap(id: string, toAt: number): Promise<void> {
    await this.db.updateTable('recording_gaps').set({ to_at: toAt, ongoing: 0 }).where('id', '=', id).execute();
  }

  /** An ongoing gap that turned out no gap (video resumed within the gap threshold). */
  async dropGap(id: string): Promise<void> {
    await this.db.deleteFrom('recording_gaps').where('id', '=', id).where('ongoing', '=', 1).execute();
  }

  /** The camera's gap still open (left by a drop, perhaps across a hub restart), or undefined. */
  async openGapOf(cameraId: string): Promise<RecordingGap | undefined> {
    const row = await this.db.selectFrom('recording_gaps').selectAll().where('camera_id', '=', cameraId).where('ongoing', '=', 1).orderBy('from_at', 'desc').executeTakeFirst();
    return row ? toGap(row) : undefined;
  }

  async addGap(gap: RecordingGap): Promise<void> {
    if (gap.toAt <= gap.fromAt) return;
    await this.db.insertInto('recording_gaps').values({ id: gap.id, camera_id: gap.cameraId, from_at: gap.fromAt, to_at: gap.toAt, reason: gap.reason })
      .onConflict((oc) => oc.column('id').doNothing()).execute();
  }

  /** Recorded stretches of a camera within [from, to), clipped to the range; missing segments break a span. */
  async spans(cameraId: string, from: number, to: number): Promise<RecordedSpan[]> {
    const rows = await this.db.selectFrom('recording_segments').select(['started_at', 'ended_at'])
      .where('camera_id', '=', cameraId).where('started_at', '<', to).where('ended_at', '>', from).where('state', '!=', 'missing')
      .orderBy('started_at').execute();
    const spans: RecordedSpan[] = [];
    for (const row of rows) {
      const start = Math.max(from, Number(row.started_at));
      const end = Math.min(to, Number(row.ended_at));
      const last = spans.at(-1);
      if (last && start - last.to <= SPAN_JOIN_MS) last.to = Math.max(last.to, end);
      else spans.push({ from: start, to: end });
    }
    return spans;
  }

  /** Bytes, segment count and the oldest/newest start per camera (missing segments count no bytes). */
  async storageByCamera(): Promise<CameraStorage[]> {
    const rows = await this.db.selectFrom('recording_segments')
      .select((eb) => ['camera_id', eb.fn.countAll<number>().as('segments'), eb.fn.sum<number>('bytes').as('bytes'),
        eb.fn.min('started_at').as('oldest'), eb.fn.max('ended_at').as('newest')])
      .where('state', '!=', 'missing').groupBy('camera_id').orderBy('camera_id').execute();
    return rows.map((r) => ({
      cameraId: r.camera_id, segments: Number(r.segments), bytes: Number(r.bytes ?? 0),
      oldestAt: r.oldest === null ? null : Number(r.oldest), newestAt: r.newest === null ? null : Number(r.newest),
    }));
  }

  async gapCounts(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('recording_gaps').select((eb) => ['camera_id', eb.fn.countAll<number>().as('n')]).groupBy('camera_id').execute();
    return new Map(rows.map((r) => [r.camera_id, Number(r.n)]));
  }

  async segmentCount(): Promise<number> {
    const row = await this.db.selectFrom('recording_segments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async totalBytes(): Promise<number> {
    const row = await this.db.selectFrom('recording_segments').select((eb) => eb.fn.sum<number>('bytes').as('bytes')).where('state', '!=', 'missing').executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }

  /** The oldest segments of the whole volume (retention by bytes), or of one camera before a cutoff (by days). */
  async oldest(limit: number, filter: { cameraId?: string; endedBefore?: number } = {}): Promise<RecordedSegment[]> {
    let query = this.db.selectFrom('recording_segments').selectAll();
    if (filter.cameraId !== undefined) query = query.where('camera_id', '=', filter.cameraId);
    if (filter.endedBefore !== undefined) query = query.where('ended_at', '<=', filter.endedBefore);
    return (await query.orderBy('started_at').limit(limit).execute()).map(toSegment);
  }

  /** Cameras that have segments (retention walks them). */
  async cameraIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('recording_segments').select('camera_id').distinct().execute();
    return rows.map((r) => r.camera_id);
  }

  async knownPaths(cameraId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('recording_segments').select('path').where('camera_id', '=', cameraId).execute();
    return new Set(rows.map((r) => r.path));
  }

  /** Every segment not yet marked missing, newest first in pages (the missing-file check walks them). */
  async presentPage(afterId: string | undefined, limit: number): Promise<Array<{ id: string; path: string }>> {
    let query = this.db.selectFrom('recording_segments').select(['id', 'path']).where('state', '!=', 'missing');
    if (afterId !== undefined) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  }

  async markState(id: string, state: RecordingSegmentState, patch: { bytes?: number; endedAt?: number; durationMs?: number; keyframes?: number[] } = {}): Promise<void> {
    await this.db.updateTable('recording_segments').set({
      state,
      ...(patch.bytes !== undefined ? { bytes: patch.bytes } : {}),
      ...(patch.endedAt !== undefined ? { ended_at: patch.endedAt } : {}),
      ...(patch.durationMs !== undefined ? { duration_ms: patch.durationMs } : {}),
      ...(patch.keyframes !== undefined ? { keyframes: JSON.stringify(patch.keyframes) } : {}),
    }).where('id', '=', id).execute();
  }

  async deleteSegments(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return Number((await this.db.deleteFrom('recording_segments').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
  }

  async deleteGapsBefore(cameraId: string, cutoff: number): Promise<number> {
    return Number((await this.db.deleteFrom('recording_gaps').where('camera_id', '=', cameraId).where('to_at', '<=', cutoff).where('ongoing', '=', 0).executeTakeFirst()).numDeletedRows);
  }
}
