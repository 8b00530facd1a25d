import { randomBytes } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ensurePrivateDir } from '../api/kernel/fs/private-files.ts';
import { PeriodicTask } from '../api/kernel/process/periodic-task.ts';
import { inputVideoCodec, isOutputHeader } from '../ingest/ffmpeg/ffmpeg-stderr.ts';
import { HLS_PLAYLIST, HLS_SEGMENT_PATTERN, PASSTHROUGH_VIDEO_CODECS, relayArgs, relayFeedArgs } from '../ingest/ffmpeg/relay-args.ts';
import { FfmpegRunner } from '../ingest/ffmpeg/ffmpeg-runner.ts';
import type { PullState } from '../ingest/health/camera-supervisor.ts';
import type { RelayConfig } from './relay-config.ts';
import type { EmbeddedMediaServer } from './embedded-media-server.ts';
import type { LiveFeed } from './live-feed.ts';

export type RelayStreamState = 'starting' | 'running' | 'stopped';

export interface RelayStreamOptions {
  streamId: string;
  hlsDir: string;
  /** The camera URL with credentials (for ffmpeg's stdin only); '' when the video comes from `feed`. */
  pullUrl: string;
  /** Video the hub receives itself (GB/T 28181), written to ffmpeg's stdin; closed when the stream stops. */
  feed?: LiveFeed;
  config: RelayConfig;
  media: EmbeddedMediaServer;
  /** The pull runs (new segments), stalled (ffmpeg exited or made no progress) or stopped. */
  onPull(state: PullState, reason: string): void;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

/** Leftover segments of a killed ffmpeg older than this are removed. */
const ORPHAN_SEGMENT_MS = 30_000;

/**
 * One camera pulled once: an ffmpeg runner feeding the embedded media server (FLV) and an HLS folder.
 * Each new playlist counts as the runner's progress, so its watchdog kills ffmpeg when no new segment
 * arrives for `stallSeconds`; the runner restarts it with backoff when it exits (e.g. on the input socket timeout).
 */
export class RelayStream {
  state: RelayStreamState = 'starting';
  /** Watchdog kills for lack of new segments. */
  stallRestarts = 0;
  transcoding: boolean;
  inputCodec: string | undefined;
  readonly startedAt = Date.now();
  /**
   * Name on the embedded media server, new for every run of the pull: NMS keeps a stopped publisher's GOP
   * cache for a 30 s resume window, and a new viewer must never be handed those stale frames.
   */
  readonly mediaName: string;
  private ffmpeg: FfmpegRunner | undefined;
  private lastPlaylistMtime = 0;
  /** Every 200 ms, and at once when the file watcher sees a new playlist: notices segments, prunes orphans. */
  private readonly playlistCheck = new PeriodicTask({
    run: () => this.check(),
    everyMs: 200,
    onError: (error) => this.o.log.warn({ err: error, stream: this.o.streamId }, 'relay watchdog failed'),
  });
  private ticks = 0;
  private watcher: FSWatcher | undefined;
  private waiters: Array<() => void> = [];
  private pullUrl: string;
  private pull: PullState = 'stopped';

  constructor(private readonly o: RelayStreamOptions) {
    this.transcoding = o.config.transcode === 'always';
    this.pullUrl = o.pullUrl;
    this.mediaName = `${o.streamId}_${randomBytes(4).toString('hex')}`;
  }

  get streamId(): string {
    return this.o.streamId;
  }

  /** Whether the video comes from a live feed (no URL to change). */
  get fed(): boolean {
    return this.o.feed !== undefined;
  }

  get pid(): number | undefined {
    return this.ffmpeg?.pid;
  }

  get restarts(): number {
    return this.ffmpeg?.restarts ?? 0;
  }

  /** Read through a getter after an await: TypeScript keeps `state` narrowed across it otherwise. */
  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  get hasPlaylist(): boolean {
    return this.lastPlaylistMtime > 0;
  }

  async start(): Promise<void> {
    await rm(this.o.hlsDir, { recursive: true, force: true });
    // Segments are camera video: the folders are the hub user's alone (ffmpeg writes under the CLI's umask).
    await ensurePrivateDir(join(this.o.hlsDir, '..'));
    await ensurePrivateDir(this.o.hlsDir);
    this.spawn();
    // inotify wakes playlist waiters the moment ffmpeg renames a new playlist in; the timer is the fallback.
    this.watcher = watch(this.o.hlsDir, (_event, name) => { if (name === HLS_PLAYLIST) this.playlistCheck.kick(); });
    this.watcher.on('error', () => this.watcher?.close());
    this.playlistCheck.start();
  }

  private spawn(): void {
    const { config, media, streamId, log } = this.o;
    const ffmpeg = new FfmpegRunner({
      ffmpegPath: config.ffmpegPath,
      name: `ffmpeg:relay:${streamId}`,
      // Decided anew for every (re)start (the camera URL may have changed). FLV goes to stdout, published in-process.
      args: async () => {
        const outputs = { hlsDir: this.o.hlsDir, hlsSegmentSeconds: config.hlsSegmentSeconds, hlsListSize: config.hlsListSize, transcode: this.transcoding };
        if (this.o.feed) return relayFeedArgs({ ...outputs, format: this.o.feed.format });
        return relayArgs({ ...outputs, inputUrl: this.pullUrl, inputTimeoutSeconds: config.inputTimeoutSeconds });
      },
      restart: { initialDelayMs: config.restartInitialMs, maxDelayMs: config.restartMaxMs, stableAfterMs: 20_000 },
      // A paused device playback sends nothing on purpose: not a stall.
      stall: { afterMs: config.stallSeconds * 1_000, checkEveryMs: 200, held: () => this.o.feed?.held === true },
      rawStdout: true,
      logger: log,
    });
    ffmpeg.on('stdout', (flv) => media.publishFrom(this.mediaName, flv));
    let inInput = true;
    ffmpeg.on('spawn', (stdin) => {
      inInput = true;
      if (this.ffmpeg === ffmpeg) this.o.feed?.attach(stdin ?? undefined);
    });
    ffmpeg.on('stalled', () => {
      this.stallRestarts++;
      this.report('stalled', `no new HLS segment for ${config.stallSeconds} s`);
    });
    ffmpeg.on('stderrLine', (line) => {
      if (isOutputHeader(line)) inInput = false;
      const codec = inInput ? inputVideoCodec(line) : undefined;
      if (codec) this.onInputCodec(codec);
    });
    ffmpeg.on('exit', (code, signal) => {
      if (this.state === 'stopped') return;
      log.warn({ stream: streamId, code, signal, output: ffmpeg.recentOutput().slice(-3) }, 'relay ffmpeg exited');
      if (this.ffmpeg === ffmpeg) this.report('stalled', `relay ffmpeg exited (${signal ?? `code ${code}`})`);
    });
    this.ffmpeg = ffmpeg;
    ffmpeg.start();
  }

  /** Browsers and FLV take H.264; for anything else switch this stream to a transcoding ffmpeg once. */
  private onInputCodec(codec: string): void {
    this.inputCodec = codec;
    if (this.transcoding || PASSTHROUGH_VIDEO_CODECS.has(codec) || this.o.config.transcode === 'never') return;
    this.o.log.info({ stream: this.o.streamId, codec }, 'camera codec is not H.264; transcoding');
    this.transcoding = true;
    const old = this.ffmpeg;
    void old?.stop().then(() => {
      if (this.state !== 'stopped' && this.ffmpeg === old) this.spawn();
    });
  }

  /**
   * The camera's URL (or credentials) changed: ffmpeg restarts on the new one. The media name, the HLS
   * folder and the viewers stay, as across any ffmpeg restart; false when the URL is the same.
   */
  async changeSource(pullUrl: string): Promise<boolean> {
    if (this.state === 'stopped' || this.o.feed || pullUrl === this.pullUrl) return false;
    this.pullUrl = pullUrl;
    // The codec decision was about the old source.
    this.transcoding = this.o.config.transcode === 'always';
    this.inputCodec = undefined;
    this.o.log.info({ stream: this.o.streamId }, 'camera source changed; restarting the pull');
    const old = this.ffmpeg;
    await old?.stop();
    // stop() may have run meanwhile, or another restart may have spawned already.
    if (!this.stopped && this.ffmpeg === old) this.spawn();
    return true;
  }

  /** One pass of playlistCheck: notices new segments (the runner's progress), prunes orphan segments. */
  private async check(): Promise<void> {
    if (this.state === 'stopped') return;
    const now = Date.now();
    const mtime = await stat(join(this.o.hlsDir, HLS_PLAYLIST)).then((s) => s.mtimeMs, () => 0);
    if (mtime > this.lastPlaylistMtime) {
      this.lastPlaylistMtime = mtime;
      this.ffmpeg?.progress(now);
      this.report('running', 'new HLS segments');
      if (this.state === 'starting') this.state = 'running';
      for (const wake of this.waiters.splice(0)) wake();
    }
    if (++this.ticks % 50 === 0) await this.pruneOrphans(now).catch(() => {});
  }

  private async pruneOrphans(now: number): Promise<void> {
    const playlist = await readFile(join(this.o.hlsDir, HLS_PLAYLIST), 'utf8').catch(() => '');
    for (const name of await readdir(this.o.hlsDir)) {
      if (!HLS_SEGMENT_PATTERN.test(name) || playlist.includes(name)) continue;
      const path = join(this.o.hlsDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > ORPHAN_SEGMENT_MS) await rm(path, { force: true });
    }
  }

  private report(pull: PullState, reason: string): void {
    if (this.pull === pull) return;
    this.pull = pull;
    this.o.onPull(pull, reason);
  }

  /** Resolves true once the playlist has at least one segment, false after the timeout or on stop. */
  waitForPlaylist(timeoutMs: number): Promise<boolean> {
    if (this.hasPlaylist) return Promise.resolve(true);
    if (this.state === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => { clearTimeout(timer); resolve(this.hasPlaylist); };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(wake);
    });
  }

  /** Resolves true once ffmpeg publishes to the media server. */
  async waitForPublishing(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== 'stopped' && Date.now() < deadline) {
      if (this.o.media.isPublishing(this.mediaName)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.o.media.isPublishing(this.mediaName);
  }

  /** Stops ffmpeg (its whole process group), ends FLV viewers and removes the HLS folder. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    await this.playlistCheck.stop();
    this.watcher?.close();
    for (const wake of this.waiters.splice(0)) wake();
    this.o.feed?.attach(undefined);
    await Promise.all([this.ffmpeg?.stop(), this.o.feed?.close()]);
    this.report('stopped', 'relay pull stopped');
    this.o.media.closeViewers(this.mediaName);
    await rm(this.o.hlsDir, { recursive: true, force: true });
  }
}
