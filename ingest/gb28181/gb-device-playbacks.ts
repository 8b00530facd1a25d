import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CameraAccessDecision } from '../../api/access/camera-access.ts';
import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import { unavailable } from '../../api/kernel/errors/hub-error.ts';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import type { TimeRange } from '../../api/playback/playback-range.ts';
import type { PlaybackSessions, PlaybackTicket } from '../../api/playback/playback-sessions.ts';
import { HLS_PLAYLIST } from '../ffmpeg/relay-args.ts';
import { signPlaylist } from '../../relay/media-files.ts';
import type { RelayPool, StreamLease } from '../../relay/relay-pool.ts';
import type { GbLiveFeeds } from './gb-live-feeds.ts';
import { badRequest, conflict } from '../../api/kernel/errors/hub-error.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';

interface Entry {
  streamId: string;
  lease: StreamLease;
  /** The recording time the device starts sending from, and the range's end. */
  from: number;
  to: number;
  /** Program date-time of the first HLS segment the relay wrote: recording time = from + (pdt - firstWallAt). */
  firstWallAt: number | undefined;
  scale: number;
  paused: boolean;
}

interface Deps {
  feeds: GbLiveFeeds;
  relay: () => RelayPool | undefined;
  sessions: () => PlaybackSessions | undefined;
  startTimeoutMs: number;
  log: Pick<Logger, 'warn'>;
}

const PDT = '#EXT-X-PROGRAM-DATE-TIME:';
/** A finished playback whose playlist has not changed for this long is complete: the playlist gets its end. */
const SETTLED_MS = 3_000;

/**
 * Recordings held on a GB/T 28181 device or NVR, played through the relay: the channel is INVITEd with
 * `s=Playback` for the range (GbLiveFeeds), the PS goes into a relay stream of its own (`gbpb-…`), and the
 * viewer holds an ordinary playback session (api/playback: token, binding cookie, reason, audit, revocation).
 * When that session ends for any reason the relay lease is released, and the relay's idle stop sends BYE.
 */
export class GbDevicePlaybacks {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper = new PeriodicTask({ run: () => this.sweep(), everyMs: 1_000, onError: (error) => this.deps.log.warn({ err: error }, 'GB28181 playback sweep failed') });

  constructor(private readonly deps: Deps) {}

  start(): void {
    this.sweeper.start();
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
    for (const id of [...this.entries.keys()]) this.forget(id);
  }

  /** INVITEs the recording, waits for its first HLS segment, then opens the viewer's playback session on it. */
  async open(user: AuthUser, cameraId: string, range: TimeRange, decision: CameraAccessDecision, reason: string, clientIp: string): Promise<PlaybackTicket> {
    const relay = this.deps.relay();
    const sessions = this.deps.sessions();
    if (!relay || !sessions) throw unavailable('GB_PLAYBACK_UNAVAILABLE', 'playing recordings from devices needs the relay and playback features');
    const streamId = this.deps.feeds.preparePlayback(cameraId, { start: range.from, end: range.to });
    let lease: StreamLease | undefined;
    try {
      lease = await relay.lease(streamId, `gb-playback:${user.username}`);
      const ready = await relay.stream(streamId)?.waitForPlaylist(this.deps.startTimeoutMs);
      if (!ready) throw unavailable('GB_PLAYBACK_NO_VIDEO', `the device sent no video of that recording within ${Math.round(this.deps.startTimeoutMs / 1_000)} s`);
      // The frame rate is not known before the PS is probed: frame steps fall back to the player default.
      const ticket = await sessions.open(user, cameraId, range, decision, reason, clientIp, { firstSegmentAt: range.from, frameRate: null });
      this.entries.set(ticket.session.id, { streamId, lease, from: range.from, to: range.to, firstWallAt: undefined, scale: 1, paused: false });
      return ticket;
    } catch (error) {
      lease?.release();
      this.deps.feeds.forgetPlayback(streamId);
      throw error;
    }
  }

  /** The relay stream of a running playback session, if it plays from a device. */
  streamOf(sessionId: string): string | undefined {
    return this.entries.get(sessionId)?.streamId;
  }

  /**
   * The relay's playlist of the session, its segments signed with the token and its program date-times
   * moved to the recording's time. ffmpeg's program date-times advance with the media's time stamps, not the
   * wall clock, and a device stamps frames with their time in the recording: a pause or another speed does not
   * shift them, and a seek moves them as far as the device's time stamps jump. Once the device
   * said end of file and nothing new came for a while, it ends with EXT-X-ENDLIST.
   */
  async playlist(sessionId: string, token: string): Promise<string | undefined> {
    const entry = this.entries.get(sessionId);
    const relay = this.deps.relay();
    if (!entry || !relay) return undefined;
    const path = join(relay.hlsDir(entry.streamId), HLS_PLAYLIST);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const lines = text.split('\n').map((line) => {
      if (!line.startsWith(PDT)) return line;
      const wall = Date.parse(line.slice(PDT.length).trim().replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
      if (!Number.isFinite(wall)) return line;
      entry.firstWallAt = Math.min(entry.firstWallAt ?? wall, wall);
      return `${PDT}${new Date(entry.from + (wall - entry.firstWallAt)).toISOString()}`;
    });
    let out = signPlaylist(lines.join('\n'), token);
    const feed = this.deps.feeds.playbackSession(entry.streamId);
    const settled = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0) > SETTLED_MS;
    if ((!feed || feed.finished) && settled && !out.includes('#EXT-X-ENDLIST')) out = `${out.trimEnd()}\n#EXT-X-ENDLIST\n`;
    return out;
  }

  /**
   * A viewer's pause, resume, seek (`at`: a recording time within the session's range) or speed, sent to the
   * device as MANSRTSP. Returns the state after it (`position`: where a seek went, to the second; else null).
   */
  async control(sessionId: string, request: { action: 'pause' | 'resume' | 'seek' | 'speed'; at?: number; scale?: number }): Promise<{ paused: boolean; scale: number; position: number | null }> {
    const entry = this.entries.get(sessionId);
    const feed = entry ? this.deps.feeds.playbackSession(entry.streamId) : undefined;
    if (!entry || !feed) throw conflict('GB_PLAYBACK_NOT_RUNNING', 'this device playback is not running (any more)');
    let control: Parameters<typeof feed.control>[0];
    let position: number | null = null;
    if (request.action === 'seek') {
      if (request.at === undefined || request.at < entry.from || request.at >= entry.to) throw badRequest('GB_SEEK_OUTSIDE_RANGE', 'seek to a time within the played range');
      control = { action: 'seek', seconds: Math.floor((request.at - entry.from) / 1_000) };
      position = entry.from + control.seconds * 1_000;
    } else if (request.action === 'speed') {
      if (request.scale === undefined) throw badRequest('GB_SCALE_REQUIRED', 'speed needs a scale');
      control = { action: 'speed', scale: request.scale };
    } else control = { action: request.action };
    try {
      await feed.control(control);
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'GB_PLAYBACK_CONTROL_FAILED';
      throw unavailable(code, (error as Error).message, error);
    }
    if (request.action === 'pause') entry.paused = true;
    if (request.action === 'resume' || request.action === 'seek') entry.paused = false;
    if (request.action === 'speed') entry.scale = request.scale!;
    return { paused: entry.paused, scale: entry.scale, position };
  }

  /** Sessions that ended (stop, idle, revocation, expiry) give their relay stream back. */
  private async sweep(): Promise<void> {
    const running = new Set(this.deps.sessions()?.list().map((s) => s.id) ?? []);
    for (const id of [...this.entries.keys()]) if (!running.has(id)) this.forget(id);
  }

  private forget(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    entry.lease.release();
    this.deps.feeds.forgetPlayback(entry.streamId);
  }
}

