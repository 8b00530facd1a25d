import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';

/** A URL to read a camera's video from, held until released. */
export interface FrameSourceLease {
  url: string;
  release(): void;
}

/** Where the sampler reads a camera from; the relay's single pull when there is one. */
export interface FrameSource {
  acquire(cameraId: string): Promise<FrameSourceLease>;
}

/** The relay feature's service, as far as the pipeline needs it. */
export interface RelayPoolLike {
  acquire(cameraId: string, consumer: string): Promise<{ url: string; release(): void | Promise<void> }>;
}

/** Through the relay: the camera is pulled once for every consumer (players, analytics, stills). */
export class RelayFrameSource implements FrameSource {
  constructor(private readonly relay: RelayPoolLike) {}

  async acquire(cameraId: string): Promise<FrameSourceLease> {
    const lease = await this.relay.acquire(cameraId, 'analytics');
    return { url: lease.url, release: () => void Promise.resolve(lease.release()).catch(() => {}) };
  }
}

/** Fallback without the relay: the camera's own stream URL (credentials included; never logged). */
export class DirectFrameSource implements FrameSource {
  constructor(private readonly cameras: Pick<CameraRegistry, 'pullUrl'>) {}

  async acquire(cameraId: string): Promise<FrameSourceLease> {
    return { url: await this.cameras.pullUrl(cameraId), release: () => {} };
  }
}

/** The relay lease when the relay feature runs, else the direct pull. */
export function frameSourceFor(relay: RelayPoolLike | undefined, cameras: Pick<CameraRegistry, 'pullUrl'>): FrameSource {
  return relay ? new RelayFrameSource(relay) : new DirectFrameSource(cameras);
}
