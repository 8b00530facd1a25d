import sharp, { type Metadata } from 'sharp';
import { DomainError, isDomainError } from '../../kernel/errors/domain-error.ts';
import { ensurePrivateDir } from '../../kernel/fs/private-files.ts';
import type { OutboundUrlGuard } from '../../kernel/http/outbound-url.ts';
import { PassPictures } from '../../checkpoint/pass-pictures.ts';
import { passDay } from '../../../analytics/pipeline/pass-images.ts';
import type { ImageSource } from '../objects/motor-vehicle-input.ts';
import { decodeBase64Picture, PictureRefusal } from './base64-picture.ts';
import { jpegSize } from './jpeg-size.ts';
import type { PictureJob } from './picture-messages.ts';
import { PictureWriter, type ThreadPush } from './picture-writer.ts';
import type { HeldPictureState, PushParseResult } from './push-messages.ts';
import type { MovableBody } from '../movable-body.ts';

export interface VehicleImageLimits {
  maxImageBytes: number;
  maxImagePixels: number;
  fetchTimeoutMs: number;
  /** Writer threads (decode and write); the event loop does neither. */
  writerThreads: number;
}

/** One picture of one pass to store. */
export interface PictureRequest {
  passId: string;
  at: number;
  kind: 'crop' | 'scene';
  source: ImageSource;
}

/** The pictures a writer thread decoded and checked while parsing a push, and that push (their holder). */
export interface HeldPictures {
  push: ThreadPush;
  pictures: HeldPictureState[];
}

type InlineOrUrl = Exclude<ImageSource, { picture: number }>;

/** The stored picture's path relative to the images folder, or why it was not stored. */
export type PictureOutcome = { rel: string } | { error: Error };

const URL_FETCH_CONCURRENCY = 8;
const invalid = (code: string, message: string, cause?: unknown) => new DomainError(code, message, { cause });

/** Picture errors that refuse their vehicle (the data's fault); others (an unreachable URL) only lose the picture. */
export const REFUSING_IMAGE_CODES: ReadonlySet<string> = new Set(['VIID_IMAGE_TOO_LARGE', 'VIID_IMAGE_INVALID']);
const refusesPass = (outcome: PictureOutcome | undefined) => outcome !== undefined && 'error' in outcome && isDomainError(outcome.error) && REFUSING_IMAGE_CODES.has(outcome.error.code);
const refusal = (error: PictureRefusal) => invalid(error.code, error.message);

async function eachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

/**
 * Pictures of received vehicles, appended to picture volumes (`<dataDir>/images/<day>/<tag>-<n>.pack`, private
 * files; see PassPictures for why not a file each, as our own pass crops are). A picture is inline base64 or fetched from the peer's URL
 * through the outbound guard (no redirects, bounded time and size). Its size is bounded before decoding
 * (maxImageBytes) and its header's pixel count before any pixel is decoded (maxImagePixels); JPEGs are kept
 * as sent, other formats sharp reads (PNG, WebP, BMP…) are re-encoded as JPEG. A request's inline JPEGs are
 * decoded, checked and written in one message to a writer thread (`PictureWriter`).
 */
export class VehicleImages {
  private readonly writer: PictureWriter;
  private readonly pictures: PassPictures;
  private rootReady: Promise<void> | undefined;

  constructor(private readonly imagesDir: string, private readonly limits: VehicleImageLimits, private readonly outbound: OutboundUrlGuard) {
    this.writer = new PictureWriter(imagesDir, limits.writerThreads, limits);
    this.pictures = new PassPictures(imagesDir);
  }

  /**
   * Stores a batch of pictures; one outcome per request, in order. DomainErrors are the data's fault.
   * Pictures named by index (`{ picture }`) are those a writer thread decoded and checked while parsing the
   * push (`held`): only these requests' are written, by that thread, from the bytes it holds.
   */
  async storeAll(requests: PictureRequest[], held?: HeldPictures): Promise<PictureOutcome[]> {
    const outcomes: PictureOutcome[] = new Array(requests.length);
    if (requests.length === 0) return outcomes;
    this.rootReady ??= ensurePrivateDir(this.imagesDir).catch((error: unknown) => { this.rootReady = undefined; throw error; });
    await this.rootReady;
    const days = requests.map((r) => passDay(r.at));
    // Pictures given by URL are fetched here (bounded), other formats than JPEG re-encoded; then written with the inline ones.
    const bytesOf = new Map<number, Buffer>();
    const prepared = requests.flatMap((r, index) => {
      if ('url' in r.source) return [{ index, load: () => this.load(r.source as { url: string }) }];
      if (!('picture' in r.source)) return [];
      const state = held?.pictures[r.source.picture];
      if (state?.status === 'notJpeg') return [{ index, load: () => this.asJpeg(Buffer.from(state.bytes.buffer, state.bytes.byteOffset, state.bytes.byteLength)) }];
      if (state?.status === 'refused') outcomes[index] = { error: invalid(state.code, state.message) };
      else if (!state) outcomes[index] = { error: new Error('the picture is not among the push\'s') };
      return [];
    });
    await eachLimited(prepared, URL_FETCH_CONCURRENCY, async ({ index, load }) => {
      try {
        bytesOf.set(index, await load());
      } catch (error) {
        outcomes[index] = { error: error as Error };
      }
    });
    // A pass with a picture refused (the data's fault) is refused whole: its other pictures are not written,
    // as a volume cannot take bytes back.
    const refusedPasses = new Set(requests.filter((_, index) => refusesPass(outcomes[index])).map((r) => r.passId));
    const jobs: Array<{ index: number; job: PictureJob }> = [];
    requests.forEach((r, index) => {
      if (refusedPasses.has(r.passId) && !outcomes[index]) {
        outcomes[index] = { error: invalid('VIID_IMAGE_NOT_WRITTEN', 'not written: another picture of this vehicle was refused') };
        return;
      }
      const bytes = bytesOf.get(index);
      if (bytes) jobs.push({ index, job: { day: days[index]!, bytes } });
      else if ('data' in r.source) jobs.push({ index, job: { day: days[index]!, data: r.source.data } });
      else if ('picture' in r.source && held?.pictures[r.source.picture]?.status === 'held') jobs.push({ index, job: { day: days[index]!, held: r.source.picture } });
    });
    const converted: Array<{ index: number; job: PictureJob }> = [];
    await this.write(jobs, outcomes, held?.push, async (index) => {
      // Decoded fine but not a JPEG: re-encoded here (rare: the standard's pictures are JPEGs).
      try {
        converted.push({ index, job: { day: days[index]!, bytes: await this.load(requests[index]!.source as InlineOrUrl) } });
      } catch (error) {
        outcomes[index] = { error: error as Error };
      }
    });
    await this.write(converted, outcomes, undefined, async (index) => { outcomes[index] = { error: invalid('VIID_IMAGE_INVALID', 'the picture could not be re-encoded') }; });
    return outcomes;
  }

  /**
   * Parses a POST /VIID/MotorVehicles body in a writer thread (moved there, not copied); its good pictures
   * stay held there until `storeAll` writes them or `release` drops them. Call `release` in every case.
   */
  parsePush(body: MovableBody, maxObjects: number): Promise<{ parsed: PushParseResult; push: ThreadPush }> {
    return this.writer.parse(body, { maxObjects });
  }

  release(push: ThreadPush): void {
    this.writer.release(push);
  }

  /**
   * Forgets pictures written for passes that were then not stored: their volume ranges stay unnamed and go
   * with their day's volume.
   */
  async remove(paths: string[]): Promise<void> {
    await this.pictures.remove(paths);
  }

  start(): Promise<void> {
    return this.writer.start();
  }

  stop(): Promise<void> {
    return this.writer.stop();
  }

  /** The picture's bytes as a checked JPEG; throws VIID_IMAGE_* DomainErrors. */
  async load(source: InlineOrUrl): Promise<Buffer> {
    let bytes: Buffer;
    if ('data' in source) {
      try {
        bytes = decodeBase64Picture(source.data, this.limits.maxImageBytes);
      } catch (error) {
        throw error instanceof PictureRefusal ? refusal(error) : error;
      }
    } else bytes = await this.fetch(source.url);
    return this.asJpeg(bytes);
  }

  private async write(jobs: Array<{ index: number; job: PictureJob }>, outcomes: PictureOutcome[], push: ThreadPush | undefined, notJpeg: (index: number) => Promise<void>): Promise<void> {
    if (jobs.length === 0) return;
    let results;
    try {
      results = await this.writer.store(jobs.map((j) => j.job), push);
    } catch (error) {
      for (const { index } of jobs) outcomes[index] = { error: error as Error };
      return;
    }
    const later: Array<Promise<void>> = [];
    results.forEach((result, i) => {
      const { index, job } = jobs[i]!;
      if (result.status === 'stored') outcomes[index] = { rel: result.rel };
      else if (result.status === 'refused') outcomes[index] = { error: invalid(result.code, result.message) };
      else if (result.status === 'failed') outcomes[index] = { error: new Error(`the picture could not be written: ${result.message}`) };
      else later.push(notJpeg(index));
    });
    await Promise.all(later);
  }

  private async fetch(url: string): Promise<Buffer> {
    try {
      await this.outbound.check(url);
    } catch (cause) {
      throw invalid('VIID_IMAGE_URL_REFUSED', `the hub does not fetch ${url.slice(0, 200)}: ${(cause as Error).message}`, cause);
    }
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.limits.fetchTimeoutMs) });
    } catch (cause) {
      throw invalid('VIID_IMAGE_FETCH_FAILED', `fetching the picture failed: ${(cause as Error).message}`, cause);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      throw invalid('VIID_IMAGE_FETCH_FAILED', `fetching the picture answered ${response.status}`);
    }
    if (Number(response.headers.get('content-length')) > this.limits.maxImageBytes) {
      await response.body.cancel().catch(() => {});
      throw invalid('VIID_IMAGE_TOO_LARGE', `a picture may be at most ${this.limits.maxImageBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        size += chunk.length;
        if (size > this.limits.maxImageBytes) await reader.cancel().catch(() => {});
        if (size > this.limits.maxImageBytes) throw invalid('VIID_IMAGE_TOO_LARGE', `a picture may be at most ${this.limits.maxImageBytes} bytes`);
        chunks.push(Buffer.from(chunk));
      }
    } catch (cause) {
      if (cause instanceof DomainError) throw cause;
      throw invalid('VIID_IMAGE_FETCH_FAILED', `reading the picture failed: ${(cause as Error).message}`, cause);
    }
    return Buffer.concat(chunks, size);
  }

  private async asJpeg(bytes: Buffer): Promise<Buffer> {
    const size = jpegSize(bytes);
    if (size) {
      if (size.width === 0 || size.height === 0) throw invalid('VIID_IMAGE_INVALID', 'the picture has no size');
      if (size.width * size.height > this.limits.maxImagePixels) throw invalid('VIID_IMAGE_TOO_LARGE', `the picture claims ${size.width} × ${size.height} pixels; at most ${this.limits.maxImagePixels}`);
      return bytes;
    }
    let meta: Metadata;
    try {
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch (cause) {
      throw invalid('VIID_IMAGE_INVALID', 'the picture is not an image sharp can read', cause);
    }
    const pixels = (meta.width ?? 0) * (meta.height ?? 0);
    if (!pixels) throw invalid('VIID_IMAGE_INVALID', 'the picture has no size');
    if (pixels > this.limits.maxImagePixels) throw invalid('VIID_IMAGE_TOO_LARGE', `the picture claims ${meta.width} × ${meta.height} pixels; at most ${this.limits.maxImagePixels}`);
    if (meta.format === 'jpeg') return bytes;
    try {
      return await sharp(bytes, { limitInputPixels: this.limits.maxImagePixels }).jpeg({ quality: 85 }).toBuffer();
    } catch (cause) {
      throw invalid('VIID_IMAGE_INVALID', 'the picture could not be decoded', cause);
    }
  }
}
