import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Gb28181Config } from './gb28181-config.ts';
import { mediaIpOf, type GbSipServer } from './gb-sip-server.ts';
import type { UpperAudit } from './gb-upper-audit.ts';
import type { UpperChannel } from './gb-upper-link.ts';
import { GbUpstreamStream } from './gb-upstream-stream.ts';
import { GbUpstreamRecording } from './gb-upstream-recording.ts';
import { GbUpstreamDevicePlayback } from './gb-upstream-device-playback.ts';
import { uriUser, type SipRequest } from './sip-message.ts';
import type { SipPeer } from './sip-transport.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import type { GbLiveFeeds } from './gb-live-feeds.ts';

/** Something sent upward for one call. */
interface UpstreamSource {
  start(): void;
  stop(): Promise<void>;
  readonly packetsSent: number;
}

/** The hub's own recordings of a camera over a range: segment files on disk, oldest first. */
export interface HubRecordings {
  files(cameraId: string, from: number, to: number): Promise<Array<{ file: string; startedAt: number; endedAt: number }>>;
}

interface Call {
  channel: UpperChannel;
  target: { host: string; port: number };
  ssrc: number;
  /** For `s=Playback`: the range (epoch ms) and where it is played from. */
  playback?: { start: number; end: number; source: 'hub' | 'device'; files?: Array<{ file: string; startedAt: number; endedAt: number }> };
  stream?: UpstreamSource;
  /** An answered call the upper never ACKs is dropped (wvp: no ACK within 60 s). */
  ackTimer?: NodeJS.Timeout;
}

const ACK_TIMEOUT_MS = 60_000;

export interface UpperCallDeps {
  config: Gb28181Config;
  server: GbSipServer;
  localId: () => string;
  shared: () => Promise<UpperChannel[]>;
  relay: () => Pick<RelayPool, 'acquire'> | undefined;
  recordings: () => HubRecordings | undefined;
  feeds: () => Pick<GbLiveFeeds, 'preparePlayback' | 'forgetPlayback' | 'openFeed'> | undefined;
  ffmpegPath: () => string;
  audit: UpperAudit;
  /** MediaStatus 121 to the upper in the call's dialog: the playback reached the end of its range. */
  endOfFile: (callId: string, channelId: string) => Promise<void>;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

/**
 * The upper platform's calls (INVITE, ACK, BYE): live video of a shared channel (relay lease → PS over RTP),
 * and `s=Playback` of a channel shared with the `playback` right: from the hub's own recordings of the camera
 * when it has some in the range, else from the channel's GB device. Not shared → 404, shared without
 * recordings right → 403, each audited. TCP toward the upper is not built (488).
 */
export class GbUpperCalls {
  private readonly calls = new Map<string, Call>();

  constructor(private readonly d: UpperCallDeps) {}

  streams(): UpstreamSource[] {
    return [...this.calls.values()].flatMap((c) => (c.stream ? [c.stream] : []));
  }

  async end(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    this.calls.delete(callId);
    clearTimeout(call?.ackTimer);
    await call?.stream?.stop();
  }

  async endAll(): Promise<void> {
    for (const callId of [...this.calls.keys()]) await this.end(callId);
  }

  async endChannel(nationalId: string): Promise<void> {
    for (const [callId, call] of [...this.calls]) if (call.channel.id === nationalId) await this.end(callId);
  }

  async onInvite(request: SipRequest, peer: SipPeer): Promise<void> {
    const endpoint = this.d.server.endpoint;
    const refuse = (status: number, reason: string) => endpoint.respond(request, peer, status, reason);
    const sdp = request.body.toString('latin1');
    const isPlayback = /^s=Playback\s*$/m.test(sdp);
    // Playback names the channel in u= (facts sheet §5); live in the Request-URI.
    const channelId = (isPlayback ? /^u=(\d{20}):/m.exec(sdp)?.[1] : undefined) ?? uriUser(request.uri) ?? '';
    const action = isPlayback ? 'playback' : 'play';
    const channel = (await this.d.shared()).find((c) => c.id === channelId);
    if (!channel) {
      await this.d.audit.denied(action, channelId, peer, 'CHANNEL_NOT_SHARED');
      return refuse(404, 'Channel Not Shared');
    }
    if (isPlayback && !channel.playback) {
      await this.d.audit.denied(action, channelId, peer, 'PLAYBACK_NOT_SHARED', channel.cameraId);
      return refuse(403, 'Recordings Not Shared');
    }
    const host = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
    const media = /^m=video (\d+) (TCP\/)?RTP\/AVP ([\d ]+)/m.exec(sdp);
    if (!host || !media || !media[3]!.split(' ').includes('96')) return refuse(415, 'Unsupported Media Type');
    if (media[2]) return refuse(488, 'Not Acceptable Here');
    const call: Call = { channel, target: { host, port: Number(media[1]) }, ssrc: 0 };
    if (isPlayback) {
      const times = /^t=(\d+) (\d+)/m.exec(sdp);
      const start = Number(times?.[1]) * 1_000;
      const end = Number(times?.[2]) * 1_000;
      if (!times || !(end > start)) return refuse(400, 'Bad Playback Range');
      const files = (await this.d.recordings()?.files(channel.cameraId, start, end)) ?? [];
      if (files.length > 0) call.playback = { start, end, source: 'hub', files };
      else if (channel.gb && this.d.feeds()) call.playback = { start, end, source: 'device' };
      else return refuse(404, 'No Recording In Range');
    } else if (!this.d.relay()) return refuse(503, 'Service Unavailable');
    const y = /^y=(\d{1,10})/m.exec(sdp)?.[1];
    call.ssrc = y ? Number(y) : randomInt(100_000_000, 199_999_999);
    const callId = request.headers.get('call-id')!;
    this.calls.set(callId, call);
    call.ackTimer = setTimeout(() => { if (this.calls.get(callId) === call && !call.stream) this.calls.delete(callId); }, ACK_TIMEOUT_MS);
    call.ackTimer.unref();
    await this.d.audit.allowed(action, channel, peer, { callId, ...(call.playback ? { from: call.playback.start, to: call.playback.end, source: call.playback.source } : {}) });
    const ip = mediaIpOf(this.d.config);
    const range = call.playback ? `${call.playback.start / 1_000} ${call.playback.end / 1_000}` : '0 0';
    const answer = ['v=0', `o=${channelId} 0 0 IN IP4 ${ip}`, `s=${isPlayback ? 'Playback' : 'Play'}`, `c=IN IP4 ${ip}`, `t=${range}`, 'm=video 9 RTP/AVP 96', 'a=sendonly', 'a=rtpmap:96 PS/90000',
      `y=${String(call.ssrc).padStart(10, '0')}`, ''].join('\r\n');
    await endpoint.respond(request, peer, 200, 'OK', {
      headers: [['contact', `<sip:${this.d.localId()}@${ip}:${this.d.server.port}>`], ['content-type', 'APPLICATION/SDP']], body: Buffer.from(answer),
    });
  }

  onAck(request: SipRequest): void {
    const callId = request.headers.get('call-id')!;
    const call = this.calls.get(callId);
    if (!call || call.stream) return;
    clearTimeout(call.ackTimer);
    const stream = this.sourceOf(callId, call);
    if (!stream) return;
    call.stream = stream;
    stream.start();
    this.d.log.info({ channel: call.channel.id, target: `${call.target.host}:${call.target.port}`, playback: call.playback?.source }, 'GB28181 sending a channel to the upper platform');
  }

  private sourceOf(callId: string, call: Call): UpstreamSource | undefined {
    const { target, ssrc, playback } = call;
    // Told once: the upper answers MediaStatus 121 with its BYE.
    const onEnd = () => {
      if (this.calls.get(callId) !== call) return;
      this.d.log.info({ channel: call.channel.id }, 'GB28181 playback to the upper platform reached the end of its range');
      void this.d.endOfFile(callId, call.channel.id).catch(() => undefined);
    };
    if (playback?.source === 'hub') {
      const files = playback.files!;
      const inpointMs = Math.max(0, playback.start - files[0]!.startedAt);
      const durationMs = Math.min(playback.end, files.at(-1)!.endedAt) - Math.max(playback.start, files[0]!.startedAt);
      return new GbUpstreamRecording({ files: files.map((f) => f.file), inpointMs, durationMs: Math.max(1_000, durationMs), target, ssrc, ffmpegPath: this.d.ffmpegPath(), log: this.d.log, onEnd });
    }
    if (playback?.source === 'device') {
      const feeds = this.d.feeds();
      return feeds ? new GbUpstreamDevicePlayback({ feeds, cameraId: call.channel.cameraId, range: playback, target, ssrc, log: this.d.log, onEnd }) : undefined;
    }
    const relay = this.d.relay();
    return relay ? new GbUpstreamStream({ relay, cameraId: call.channel.cameraId, target, ssrc, ffmpegPath: this.d.ffmpegPath(), log: this.d.log }) : undefined;
  }
}
