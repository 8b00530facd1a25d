import { join } from 'node:path';
import { PassPictures } from './pass-pictures.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { CloneDetector } from './clone-detector.ts';
import { PassRejectedError, type PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import { toPassRow, type PassRow } from './pass-record.ts';
import { insertPassRows } from './pass-writer.ts';
import type { SubscriptionPusher } from './subscription-pusher.ts';
import type { WatchlistMatcher } from './watchlist-matcher.ts';

export interface IngestResult {
  inserted: number;
  duplicates: number;
}

export const MAX_BATCH = 10_000;

/**
 * The checkpoint database's write side (the pass sink analytics is given). A batch is
 * validated whole, inserted in one transaction (ids already stored are skipped, so retries are safe), and
 * only then matched against watchlists, analysed for cloned plates and pushed to subscribers.
 */
export class CheckpointStore {
  readonly imagesDir: string;
  readonly pictures: PassPictures;

  constructor(
    private readonly ctx: HubContext,
    private readonly watchlist: WatchlistMatcher,
    private readonly clones: CloneDetector,
    /** GA/T 1400 subscriptions and the upward push (the viid feature tells it when subscriptions change). */
    readonly subscriptions: SubscriptionPusher,
  ) {
    this.imagesDir = join(ctx.dataDir, 'images');
    this.pictures = new PassPictures(this.imagesDir);
  }

  /**
   * Which of these passes are stored already (callers skip work for replayed records). A pass is its id at
   * its time, as the primary key has it; the batch's time span lets PostgreSQL look in its day partitions
   * only, not in every day's index (measured: this lookup was most of the database's work for GA/T 1400
   * pushes before).
   */
  async existingPassIds(passes: Array<{ id: string; passedAt: number }>): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < passes.length; i += 500) {
      const slice = passes.slice(i, i + 500);
      const times = slice.map((p) => p.passedAt);
      const rows = await this.ctx.db.selectFrom('checkpoint_passes').select(['id', 'passed_at'])
        .where('id', 'in', slice.map((p) => p.id))
        .where('passed_at', '>=', Math.min(...times)).where('passed_at', '<=', Math.max(...times)).execute();
      const wanted = new Set(slice.map((p) => `${p.id}\n${p.passedAt}`));
      for (const row of rows) if (wanted.has(`${row.id}\n${Number(row.passed_at)}`)) found.add(row.id);
    }
    return found;
  }

  /** One stored pass, or undefined. */
  findPass(id: string): Promise<PassRow | undefined> {
    return this.ctx.db.selectFrom('checkpoint_passes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async ingestPasses(records: PassRecordInput[]): Promise<IngestResult> {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    if (records.length > MAX_BATCH) throw new PassRejectedError('PASS_BATCH_TOO_LARGE', `send at most ${MAX_BATCH} records per batch`);
    const now = Date.now();
    const rows = records.map((record, i) => toPassRow(record, i, this.imagesDir, now));
    const cameraIds = [...new Set(rows.map((r) => r.camera_id))];
    const known = await this.ctx.cameras.existing(cameraIds);
    const unknown = cameraIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new PassRejectedError('PASS_CAMERA_UNKNOWN', `unknown camera ids: ${unknown.slice(0, 5).join(', ')}`);

    const insertedIds = await insertPassRows(this.ctx.db, rows);
    const seen = new Set<string>();
    const fresh: PassRow[] = [];
    const stored: PassRow[] = [];
    for (const row of rows) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
      stored.push(row);
      if (insertedIds.has(row.id)) fresh.push(row);
    }
    await this.afterCommit(fresh, stored);
    return { inserted: fresh.length, duplicates: rows.length - fresh.length };
  }

  /** The data is stored; a failing follow-up step is logged and must not turn the ingest into an error (a retry would skip these rows). */
  private async afterCommit(fresh: PassRow[], stored: PassRow[]): Promise<void> {
    // Watchlist matching also runs on passes stored before: a batch retried because the node that stored it
    // died before its alerts were written still raises them (an alert per watchlist and pass, never two).
    if (fresh.length > 0) this.ctx.events.emit('checkpoint.passes', fresh.map((row) => ({ passId: row.id, cameraId: row.camera_id, passedAt: row.passed_at, plate: row.plate })));
    if (stored.length > 0) {
      await this.watchlist.matchPasses(stored).catch((error: unknown) => this.ctx.log.error({ err: error, passes: stored.length }, 'checkpoint watchlist failed after ingest'));
    }
    if (fresh.length === 0) return;
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['cloned-plate analysis', () => this.clones.analyse(fresh)],
      ['subscriptions', () => this.subscriptions.push(fresh)],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.ctx.log.error({ err: error, passes: fresh.length }, `checkpoint ${name} failed after ingest`);
      }
    }
  }
}
