import { assertLocalRtmp, streamInputOptions } from './ffmpeg-args.ts';
import { privateInput, type FfmpegCommand } from './private-input.ts';

/**
 * ffmpeg argv that copies the relay's local stream to H.264 Annex-B on stdout (no re-encode): the hub packs it
 * as PS over RTP for an upper GB/T 28181 platform. The signed local URL goes through stdin.
 */
export function annexbStreamArgs(localRtmpUrl: string, inputTimeoutSeconds: number): FfmpegCommand {
  assertLocalRtmp(localRtmpUrl);
  const input = privateInput(localRtmpUrl, streamInputOptions(localRtmpUrl, inputTimeoutSeconds));
  return {
    args: ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning', '-fflags', 'nobuffer', ...input.args,
      '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-an', '-f', 'h264', 'pipe:1'],
    stdin: input.stdin,
  };
}
