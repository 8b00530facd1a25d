import { randomUUID } from 'node:crypto';
import { readdir, readFile, rename, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordingSegmentState } from '../api/kernel/db/tables/recording.ts';
import type { RecordedSegment, RecordingIndex } from './recording-index.ts';
import { PART_SUFFIX } from './segment-file.ts';
import { scanTs, TS_PACKET } from './ts-scan.ts';

const SEGMENT_NAME = /^(\d{10,15})\.ts$/;
const PART_NAME = /^(\d{10,15})\.ts\.part$/;
const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
const CAMERA_FOLDER = /^[A-Za-z0-9_-]{1,64}$/;

export interface ReindexResult {
  /** Closed segments on disk the index did not have (a crash between rename and insert, a restored database). */
  indexed: number;
  /** Segments cut by a crash, trimmed to whole packets and indexed (state `repaired`, or `partial` when nothing had to go). */
  repaired: number;
  /** Cut segments with no readable frame, removed. */
  discarded: number;
}

/**
 * Start-up pass over `<dataDir>/recordings/<camera>/<day>/`: what is on disk and not in the index is
 * indexed again, and a `.ts.part` left by a crash (kill -9 in the middle of a segment) is cut back to its
 * last whole TS packet, scanned for its frames and key frames, and indexed; nothing recorded before it is lost.
 */
export async function reindexRecordings(root: string, index: RecordingIndex): Promise<ReindexResult> {
  const result: ReindexResult = { indexed: 0, repaired: 0, discarded: 0 };
  for (const camera of await listDir(root)) {
    if (!CAMERA_FOLDER.test(camera)) continue;
    const known = await index.knownPaths(camera);
    for (const day of await listDir(join(root, camera))) {
      if (!DAY_FOLDER.test(day)) continue;
      for (const name of await listDir(join(root, camera, day))) {
        const part = PART_NAME.exec(name);
        const whole = SEGMENT_NAME.exec(name);
        if (part) {
          const path = `${camera}/${day}/${name.slice(0, -PART_SUFFIX.length)}`;
          const outcome = await repairPart(root, camera, path, Number(part[1]), index);
          result[outcome]++;
        } else if (whole && !known.has(`${camera}/${day}/${name}`)) {
          const segment = await describe(root, camera, `${camera}/${day}/${name}`, Number(whole[1]), 'complete');
          if (segment) {
            await index.addSegment(segment);
            result.indexed++;
          }
        }
      }
    }
  }
  return result;
}

async function listDir(path: string): Promise<string[]> {
  return (await readdir(path).catch(() => [] as string[])).sort();
}

async function repairPart(root: string, camera: string, path: string, startedAt: number, index: RecordingIndex): Promise<'repaired' | 'discarded'> {
  const partPath = join(root, path + PART_SUFFIX);
  const data = await readFile(partPath);
  const scan = scanTs(data);
  if (scan.framesMs.length === 0) {
    await rm(partPath, { force: true });
    return 'discarded';
  }
  const keep = scan.packets * TS_PACKET;
  if (keep < data.length) await truncate(partPath, keep);
  await rename(partPath, join(root, path));
  const segment = await describe(root, camera, path, startedAt, keep < data.length ? 'repaired' : 'partial');
  if (segment) await index.addSegment(segment);
  return 'repaired';
}

async function describe(root: string, camera: string, path: string, startedAt: number, state: RecordingSegmentState): Promise<RecordedSegment | undefined> {
  const data = await readFile(join(root, path));
  const scan = scanTs(data);
  if (scan.framesMs.length === 0) return undefined;
  const bytes = scan.packets * TS_PACKET;
  return {
    id: randomUUID(), cameraId: camera, startedAt, endedAt: startedAt + scan.durationMs, durationMs: scan.durationMs, bytes, path,
    format: 'mpegts', keyframes: scan.keyframesMs.length > 0 ? scan.keyframesMs : [0], state, createdAt: Date.now(),
  };
}
