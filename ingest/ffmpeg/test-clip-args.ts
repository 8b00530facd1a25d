import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { assertPlainPath } from './ffmpeg-args.ts';

/** One input of a test clip: a still image (absolute path, decoded by `decoder`) or black when `image` is null. */
export interface TestClipInput {
  image: string | null;
  seconds: number;
  decoder: 'mjpeg' | 'png' | null;
}

export interface TestClipFormat {
  width: number;
  height: number;
  fps: number;
  /** Seconds between key frames. */
  gopSeconds: number;
}

/**
 * ffmpeg argv for a simulator clip: H.264 MP4 (libx264 veryfast, main profile, yuv420p, no B-frames,
 * fixed GOP) from still images, each scaled to fit and centred on black, and black segments.
 */
export function testClipArgs(segments: TestClipInput[], format: TestClipFormat, output: string): string[] {
  assertPlainPath(output, 'clip output');
  const { width: w, height: h, fps } = format;
  const gop = Math.max(1, Math.round(fps * format.gopSeconds));
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  const filters: string[] = [];
  segments.forEach((segment, i) => {
    if (segment.image === null) {
      args.push('-f', 'lavfi', '-t', String(segment.seconds), '-i', `color=c=black:s=${w}x${h}:r=${fps}`);
    } else {
      assertPlainPath(segment.image, 'clip image');
      if (segment.decoder !== 'mjpeg' && segment.decoder !== 'png') throw new DomainError('FFMPEG_INPUT_INVALID', 'clip images are decoded as mjpeg or png');
      args.push('-f', 'image2', '-loop', '1', '-framerate', String(fps), '-t', String(segment.seconds));
      args.push('-c:v', segment.decoder, '-i', segment.image);
    }
    // Fit inside the frame, upscaling at most 2x so small crops stay recognisable, centred on black.
    filters.push(
      `[${i}:v]scale='min(${w},2*iw)':'min(${h},2*ih)':force_original_aspect_ratio=decrease:force_divisible_by=2,` +
        `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=${fps},format=yuv420p[v${i}]`,
    );
  });
  const concatInputs = segments.map((_, i) => `[v${i}]`).join('');
  filters.push(`${concatInputs}concat=n=${segments.length}:v=1:a=0[out]`);
  args.push('-filter_complex', filters.join(';'), '-map', '[out]', '-an');
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p');
  args.push('-r', String(fps), '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-bf', '0');
  args.push('-movflags', '+faststart', '-f', 'mp4', output);
  return args;
}
