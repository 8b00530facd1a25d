import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { backoffDelay } from '../../api/kernel/process/backoff.ts';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import type { LiveFeed } from '../../relay/live-feed.ts';
import type { Gb28181Config } from './gb28181-config.ts';
import { answerMediaAddress, answerSsrc, liveOffer } from './gb-sdp.ts';
import { mediaIpOf, type GbSipServer } from './gb-sip-server.ts';
import type { GbSsrcs } from './gb-ssrcs.ts';
import { RtpReceiver } from './rtp-receiver.ts';
import { newCallId, newTag } from './sip-endpoint.ts';
import type { SipResponse } from './sip-message.ts';
import type { SipPeer } from './sip-transport.ts';

/** Bytes queued on ffmpeg's stdin beyond which PS is dropped (a stuck ffmpeg must not grow the heap). */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** PS kept from the first packet until the relay's ffmpeg is attached (a few seconds of one stream at most). */
const MAX_EARLY_BYTES = 2 * 1024 * 1024;

interface Call {
  callId: string;
  from: string;
  to: string;
  peer: SipPeer;
  uri: string;
  ssrc: string;
}

/** A recording held by the device, played back instead of live video: [start, end) in epoch ms. */
export interface GbPlaybackRange { start: number; end: number }

/** A viewer's control of a playback, sent to the device as MANSRTSP (facts sheet §4.4). */
export type GbPlaybackControl = { action: 'pause' } | { action: 'resume' } | { action: 'seek'; seconds: number } | { action: 'speed'; scale: number };

/** The MANSRTSP body of a control, as wvp writes it (`SIPCommander.playPauseCmd()` etc.). */
export function mansrtspBody(control: GbPlaybackControl, cseq: number): string {
  const lines = control.action === 'pause' ? ['PAUSE RTSP/1.0', `CSeq: ${cseq}`, 'PauseTime: now'] : ['PLAY RTSP/1.0', `CSeq: ${cseq}`];
  if (control.action === 'resume') lines.push('Range: npt=now-');
  if (control.action === 'seek') lines.push(`Range: npt=${Math.max(0, Math.floor(control.seconds))}-`);
  if (control.action === 'speed') lines.push(`Scale: ${control.scale.toFixed(6)}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * One live stream of a GB/T 28181 channel (or, with `playback`, one recording on the device played back), as the relay's feed: INVITE with our SDP offer (UDP, or TCP
 * passive: we listen and the device connects), ACK, RTP on a port from the configured range with the SSRC checked, PS payloads written to the attached ffmpeg
 * stdin. No RTP for `rtpTimeoutSeconds` (or a BYE from the device): BYE and INVITE again with backoff.
 * close() sends BYE and frees the port and the SSRC.
 */
export class GbLiveSession implements LiveFeed {
  readonly format = 'mpeg' as const;
  private readonly receiver: RtpReceiver;
  private sink: Writable | undefined;
  /**
   * What arrived before the first ffmpeg was attached: the device starts with a key frame right after the ACK,
   * while ffmpeg is still starting; dropping it would cost a whole GOP before the first picture.
   */
  private early: Buffer[] | undefined = [];
  private earlyBytes = 0;
  private call: Call | undefined;
  private closed = false;
  private failures = 0;
  private retryAt = 0;
  private invitedAt = 0;
  private inviting: Promise<void> | undefined;
  private readonly watchdog: PeriodicTask<void>;
  /** INVITEs sent (the first and every re-INVITE). */
  invites = 0;
  droppedBytes = 0;
  /** The relay stream this session feeds (the camera id, or a `gbpb-…` id for a playback). */
  streamId = '';
  /** A playback reached its end (MediaStatus 121, the device's BYE, or silence): never called again. */
  finished = false;
  /** A playback the viewer paused: the device sends nothing, which is not a dead stream. */
  paused = false;

  /** LiveFeed: the relay's stall watchdog waits while the viewer keeps the playback paused. */
  get held(): boolean {
    return this.paused;
  }
  /** SIP CSeq within the current call (the INVITE is 1), and the MANSRTSP CSeq. */
  private cseq = 1;
  private rtspCseq = 0;
  /** Silence is counted from here after a resume (the device was told to stop sending before). */
  private resumedAt = 0;

  constructor(
    private readonly server: GbSipServer,
    private readonly ssrcs: GbSsrcs,
    private readonly config: Gb28181Config,
    readonly channel: { id: string; deviceId: string; streamMode: 'udp' | 'tcp-passive' | 'tcp-active' },
    private readonly log: Pick<Logger, 'info' | 'warn'>,
    readonly playback?: GbPlaybackRange,
  ) {
    this.receiver = new RtpReceiver(config.checkSsrc);
    this.receiver.on('payload', (data) => this.write(data));
    this.watchdog = new PeriodicTask({ run: () => this.check(), everyMs: 500, onError: (error) => log.warn({ err: error }, 'GB28181 live watchdog failed') });
  }

  get callId(): string | undefined {
    return this.call?.callId;
  }

  get rtp(): RtpReceiver {
    return this.receiver;
  }

  /** Binds the RTP port and makes the first call; throws DomainError when the device refuses or does not answer. */
  async start(): Promise<void> {
    const host = this.config.host === '::' ? '0.0.0.0' : this.config.host;
    if (this.channel.streamMode === 'tcp-passive') await this.receiver.listenTcp(host, this.config.rtpPortMin, this.config.rtpPortMax);
    else if (this.channel.streamMode === 'udp') await this.receiver.bind(host, this.config.rtpPortMin, this.config.rtpPortMax);
    // tcp-active: nothing to bind; we connect to the port the device's answer names.
    try {
      await this.invite();
    } catch (error) {
      this.receiver.close();
      throw error;
    }
    this.watchdog.start();
  }

  attach(sink: Writable | undefined): void {
    this.sink = sink;
    const early = this.early;
    if (!sink || !early) return;
    this.early = undefined;
    if (early.length > 0 && !sink.destroyed && sink.writable) sink.write(Buffer.concat(early));
  }

  private write(data: Buffer): void {
    const sink = this.sink;
    if (!sink && this.early && this.earlyBytes + data.length <= MAX_EARLY_BYTES) {
      this.early.push(data);
      this.earlyBytes += data.length;
      return;
    }
    if (!sink || sink.destroyed || !sink.writable) return;
    if (sink.writableLength > MAX_QUEUED_BYTES) {
      this.droppedBytes += data.length;
      return;
    }
    // The packets of one frame arrive together: one pipe write per turn of the event loop instead of one per packet.
    this.batch.push(data);
    if (this.batch.length === 1) setImmediate(() => this.flush());
  }

  private batch: Buffer[] = [];

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    const sink = this.sink;
    if (!sink || sink.destroyed || !sink.writable || batch.length === 0) return;
    sink.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
  }

  private async invite(): Promise<void> {
    const session = this.server.sessionOf(this.channel.deviceId);
    const ssrc = this.ssrcs.allocate(this.playback !== undefined);
    const ip = mediaIpOf(this.config);
    const { serverId, domain } = this.config;
    const call: Call = {
      callId: newCallId(ip), from: `<sip:${serverId}@${domain}>;tag=${newTag()}`, to: `<sip:${this.channel.id}@${domain}>`,
      peer: session.peer, uri: `sip:${this.channel.id}@${session.peer.address}:${session.peer.port}`, ssrc,
    };
    const playback = this.playback ? { channelId: this.channel.id, ...this.playback } : undefined;
    const tcp = this.channel.streamMode === 'tcp-passive' ? 'passive' : this.channel.streamMode === 'tcp-active' ? 'active' : undefined;
    // An active side offers the discard port (RFC 4145): it connects rather than listens.
    const body = Buffer.from(liveOffer({ id: serverId, ip, port: tcp === 'active' ? 9 : this.receiver.port, ssrc, tcp, playback }));
    const request = this.server.endpoint.build(call.peer, {
      method: 'INVITE', uri: call.uri, from: call.from, to: call.to, callId: call.callId, cseq: 1, body,
      headers: [['contact', `<sip:${serverId}@${ip}:${this.server.port}>`], ['subject', `${this.channel.id}:${ssrc},${serverId}:0`], ['content-type', 'APPLICATION/SDP']],
    });
    this.invites++;
    this.invitedAt = Date.now();
    this.cseq = 1;
    let response: SipResponse;
    try {
      response = await this.server.endpoint.request(call.peer, request, { timeoutMs: this.config.inviteTimeoutSeconds * 1_000 });
    } catch (error) {
      this.ssrcs.release(ssrc);
      throw error;
    }
    if (response.status !== 200) {
      this.ssrcs.release(ssrc);
      throw new DomainError('GB_INVITE_REFUSED', `channel ${this.channel.id} refused the INVITE: ${response.status} ${response.reason}`);
    }
    call.to = response.headers.get('to') ?? call.to;
    const answer = response.body.toString('latin1');
    // Devices may send with their own SSRC (Hikvision); the port already identifies the stream, so adopt it.
    this.receiver.ssrc = answerSsrc(answer) ?? Number(ssrc);
    this.call = call;
    await this.ack(response);
    if (tcp === 'active') {
      const media = answerMediaAddress(answer);
      if (!media) {
        await this.bye();
        throw new DomainError('GB_INVITE_REFUSED', `channel ${this.channel.id} answered a TCP-active INVITE without a port to connect to`);
      }
      try {
        await this.receiver.connectTcp(media.host, media.port);
      } catch (error) {
        await this.bye();
        throw error;
      }
    }
  }

  /** ACK for the 200 (also for its retransmissions). */
  async ack(response: SipResponse): Promise<void> {
    const call = this.call;
    if (!call) return;
    const contact = /<([^>]+)>/.exec(response.headers.get('contact') ?? '')?.[1];
    const ack = this.server.endpoint.build(call.peer, { method: 'ACK', uri: contact ?? call.uri, from: call.from, to: call.to, callId: call.callId, cseq: 1 });
    await this.server.endpoint.send(call.peer, ack).catch(() => {});
  }

  /** The device hung up (BYE): call again after the backoff (a playback is over instead). */
  ended(): void {
    if (!this.call) return;
    this.ssrcs.release(this.call.ssrc);
    this.call = undefined;
    this.retryAt = Date.now();
    if (this.playback) this.finished = true;
  }

  /** MediaStatus 121 from the device: the recording was sent to its end; hang up, do not call again. */
  async endOfFile(): Promise<void> {
    if (!this.playback || this.finished) return;
    this.finished = true;
    this.log.info({ channel: this.channel.id }, 'GB28181 playback reached the end of the recording');
    await this.bye();
  }

  /**
   * Pause, resume, seek or speed of a running playback: an in-dialog INFO with `Application/MANSRTSP`.
   * Throws DomainError GB_PLAYBACK_NOT_RUNNING (no call) or GB_PLAYBACK_CONTROL_REFUSED (the device said no).
   */
  async control(control: GbPlaybackControl): Promise<void> {
    const call = this.call;
    if (!this.playback || !call || this.finished || this.closed) throw new DomainError('GB_PLAYBACK_NOT_RUNNING', `channel ${this.channel.id} has no running playback to control`);
    const info = this.server.endpoint.build(call.peer, {
      method: 'INFO', uri: call.uri, from: call.from, to: call.to, callId: call.callId, cseq: ++this.cseq,
      headers: [['content-type', 'Application/MANSRTSP']], body: Buffer.from(mansrtspBody(control, ++this.rtspCseq)),
    });
    const response = await this.server.endpoint.request(call.peer, info, { timeoutMs: 8_000 });
    if (response.status !== 200) throw new DomainError('GB_PLAYBACK_CONTROL_REFUSED', `channel ${this.channel.id} refused ${control.action}: ${response.status} ${response.reason}`);
    if (control.action === 'pause') this.paused = true;
    else {
      this.paused = false;
      this.resumedAt = Date.now();
    }
  }

  private async check(): Promise<void> {
    if (this.closed || this.inviting || this.finished || this.paused) return;
    const now = Date.now();
    const silentFor = now - Math.max(this.receiver.lastPacketAt, this.invitedAt, this.resumedAt);
    if (this.call && silentFor <= this.config.rtpTimeoutSeconds * 1_000) {
      if (this.receiver.lastPacketAt > this.invitedAt) this.failures = 0;
      return;
    }
    if (this.call && this.playback) {
      // Calling again would restart the recording from its beginning: a silent playback is over.
      this.log.warn({ channel: this.channel.id, silentMs: silentFor }, 'GB28181 playback stopped sending; ending it');
      this.finished = true;
      await this.bye();
      return;
    }
    if (this.call) {
      this.log.warn({ channel: this.channel.id, silentMs: silentFor }, 'GB28181 channel stopped sending; calling again');
      await this.bye();
      this.retryAt = now + backoffDelay({ initialDelayMs: 1_000, maxDelayMs: 30_000 }, this.failures++);
    }
    if (now < this.retryAt) return;
    this.inviting = this.invite().catch((error: Error) => {
      this.retryAt = Date.now() + backoffDelay({ initialDelayMs: 1_000, maxDelayMs: 30_000 }, this.failures++);
      this.log.warn({ err: error, channel: this.channel.id }, 'GB28181 re-INVITE failed');
    }).finally(() => { this.inviting = undefined; });
    await this.inviting;
  }

  private async bye(): Promise<void> {
    const call = this.call;
    if (!call) return;
    this.call = undefined;
    this.ssrcs.release(call.ssrc);
    const bye = this.server.endpoint.build(call.peer, { method: 'BYE', uri: call.uri, from: call.from, to: call.to, callId: call.callId, cseq: ++this.cseq });
    await this.server.endpoint.request(call.peer, bye, { timeoutMs: 4_000 }).catch(() => undefined);
  }

  /** Ends the stream for good: BYE, port and SSRC freed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sink = undefined;
    this.early = undefined;
    await this.watchdog.stop();
    await this.inviting;
    await this.bye();
    this.receiver.close();
  }
}

