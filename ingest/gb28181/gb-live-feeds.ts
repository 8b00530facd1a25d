import type { Logger } from 'pino';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { unavailable } from '../../api/kernel/errors/hub-error.ts';
import type { LiveFeed, LiveFeedSource } from '../../relay/live-feed.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { Gb28181Config } from './gb28181-config.ts';
import type { GbDeviceRepository } from './gb-device-repository.ts';
import { randomBytes } from 'node:crypto';
import { GbLiveSession, type GbPlaybackRange } from './gb-live-session.ts';
import type { GbSipServer } from './gb-sip-server.ts';
import { GbSsrcs } from './gb-ssrcs.ts';
import type { SipResponse } from './sip-message.ts';

/**
 * The relay's way into GB/T 28181 cameras: for a camera whose source is gb28181 it INVITEs the channel and
 * returns the running session as the pull's feed; for any other camera it returns undefined (pulled by URL).
 */
export class GbLiveFeeds implements LiveFeedSource {
  private readonly ssrcs: GbSsrcs;
  private readonly sessions = new Set<GbLiveSession>();
  /** Relay stream ids of device recordings to play back (`gbpb-…`), with their channel camera and range. */
  private readonly playbacks = new Map<string, { cameraId: string; range: GbPlaybackRange }>();

  constructor(
    private readonly config: Gb28181Config,
    private readonly server: GbSipServer | undefined,
    private readonly registry: CameraRegistry,
    private readonly devices: GbDeviceRepository,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
  ) {
    this.ssrcs = new GbSsrcs(config.domain);
  }

  /**
   * A relay stream id for a recording the device holds: leasing it from the relay INVITEs the channel with
   * `s=Playback` for the range. Forget it with `forgetPlayback()` once the lease is gone.
   */
  preparePlayback(cameraId: string, range: GbPlaybackRange): string {
    const streamId = `gbpb-${randomBytes(12).toString('hex')}`;
    this.playbacks.set(streamId, { cameraId, range });
    return streamId;
  }

  forgetPlayback(streamId: string): void {
    this.playbacks.delete(streamId);
  }

  /** The running playback of a relay stream id, if its call is up. */
  playbackSession(streamId: string): GbLiveSession | undefined {
    return [...this.sessions].find((s) => s.streamId === streamId);
  }

  async openFeed(streamId: string): Promise<LiveFeed | undefined> {
    const playback = this.playbacks.get(streamId);
    const cameraId = playback?.cameraId ?? streamId;
    const camera = await this.registry.get(cameraId);
    if (camera.source !== 'gb28181') return undefined;
    const channel = camera.national_id ? await this.devices.channel(camera.national_id) : undefined;
    if (!channel) throw unavailable('GB_CHANNEL_UNKNOWN', `camera ${cameraId} has no GB/T 28181 channel`);
    if (!this.server) throw unavailable('GB_SERVER_DISABLED', 'the GB/T 28181 server is not enabled (gb28181.enabled)');
    if (!this.server.sessions.get(channel.device_id)) throw unavailable('GB_DEVICE_OFFLINE', `GB/T 28181 device ${channel.device_id} is not registered`);
    const device = await this.devices.find(channel.device_id);
    const streamMode = device?.stream_mode ?? 'udp';
    const session = new GbLiveSession(this.server, this.ssrcs, this.config, { id: channel.id, deviceId: channel.device_id, streamMode }, this.log, playback?.range);
    session.streamId = streamId;
    try {
      await session.start();
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'GB_INVITE_FAILED';
      throw unavailable(code === 'SIP_TIMEOUT' ? 'GB_INVITE_TIMEOUT' : code, `channel ${channel.id}: ${(error as Error).message}`, error);
    }
    this.sessions.add(session);
    const close = session.close.bind(session);
    session.close = async () => {
      this.sessions.delete(session);
      await close();
    };
    this.log.info({ cameraId, channel: channel.id, playback: playback?.range }, playback ? 'GB28181 playback started' : 'GB28181 live stream started');
    return session;
  }

  /** The device ended a call. */
  onBye(callId: string): void {
    for (const session of this.sessions) if (session.callId === callId) session.ended();
  }

  /** MediaStatus 121 (end of file) from a device: the playback of that call (or, without a known call, of that channel) ends. */
  onMediaStatus(callId: string | undefined, channelId: string): void {
    const playbacks = [...this.sessions].filter((s) => s.playback && !s.finished);
    const session = playbacks.find((s) => s.callId === callId) ?? playbacks.find((s) => s.channel.id === channelId);
    void session?.endOfFile();
  }

  /** A retransmitted 200 to an INVITE: ACK again. */
  onStrayOk(response: SipResponse): void {
    const callId = response.headers.get('call-id');
    for (const session of this.sessions) if (session.callId === callId) void session.ack(response);
  }

  /** Running sessions (tests, status). */
  running(): GbLiveSession[] {
    return [...this.sessions];
  }
}
