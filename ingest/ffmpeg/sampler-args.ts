import { streamInputOptions } from './ffmpeg-args.ts';
import { privateInput, type FfmpegCommand } from './private-input.ts';

export interface SamplerArgsOptions {
  /** The relay's local RTMP URL, or the camera's own rtsp:// / rtsps:// URL (credentials included). */
  url: string;
  sampleFps: number;
  width: number;
  height: number;
  inputTimeoutSeconds: number;
}

/**
 * ffmpeg argv for the analytics frame sampler: pull the source, keep `sampleFps` frames a second, scale
 * once to the model size (aspect kept, padded black so every frame has exactly width*height*3 bytes) and
 * write raw RGB to stdout. fps comes before scale so dropped frames are never scaled. The URL (camera
 * credentials or the relay's signature) goes through stdin (`privateInput()`), never argv.
 */
export function samplerArgs(o: SamplerArgsOptions): FfmpegCommand {
  const input = privateInput(o.url, [...streamInputOptions(o.url, o.inputTimeoutSeconds), ['fflags', 'nobuffer+discardcorrupt']]);
  // 'info' so the input stream's picture size is printed (zones are placed inside the padded frame by it).
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'];
  args.push('-fflags', 'nobuffer', ...input.args, '-an', '-sn', '-dn');
  const { width: w, height: h } = o;
  args.push(
    '-vf',
    `fps=${o.sampleFps},scale=w=${w}:h=${h}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
      `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,format=rgb24`,
  );
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return { args, stdin: input.stdin };
}
