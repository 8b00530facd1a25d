import type { CameraAccessDecision } from '../access/camera-access.ts';
import { badRequest, forbidden } from '../kernel/errors/hub-error.ts';
import { formatChinaTime } from './china-time.ts';

export interface TimeRange {
  from: number;
  to: number;
}

/**
 * Checks a requested range of recorded time: not empty, not longer than `maxMs`, not in the future as a
 * whole, and inside what the grant's playback lookback allows (the decision's playbackFrom/playbackTo).
 */
export function assertPlaybackRange(range: TimeRange, maxMs: number, decision: Pick<CameraAccessDecision, 'playbackFrom' | 'playbackTo'>, now = Date.now()): void {
  if (!Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to)) throw badRequest('RANGE_INVALID', 'from and to are epoch milliseconds');
  if (range.to <= range.from) throw badRequest('RANGE_EMPTY', 'the time range is empty: "to" must be after "from"');
  if (range.to - range.from > maxMs) throw badRequest('RANGE_TOO_LONG', `the time range may span at most ${Math.round(maxMs / 3_600_000)} hours; choose a shorter one`);
  if (range.from >= now) throw badRequest('RANGE_IN_FUTURE', 'the time range starts in the future; nothing is recorded there yet');
  if (decision.playbackFrom !== undefined && range.from < decision.playbackFrom) {
    throw forbidden('PLAYBACK_BEYOND_GRANT', `your grant lets you look back only to ${formatChinaTime(decision.playbackFrom)} (China time)`);
  }
  if (decision.playbackTo !== undefined && range.to > decision.playbackTo) {
    throw forbidden('PLAYBACK_BEYOND_GRANT', `your grant covers recordings only up to ${formatChinaTime(decision.playbackTo)} (China time)`);
  }
}

/** A reason for looking at recordings: required, audited with every playback and export. */
export function assertReason(reason: string | undefined): string {
  const why = reason?.trim() ?? '';
  if (why.length < 3) throw badRequest('REASON_REQUIRED', 'say why you look at these recordings (at least 3 characters); it is audited');
  return why;
}
