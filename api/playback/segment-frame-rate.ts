import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { RecordedSegment } from '../../recording/recording-index.ts';
import { frameRateOf, scanTs } from '../../recording/ts-scan.ts';

/**
 * The frame rate a playback's recording really has, read from the time stamps of its first segment's
 * video (TS headers only, no decoding), so the player's frame step moves one real frame (a 15 fps camera
 * steps 1/15 s, not a fixed 1/25 s). Null when the file cannot be read or holds too few frames.
 */
export async function segmentFrameRate(recordingsRoot: string, segment: Pick<RecordedSegment, 'path' | 'format'>): Promise<number | null> {
  if (segment.format !== 'mpegts') return null;
  const root = resolve(recordingsRoot);
  const path = resolve(root, segment.path);
  if (!path.startsWith(root + sep)) return null;
  const data = await readFile(path).catch(() => undefined);
  return data ? frameRateOf(scanTs(data)) : null;
}
