import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { runFfmpegOnce } from '../../ingest/ffmpeg/ffmpeg-run.ts';
import { testClipArgs, type TestClipInput } from '../../ingest/ffmpeg/test-clip-args.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MEDIA_DIR = join(REPO_ROOT, 'media');
export const CLIP_CACHE_DIR = join(REPO_ROOT, 'data/sim/clips');

/** One segment of a clip: an image shown for some seconds, or a black frame when `image` is null. */
export interface ClipSegment {
  image: string | null;
  seconds: number;
}

export interface ClipOptions {
  /** Either plain image paths (each shown `secondsPerImage`) or explicit segments. */
  images?: string[];
  segments?: ClipSegment[];
  secondsPerImage?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Seconds between key frames; the RTSP server needs at least one per second. */
  gopSeconds?: number;
  /** Where the cache lives; tests may point it elsewhere. */
  cacheDir?: string;
}

const DEFAULTS = { secondsPerImage: 3, width: 1920, height: 1080, fps: 25, gopSeconds: 1 };
// Bump when testClipArgs changes so cached clips are rebuilt.
const BUILDER_VERSION = 2;
const BUILD_TIMEOUT_MS = 300_000;

/**
 * Builds an H.264 MP4 from still images, each scaled to fit and centred on black (argv: ingest/ffmpeg/
 * test-clip-args.ts). Cached under `data/sim/clips/<hash>/clip.mp4` keyed by the options and the image
 * contents, so a second call is a stat.
 */
export async function buildClip(options: ClipOptions): Promise<string> {
  const o = { ...DEFAULTS, ...options };
  const segments = options.segments ?? (options.images ?? []).map((image) => ({ image, seconds: o.secondsPerImage }));
  if (segments.length === 0) throw new DomainError('SIM_CLIP_EMPTY', 'a clip needs at least one image or segment');
  if (o.width % 2 || o.height % 2) throw new DomainError('SIM_CLIP_SIZE', 'clip width and height must be even');

  const hash = createHash('sha256').update(JSON.stringify({ v: BUILDER_VERSION, o: { ...o, cacheDir: undefined, images: undefined, segments: undefined } }));
  const resolved: TestClipInput[] = [];
  for (const segment of segments) {
    if (segment.image === null) {
      resolved.push({ image: null, seconds: segment.seconds, decoder: null });
      hash.update(`blank:${segment.seconds};`);
      continue;
    }
    const path = resolve(MEDIA_DIR, segment.image);
    const bytes = await readFile(path).catch((cause: unknown) => {
      throw new DomainError('SIM_CLIP_IMAGE', `cannot read clip image ${path}`, { cause });
    });
    resolved.push({ image: path, seconds: segment.seconds, decoder: sniffDecoder(bytes, path) });
    hash.update(`img:${segment.seconds}:`).update(bytes).update(';');
  }

  const dir = join(options.cacheDir ?? CLIP_CACHE_DIR, hash.digest('hex').slice(0, 24));
  const clipPath = join(dir, 'clip.mp4');
  if (existsSync(clipPath)) return clipPath;
  await mkdir(dir, { recursive: true });
  // Build beside the final name and rename: concurrent builders (two test workers) never see half a file.
  const partial = join(dir, `clip.${process.pid}.${Date.now()}.partial.mp4`);
  try {
    await runFfmpeg(testClipArgs(resolved, o, partial));
    await assertNonEmpty(partial);
    await rename(partial, clipPath);
  } finally {
    await rm(partial, { force: true });
  }
  return clipPath;
}

/** Images are decoded by content, not extension (media/plates/blue_zangDT5022_closeup.jpg is a PNG). */
function sniffDecoder(bytes: Buffer, path: string): 'mjpeg' | 'png' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'mjpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  throw new DomainError('SIM_CLIP_IMAGE', `clip image ${path} is neither JPEG nor PNG`);
}

async function runFfmpeg(args: string[]): Promise<void> {
  const { code, signal, stderr } = await runFfmpegOnce({ name: 'ffmpeg:sim-clip', args, timeoutMs: BUILD_TIMEOUT_MS, stopTimeoutMs: 2_000, startErrorCode: 'SIM_CLIP_FFMPEG' });
  if (code !== 0) {
    throw new DomainError('SIM_CLIP_FFMPEG', `ffmpeg failed building a test clip (code ${code}, signal ${signal}): ${stderr.join(' | ')}`);
  }
}

async function assertNonEmpty(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    if ((await handle.stat()).size === 0) throw new DomainError('SIM_CLIP_FFMPEG', 'ffmpeg wrote an empty clip');
  } finally {
    await handle.close();
  }
}
