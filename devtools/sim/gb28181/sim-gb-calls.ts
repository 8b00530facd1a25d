import type { RemoteInfo } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { SimGbDeviceOptions, SimPlayback } from './sim-gb-device.ts';
import { parseMansrtsp, type SimRtspCommand } from './sim-mansrtsp.ts';
import { SimRtpStream } from './sim-rtp-stream.ts';
import { header, simResponse, type SimSipMessage } from './sim-sip.ts';

type Target = { host: string; port: number; ssrc: number; transport: 'udp' | 'tcp' };

/**
 * The device's media calls: INVITE (live or `s=Playback` of a range), ACK starts the PS over RTP, BYE ends it,
 * INFO with MANSRTSP pauses, resumes, seeks or changes the speed of a playback; MediaStatus 121 at a
 * playback's end goes out through the device (`endOfFile`).
 */
export class SimGbCalls {
  private readonly calls = new Map<string, { stream?: SimRtpStream; playback?: SimPlayback; target: Target; listener?: Server }>();
  readonly playbacks: SimPlayback[] = [];
  readonly controls: Array<{ callId: string; command: SimRtspCommand }> = [];
  invites = 0;
  byes = 0;

  constructor(
    private readonly o: SimGbDeviceOptions,
    private readonly port: () => number,
    private readonly reply: (data: Buffer, rinfo: RemoteInfo) => void,
    private readonly endOfFile: (channelId: string, callId: string) => void,
  ) {}

  get activeStreams(): number {
    return [...this.calls.values()].filter((c) => c.stream).length;
  }

  onInvite(message: SimSipMessage, rinfo: RemoteInfo): void {
    this.invites++;
    const sdp = message.body.toString('latin1');
    const host = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
    const port = Number(/^m=video (\d+)/m.exec(sdp)?.[1]);
    const offered = Number(/^y=(\d{1,10})/m.exec(sdp)?.[1] ?? '0');
    const channelId = /^sips?:(\d+)@/.exec(message.startLine.split(' ')[1] ?? '')?.[1] ?? '';
    if (!host || !port || !this.o.channels.some((c) => c.id === channelId)) return this.reply(simResponse(message, 404, 'Not Found'), rinfo);
    const tcp = /TCP\/RTP/.test(sdp);
    // TCP: the platform listens (setup:passive, we connect) or connects (setup:active, we listen on a port named in our answer).
    const listen = tcp && /^a=setup:active/m.test(sdp);
    if (tcp && !listen && !/^a=setup:passive/m.test(sdp)) return this.reply(simResponse(message, 488, 'Not Acceptable Here'), rinfo);
    if (!listen) return this.answer(message, rinfo, { host, port, offered, channelId, tcp });
    // A retransmitted INVITE is answered with the port already listening.
    const known = this.calls.get(header(message, 'Call-ID')!)?.listener;
    if (known) return this.answer(message, rinfo, { host, port, offered, channelId, tcp, listener: known });
    const listener = createServer();
    listener.on('error', () => {});
    listener.listen(0, '127.0.0.1', () => this.answer(message, rinfo, { host, port, offered, channelId, tcp, listener }));
  }

  private answer(message: SimSipMessage, rinfo: RemoteInfo, o: { host: string; port: number; offered: number; channelId: string; tcp: boolean; listener?: Server }): void {
    const { host, port, offered, channelId, tcp, listener } = o;
    const sdp = message.body.toString('latin1');
    const callId = header(message, 'Call-ID')!;
    // Playback (facts sheet §4.1): s=Playback, u=<channel>:0, t=<start> <end> in Unix seconds.
    const playback = /^s=Playback\s*$/m.test(sdp);
    const times = /^t=(\d+) (\d+)/m.exec(sdp);
    const recorded = playback ? /^u=(\d{20}):/m.exec(sdp)?.[1] : undefined;
    if (playback && (!times || Number(times[2]) <= Number(times[1]) || recorded !== channelId)) {
      listener?.close();
      return this.reply(simResponse(message, 400, 'Bad Request'), rinfo);
    }
    const ssrc = this.o.answerSsrc ?? offered;
    const call: { target: Target; playback?: SimPlayback; listener?: Server } = { target: { host, port, ssrc, transport: tcp ? 'tcp' : 'udp' }, listener };
    if (playback) {
      call.playback = { channelId, start: Number(times![1]), end: Number(times![2]), callId };
      this.playbacks.push(call.playback);
    }
    this.calls.set(callId, call);
    this.reply(simResponse(message, 100, 'Trying'), rinfo);
    const answer = ['v=0', `o=${channelId} 0 0 IN IP4 127.0.0.1`, `s=${playback ? 'Playback' : 'Play'}`, 'c=IN IP4 127.0.0.1', playback ? `t=${times![1]} ${times![2]}` : 't=0 0',
      `m=video ${listener ? (listener.address() as { port: number }).port : 15060} ${tcp ? 'TCP/' : ''}RTP/AVP 96`, 'a=rtpmap:96 PS/90000', 'a=sendonly',
      ...(tcp ? [`a=setup:${listener ? 'passive' : 'active'}`, 'a=connection:new'] : []), `y=${String(ssrc).padStart(10, '0')}`, ''].join('\r\n');
    this.reply(simResponse(message, 200, 'OK', [['Contact', `<sip:${channelId}@127.0.0.1:${this.port()}>`], ['Content-Type', 'APPLICATION/SDP']], Buffer.from(answer)), rinfo);
  }

  onAck(message: SimSipMessage): void {
    const callId = header(message, 'Call-ID')!;
    const call = this.calls.get(callId);
    if (!call || call.stream || this.o.silent) return;
    const playback = call.playback;
    // A recording ends: as many frames as the range (capped for tests), then MediaStatus 121 in the call's dialog.
    const seconds = playback ? Math.min(playback.end - playback.start, this.o.playbackSeconds ?? Infinity) : undefined;
    call.stream = new SimRtpStream({
      ...call.target, listener: call.listener, units: this.o.units, fps: this.o.fps, frames: seconds === undefined ? undefined : Math.ceil(seconds * this.o.fps),
      onEnd: () => this.endOfFile(playback!.channelId, callId),
    });
    call.stream.start();
  }

  /** MANSRTSP in a playback's dialog: pause, resume, seek (Range npt), speed (Scale). */
  onInfo(message: SimSipMessage, rinfo: RemoteInfo): void {
    const callId = header(message, 'Call-ID')!;
    const call = this.calls.get(callId);
    if (!call?.playback) return this.reply(simResponse(message, 481, 'Call/Transaction Does Not Exist'), rinfo);
    const command = /^application\/mansrtsp/i.test(header(message, 'Content-Type') ?? '') ? parseMansrtsp(message.body.toString('latin1')) : undefined;
    if (!command) return this.reply(simResponse(message, 400, 'Bad Request'), rinfo);
    this.controls.push({ callId, command });
    const stream = call.stream;
    if (stream && command.kind === 'pause') stream.pause();
    if (stream && command.kind === 'play') {
      if (command.scale !== undefined) stream.setScale(command.scale);
      if (command.seekSeconds !== undefined) stream.seek(command.seekSeconds);
      stream.resume();
    }
    this.reply(simResponse(message, 200, 'OK'), rinfo);
  }

  /** The running playback stream of a call (tests watch its position, pace and pause). */
  streamOf(callId: string): SimRtpStream | undefined {
    return this.calls.get(callId)?.stream;
  }

  onBye(callId: string): void {
    this.byes++;
    this.end(callId);
  }

  private end(callId: string): void {
    this.calls.get(callId)?.stream?.stop();
    this.calls.get(callId)?.listener?.close();
    this.calls.delete(callId);
  }

  endAll(): void {
    for (const id of [...this.calls.keys()]) this.end(id);
  }

  /** RTP stops, the calls stay up. */
  stall(): void {
    for (const call of this.calls.values()) {
      call.stream?.stop();
      call.stream = undefined;
    }
  }

  targets(): Target[] {
    return [...this.calls.values()].map((c) => c.target);
  }
}
