import sharp from 'sharp';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { unavailable } from '../../api/kernel/errors/hub-error.ts';
import { OutboundUrlGuard } from '../../api/kernel/http/outbound-url.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { boundedFetch, safeOrigin } from '../onvif/bounded-fetch.ts';
import { digestAuthorization, parseDigestChallenge } from '../onvif/http-digest.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { CameraCredentials, CameraRow } from '../registry/camera-repository.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import { grabFrame } from './ffmpeg-frame.ts';
import { FrameGrabs } from './frame-grabs.ts';

/** Decoding bombs stop here: 8K is plenty for a camera still. */
const MAX_INPUT_PIXELS = 7680 * 4320;
const FRAME_TIMEOUT_FLOOR_MS = 10_000;

/** The relay as far as stills need it: a hold on a pull that already runs. */
export type RunningPulls = Pick<RelayPool, 'leaseRunning'>;

export interface Snapshot {
  jpeg: Buffer;
  source: 'snapshot-uri' | 'stream';
}

/** The grabbed image before resizing, as the camera (or ffmpeg) gave it. */
interface SourceImage {
  image: Buffer;
  source: Snapshot['source'];
}

/**
 * A camera still as a resized JPEG: from the camera's snapshot URI (HTTP digest), or one frame of its
 * stream when it has none or it fails. That frame comes from the relay's pull when one runs (the camera is
 * pulled once), else from a short pull of the camera's own stream. Credentials only go to the snapshot URI when it is on the camera's
 * own origin (its ONVIF XAddr, or its stream host for plain RTSP cameras).
 */
export class SnapshotService {
  /**
   * One grab per camera at a time, shared by every width, bounded hub-wide and per user, the frame kept a
   * moment for the requests right after (issue 13 #4: each width used to start its own ffmpeg).
   */
  private readonly grabs: FrameGrabs<SourceImage>;

  /** Snapshot URIs are set by approvers (or reported by devices): every fetch passes the outbound guard (issue 13 #9). */
  private readonly outbound: OutboundUrlGuard;

  /** `pulls` answers undefined when the relay feature does not run. */
  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry, private readonly pulls: () => RunningPulls | undefined) {
    this.outbound = new OutboundUrlGuard(ctx.config.http.outboundAllowedNetworks);
    this.grabs = new FrameGrabs(() => ctx.config.ingest.snapshot);
  }

  /** A still of the camera `width` wide, for `userId` (whose grabs count against their own limit); SNAPSHOT_BUSY over the limits. */
  async take(cameraId: string, width: number, userId: string): Promise<Snapshot> {
    const source = await this.grabs.frame(cameraId, userId, () => this.grab(cameraId));
    return { jpeg: await resizeJpeg(source.image, width), source: source.source };
  }

  /** Drops cached frames, e.g. at shutdown. */
  close(): void {
    this.grabs.forget();
  }

  private async grab(cameraId: string): Promise<SourceImage> {
    const camera = await this.registry.get(cameraId);
    const credentials = this.ctx.cameras.credentialsOf(camera);
    if (camera.snapshot_url) {
      try {
        return { image: await this.fetchSnapshotUri(camera, credentials), source: 'snapshot-uri' };
      } catch (error) {
        this.ctx.log.warn({ cameraId, code: (error as DomainError).code, reason: (error as Error).message }, 'snapshot URI failed; reading a frame from the stream');
      }
    }
    return { image: await this.frameOfStream(camera), source: 'stream' };
  }

  private async frameOfStream(camera: CameraRow): Promise<Buffer> {
    const { ffmpegPath } = this.ctx.config.relay;
    // ffmpeg start, RTSP set-up and the wait for a key frame take seconds, not a request's round trip. The
    // relay's local output starts at a key frame it holds, so it is quick, yet on a loaded host ffmpeg's own
    // start can take seconds: the same deadline as a direct grab, so the camera is not pulled a second time.
    const timeoutMs = Math.max(FRAME_TIMEOUT_FLOOR_MS, this.ctx.config.ingest.requestTimeoutMs * 2);
    const lease = this.pulls()?.leaseRunning(camera.id, 'snapshot');
    if (lease) {
      try {
        return await grabFrame(lease.url, timeoutMs, ffmpegPath);
      } catch (error) {
        this.ctx.log.warn({ cameraId: camera.id, code: (error as DomainError).code }, 'no still from the running relay pull; reading the camera stream');
      } finally {
        lease.release();
      }
    }
    // A GB/T 28181 channel has no URL to read directly: its video only comes through the relay's INVITE.
    if (camera.source === 'gb28181') throw unavailable('SNAPSHOT_NEEDS_LIVE', 'a still of a GB/T 28181 channel is taken from its live stream: start playing it first');
    const stream = camera.sub_stream_url ? 'sub' : 'main';
    return grabFrame(await this.registry.pullUrl(camera.id, stream), timeoutMs, ffmpegPath);
  }

  private async fetchSnapshotUri(camera: CameraRow, credentials: CameraCredentials | undefined): Promise<Buffer> {
    const url = camera.snapshot_url!;
    const { requestTimeoutMs: timeoutMs, maxResponseBytes } = this.ctx.config.ingest;
    const maxBytes = Math.max(maxResponseBytes, 16 * 1024 * 1024);
    // Checked before each request (DNS may answer differently the second time); boundedFetch follows no redirects.
    await this.outbound.check(url);
    let response = await boundedFetch({ url, timeoutMs, maxBytes });
    if (response.status === 401 && credentials) {
      if (!mayReceiveCredentials(camera, url)) {
        throw new DomainError('SNAPSHOT_FOREIGN_ORIGIN', `snapshot URI ${safeOrigin(url)} is not the camera's own origin; credentials withheld`);
      }
      const challenge = parseDigestChallenge(response.headers.get('www-authenticate'));
      if (!challenge) throw new DomainError('SNAPSHOT_AUTH_UNSUPPORTED', 'snapshot URI asks for an authentication scheme other than Digest');
      const target = new URL(url);
      const authorization = digestAuthorization(challenge, 'GET', `${target.pathname}${target.search}`, credentials.username, credentials.password);
      await this.outbound.check(url);
      response = await boundedFetch({ url, timeoutMs, maxBytes, headers: { authorization } });
    }
    if (response.status === 401) throw new DomainError('SNAPSHOT_AUTH_FAILED', 'the camera refused the stored credentials for its snapshot');
    if (response.status !== 200) throw new DomainError('SNAPSHOT_FAILED', `snapshot URI answered ${response.status}`);
    if (!/^image\//i.test(response.headers.get('content-type') ?? '')) throw new DomainError('SNAPSHOT_NOT_IMAGE', 'snapshot URI did not answer an image');
    return response.body;
  }
}

/** Exact origin of the ONVIF device, or the stream's host for cameras registered by hand. */
export function mayReceiveCredentials(camera: Pick<CameraRow, 'onvif_xaddr' | 'stream_url'>, url: string): boolean {
  if (camera.onvif_xaddr) return safeOrigin(url) === safeOrigin(camera.onvif_xaddr);
  try {
    return new URL(url).hostname === new URL(camera.stream_url).hostname;
  } catch {
    return false;
  }
}

export async function resizeJpeg(image: Buffer, width: number): Promise<Buffer> {
  try {
    return await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width, withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch (cause) {
    throw new DomainError('SNAPSHOT_INVALID_IMAGE', 'the camera sent an image that cannot be decoded (or is too large)', { cause });
  }
}
