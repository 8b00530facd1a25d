import { isAbsolute, join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';

/** Settings of recording and its storage (`recording.*`, HUB_RECORDING_*). */
export const RecordingConfigSchema = Type.Object(
  {
    dir: Type.String({ default: '', maxLength: 1_024, description: 'folder of the recordings, e.g. a volume of their own; empty = <dataDir>/recordings' }),
    segmentSeconds: Type.Integer({ minimum: 2, maximum: 10, default: 6, description: 'length of a recorded segment (whole relay HLS segments joined, cut at key frames)' }),
    retentionDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 30, description: 'days kept for a camera whose plan sets none' }),
    maxBytes: Type.Integer({ minimum: 0, default: 0, description: 'bytes cap of the recordings volume (0 = none); oldest segments go first' }),
    minFreeBytes: Type.Integer({ minimum: 0, default: 2_147_483_648, description: 'free-space floor on the recordings volume; below it the oldest segments go' }),
    storageCheckSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 15, description: 'how often caps, floor and retention days are enforced' }),
    missingCheckMinutes: Type.Integer({ minimum: 1, maximum: 1_440, default: 10, description: 'how often indexed files are checked for being deleted behind the hub\'s back' }),
    pollMs: Type.Integer({ minimum: 50, maximum: 5_000, default: 500, description: 'how often the recorder reads each relay playlist' }),
    gapMs: Type.Integer({ minimum: 500, maximum: 600_000, default: 3_000, description: 'a hole longer than this between segments is stored as a gap' }),
    maxPreRollSeconds: Type.Integer({ minimum: 0, maximum: 300, default: 60 }),
    maxPostRollSeconds: Type.Integer({ minimum: 0, maximum: 3_600, default: 300 }),
  },
  { additionalProperties: false, default: {} },
);

export type RecordingConfig = Static<typeof RecordingConfigSchema>;

/** Where recordings live: `recording.dir` (relative = to the working folder), else `<dataDir>/recordings`. Playback and export read the same. */
export function recordingsRoot(config: Pick<RecordingConfig, 'dir'>, dataDir: string): string {
  if (!config.dir) return join(dataDir, 'recordings');
  return isAbsolute(config.dir) ? config.dir : resolve(config.dir);
}
