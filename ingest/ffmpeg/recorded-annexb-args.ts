import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { assertPlainPath } from './ffmpeg-args.ts';
import type { FfmpegCommand } from './private-input.ts';

/**
 * ffmpeg argv that plays recorded segments (absolute paths, in order) at their own pace (`-re`) as H.264
 * Annex-B on stdout, without re-encoding: the hub packs it as PS over RTP for an upper GB/T 28181 platform's
 * playback. The first segment is entered at `inpointSeconds` (the demuxer starts at the key frame before it)
 * and the output stops after `durationSeconds`. The segment list goes on stdin as an ffconcat script.
 */
export function recordedAnnexbArgs(segmentFiles: string[], inpointSeconds: number, durationSeconds: number): FfmpegCommand {
  if (segmentFiles.length === 0) throw new DomainError('FFMPEG_INPUT_INVALID', 'a recorded playback needs at least one segment');
  if (!(inpointSeconds >= 0) || !(durationSeconds > 0)) throw new DomainError('FFMPEG_INPUT_INVALID', 'in point must be ≥ 0 and the duration > 0');
  const lines = ['ffconcat version 1.0'];
  segmentFiles.forEach((file, i) => {
    assertPlainPath(file, 'recorded segment');
    // file: explicitly: a bare path would be resolved against the script's own URL (pipe:0).
    lines.push(`file 'file:${file.replaceAll("'", "'\\''")}'`);
    if (i === 0 && inpointSeconds > 0) lines.push(`inpoint ${inpointSeconds.toFixed(3)}`);
  });
  return {
    args: ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-re', '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,pipe', '-i', 'pipe:0',
      '-t', durationSeconds.toFixed(3), '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-an', '-f', 'h264', 'pipe:1'],
    stdin: `${lines.join('\n')}\n`,
  };
}
