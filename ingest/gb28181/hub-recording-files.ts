import { lstat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { RecordingIndex } from '../../recording/recording-index.ts';
import type { HubRecordings } from './gb-upper-calls.ts';

/**
 * The hub's recorded segments of a camera over a range, as files that are really on disk (inside the
 * recordings root; a vanished or partial-to-nothing file is skipped), for playing them to the upper platform.
 */
export class HubRecordingFiles implements HubRecordings {
  constructor(private readonly index: Pick<RecordingIndex, 'segmentsBetween'>, private readonly root: string) {}

  async files(cameraId: string, from: number, to: number): Promise<Array<{ file: string; startedAt: number; endedAt: number }>> {
    const root = resolve(this.root);
    const out: Array<{ file: string; startedAt: number; endedAt: number }> = [];
    for (const segment of await this.index.segmentsBetween(cameraId, from, to)) {
      const file = resolve(root, segment.path);
      const info = file.startsWith(root + sep) ? await lstat(file).catch(() => undefined) : undefined;
      if (info?.isFile() && info.size > 0) out.push({ file, startedAt: segment.startedAt, endedAt: segment.endedAt });
    }
    return out;
  }
}
