import { assertPlainPath } from './ffmpeg-args.ts';

/**
 * ffmpeg argv that copies a clip's H.264 into a raw Annex-B elementary stream (start codes, SPS/PPS in
 * band): what the GB/T 28181 simulator cuts into access units and packs as MPEG-PS over RTP.
 */
export function annexbArgs(input: string, output: string): string[] {
  assertPlainPath(input, 'clip input');
  assertPlainPath(output, 'Annex-B output');
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', input, '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-an', '-f', 'h264', output];
}
