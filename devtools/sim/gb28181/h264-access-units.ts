import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DomainError } from '../../../api/kernel/errors/domain-error.ts';
import { annexbArgs } from '../../../ingest/ffmpeg/annexb-args.ts';
import { runFfmpegOnce } from '../../../ingest/ffmpeg/ffmpeg-run.ts';

/** One H.264 access unit (a frame with its SPS/PPS/SEI), Annex-B with start codes. */
export interface AccessUnit {
  data: Buffer;
  key: boolean;
}

/** NAL units of an Annex-B stream (without their start codes). */
function nalUnits(stream: Buffer): Buffer[] {
  const starts: Array<{ at: number; len: number }> = [];
  for (let i = 0; i + 3 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0) {
      if (stream[i + 2] === 1) { starts.push({ at: i, len: 3 }); i += 2; }
      else if (stream[i + 2] === 0 && stream[i + 3] === 1) { starts.push({ at: i, len: 4 }); i += 3; }
    }
  }
  return starts.map((s, k) => stream.subarray(s.at + s.len, k + 1 < starts.length ? starts[k + 1]!.at : stream.length));
}

/** Cuts Annex-B into access units: a new one at an AUD, at SPS/PPS/SEI after a slice, or at a slice with first_mb_in_slice = 0. */
export function accessUnits(stream: Buffer): AccessUnit[] {
  const units: AccessUnit[] = [];
  let current: Buffer[] = [];
  let hasSlice = false;
  let key = false;
  const flush = () => {
    if (hasSlice) units.push({ data: Buffer.concat(current.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n])), key });
    current = [];
    hasSlice = false;
    key = false;
  };
  for (const nal of nalUnits(stream)) {
    const type = nal[0]! & 0x1f;
    const isSlice = type === 1 || type === 5;
    if (hasSlice && (type === 9 || type === 7 || type === 8 || type === 6 || (isSlice && (nal[1]! & 0x80) !== 0))) flush();
    current.push(nal);
    if (isSlice) hasSlice = true;
    if (type === 5) key = true;
  }
  flush();
  return units;
}

/** The access units of an MP4 clip (its Annex-B copy is cached beside it). */
export async function clipAccessUnits(clipPath: string): Promise<AccessUnit[]> {
  const annexb = join(dirname(clipPath), 'clip.h264');
  if (!existsSync(annexb)) {
    const partial = `${annexb}.${process.pid}.${Date.now()}.partial`;
    const result = await runFfmpegOnce({ name: 'ffmpeg:sim-annexb', args: annexbArgs(clipPath, partial), timeoutMs: 60_000, startErrorCode: 'SIM_CLIP_FFMPEG' });
    if (result.code !== 0) {
      await rm(partial, { force: true });
      throw new DomainError('SIM_CLIP_FFMPEG', `ffmpeg could not copy the clip to Annex-B: ${result.stderr.join(' | ')}`);
    }
    await rename(partial, annexb);
  }
  const units = accessUnits(await readFile(annexb));
  if (units.length === 0 || !units[0]!.key) throw new DomainError('SIM_CLIP_FFMPEG', 'the clip has no H.264 key frame to start from');
  return units;
}
