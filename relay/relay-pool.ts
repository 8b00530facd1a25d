import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { badRequest, unavailable } from '../api/kernel/errors/hub-error.ts';
import type { CameraSupervisor } from '../ingest/health/camera-supervisor.ts';
import type { RelayConfig } from './relay-config.ts';
import type { EmbeddedMediaServer } from './embedded-media-server.ts';
import type { LiveFeedSource } from './live-feed.ts';
import { RelayStream } from './relay-stream.ts';

/** Stream ids are camera ids; this pattern keeps them safe as folder names and RTMP stream names. */
const STREAM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The one stream-id check; a media URL names its failure MEDIA_PATH_INVALID, like any other bad media path. */
export function assertStreamId(streamId: string, code: 'STREAM_ID_INVALID' | 'MEDIA_PATH_INVALID' = 'STREAM_ID_INVALID'): string {
  if (typeof streamId !== 'string' || !STREAM_ID_PATTERN.test(streamId)) {
    throw badRequest(code, 'stream ids are 1-64 letters, digits, "-" or "_"');
  }
  return streamId;
}

/** A hold on one camera's single pull. While any lease is held the pull keeps running. */
export interface StreamLease {
  streamId: string;
  /** Local RTMP URL of the relayed stream (signed, loopback only): read it with ffmpeg. */
  url: string;
  consumer: string;
  /** False once the pull it held is gone (stopped under it: in a cluster, the camera's lease went elsewhere); lease again. */
  readonly active?: boolean;
  release(): void;
}

export interface StreamStatus {
  streamId: string;
  state: string;
  consumers: string[];
  pid: number | null;
  restarts: number;
  stallRestarts: number;
  transcoding: boolean;
  inputCodec: string | null;
  startedAt: number;
  hlsReady: boolean;
  flvPublishing: boolean;
}

interface Entry {
  leases: Map<string, string>;
  ready: Promise<RelayStream>;
  stream?: RelayStream;
  idleTimer?: NodeJS.Timeout;
  stopping?: Promise<void>;
}

export interface RelayPoolDeps {
  config: RelayConfig;
  dataDir: string;
  media: EmbeddedMediaServer;
  /** The camera URL with credentials; throws 404 for an unknown camera. */
  pullUrl(cameraId: string): Promise<string>;
  /** Cameras whose video the hub receives itself (GB/T 28181): asked first, before `pullUrl`. */
  feeds?: LiveFeedSource;
  /** Told whether each pull runs or stalls. */
  supervisor: Pick<CameraSupervisor, 'pullChanged'>;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /**
   * In a cluster: true while this node holds the camera's lease (api/kernel/cluster). Pulls of other
   * cameras are refused here (their owner pulls them); absent when the hub runs alone.
   */
  owns?: (cameraId: string) => boolean;
}

/**
 * Each camera is pulled at most once, whoever watches: viewers' play sessions and other features (the
 * analytics sampler) take reference-counted leases; the pull starts with the first lease and stops
 * `idleStopSeconds` after the last one is released. Handed to analytics and stills as a typed dependency (`HubServices.relay`).
 */
export class RelayPool {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;

  constructor(private readonly deps: RelayPoolDeps) {}

  get hlsRoot(): string {
    return join(this.deps.dataDir, 'hls');
  }

  hlsDir(streamId: string): string {
    return join(this.hlsRoot, assertStreamId(streamId));
  }

  /** A lease on the camera's pull, waiting until the stream is published locally (analytics can read `url` at once). */
  async acquire(cameraId: string, consumer: string): Promise<StreamLease> {
    const lease = await this.lease(cameraId, consumer);
    const stream = this.stream(cameraId);
    if (stream && await stream.waitForPublishing(this.deps.config.startTimeoutSeconds * 1_000)) return lease;
    lease.release();
    throw unavailable('STREAM_UNAVAILABLE', `camera ${cameraId} did not deliver video within ${this.deps.config.startTimeoutSeconds} s`);
  }

  /** A lease that returns as soon as the pull is started (viewers wait on the media routes instead). */
  async lease(cameraId: string, consumer: string): Promise<StreamLease> {
    assertStreamId(cameraId);
    for (;;) {
      if (this.stopped) throw unavailable('RELAY_STOPPED', 'the relay is shutting down');
      this.assertOwned(cameraId);
      const existing = this.entries.get(cameraId);
      if (existing?.stopping) {
        await existing.stopping;
        continue;
      }
      if (existing) {
        const lease = this.addLease(cameraId, existing, consumer);
        try {
          lease.url = this.deps.media.localUrl((await existing.ready).mediaName);
        } catch (error) {
          lease.release();
          throw error;
        }
        return lease;
      }
      if (this.entries.size >= this.deps.config.maxStreams) {
        throw unavailable('RELAY_CAPACITY', `the relay already pulls ${this.entries.size} cameras (relay.maxStreams)`);
      }
      const entry: Entry = { leases: new Map(), ready: this.startStream(cameraId) };
      this.entries.set(cameraId, entry);
      const lease = this.addLease(cameraId, entry, consumer);
      try {
        entry.stream = await entry.ready;
        // The lease may have gone while the pull started: it must not outlive its ownership.
        if (this.deps.owns && !this.deps.owns(cameraId)) {
          void this.drop(cameraId);
          this.assertOwned(cameraId);
        }
        lease.url = this.deps.media.localUrl(entry.stream.mediaName);
      } catch (error) {
        if (this.entries.get(cameraId) === entry) this.entries.delete(cameraId);
        lease.release();
        throw error;
      }
      return lease;
    }
  }

  /** In a cluster, only the node holding the camera's lease pulls it. */
  private assertOwned(cameraId: string): void {
    if (this.deps.owns && !this.deps.owns(cameraId)) {
      throw unavailable('CAMERA_OWNED_ELSEWHERE', `camera ${cameraId} is pulled by another node of the cluster`);
    }
  }

  /** Pulls running or starting now (the node's load in a cluster). */
  get pullCount(): number {
    return this.entries.size;
  }

  /** The cameras pulled (running or starting) now, those being stopped too: a cluster node must not hand them over yet. */
  pulledCameras(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Stops a camera's pull now, whoever holds leases on it (in a cluster: this node lost or handed over the
   * camera's lease, and two nodes must never pull one camera). Leases held on it become void.
   */
  async drop(cameraId: string): Promise<void> {
    const entry = this.entries.get(cameraId);
    if (!entry) return;
    clearTimeout(entry.idleTimer);
    entry.stopping ??= (async () => {
      const stream = await entry.ready.catch(() => undefined);
      await stream?.stop();
      this.deps.log.info({ stream: cameraId }, 'relay stream stopped (camera lease gone)');
    })().finally(() => {
      if (this.entries.get(cameraId) === entry) this.entries.delete(cameraId);
    });
    await entry.stopping;
  }

  private async startStream(cameraId: string): Promise<RelayStream> {
    const feed = await this.deps.feeds?.openFeed(cameraId);
    const pullUrl = feed ? '' : await this.deps.pullUrl(cameraId);
    const stream = new RelayStream({
      streamId: cameraId, hlsDir: this.hlsDir(cameraId), pullUrl, feed, config: this.deps.config, media: this.deps.media, log: this.deps.log,
      onPull: (state, reason) => this.deps.supervisor.pullChanged(cameraId, state, reason),
    });
    try {
      await stream.start();
    } catch (error) {
      await feed?.close();
      throw error;
    }
    this.deps.log.info({ stream: cameraId }, 'relay stream started');
    return stream;
  }

  private addLease(cameraId: string, entry: Entry, consumer: string): StreamLease {
    const id = randomUUID();
    entry.leases.set(id, consumer);
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    let released = false;
    const entries = this.entries;
    return {
      streamId: cameraId,
      url: '',
      consumer,
      get active() {
        return !released && entries.get(cameraId) === entry && !entry.stopping;
      },
      release: () => {
        if (released) return;
        released = true;
        entry.leases.delete(id);
        if (entry.leases.size === 0) this.scheduleIdleStop(cameraId, entry);
      },
    };
  }

  private scheduleIdleStop(cameraId: string, entry: Entry): void {
    if (this.entries.get(cameraId) !== entry || entry.stopping) return;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => {
      if (entry.leases.size > 0 || this.entries.get(cameraId) !== entry) return;
      entry.stopping = (async () => {
        const stream = await entry.ready.catch(() => undefined);
        await stream?.stop();
        this.deps.log.info({ stream: cameraId }, 'relay stream stopped (idle)');
      })().finally(() => {
        if (this.entries.get(cameraId) === entry) this.entries.delete(cameraId);
      });
    }, this.deps.config.idleStopSeconds * 1_000);
    entry.idleTimer.unref();
  }

  /**
   * The camera was edited: a running pull whose URL (or credentials) changed restarts on the new one.
   * True when a pull was restarted.
   */
  async refreshSource(cameraId: string): Promise<boolean> {
    const entry = this.entries.get(cameraId);
    if (!entry || entry.stopping) return false;
    const stream = await entry.ready.catch(() => undefined);
    if (!stream || this.entries.get(cameraId) !== entry || entry.stopping) return false;
    if (stream.fed) return false;
    return stream.changeSource(await this.deps.pullUrl(cameraId));
  }

  /**
   * A lease on a pull that already publishes, or undefined: never starts one (a still is read from the
   * running pull instead of opening a second connection to the camera, but is no reason to open the first).
   */
  leaseRunning(cameraId: string, consumer: string): StreamLease | undefined {
    if (this.deps.owns && !this.deps.owns(cameraId)) return undefined;
    const entry = this.entries.get(cameraId);
    const stream = entry?.stopping ? undefined : entry?.stream;
    if (!entry || !stream || !this.deps.media.isPublishing(stream.mediaName)) return undefined;
    const lease = this.addLease(cameraId, entry, consumer);
    lease.url = this.deps.media.localUrl(stream.mediaName);
    return lease;
  }

  /** The running stream of a camera, if any. */
  stream(streamId: string): RelayStream | undefined {
    const entry = this.entries.get(streamId);
    return entry?.stopping ? undefined : entry?.stream;
  }

  status(): StreamStatus[] {
    return [...this.entries.entries()].filter(([, e]) => e.stream).map(([streamId, entry]) => {
      const s = entry.stream!;
      return {
        streamId, state: entry.stopping ? 'stopping' : s.state, consumers: [...entry.leases.values()],
        pid: s.pid ?? null, restarts: s.restarts, stallRestarts: s.stallRestarts, transcoding: s.transcoding,
        inputCodec: s.inputCodec ?? null, startedAt: s.startedAt, hlsReady: s.hasPlaylist, flvPublishing: this.deps.media.isPublishing(s.mediaName),
      };
    });
  }

  /** Stops every pull (hub shutdown); leases held elsewhere become void. */
  async stop(): Promise<void> {
    this.stopped = true;
    const entries = [...this.entries.values()];
    for (const entry of entries) clearTimeout(entry.idleTimer);
    await Promise.all(entries.map(async (entry) => {
      await entry.stopping;
      const stream = await entry.ready.catch(() => undefined);
      await stream?.stop();
    }));
    this.entries.clear();
  }
}
