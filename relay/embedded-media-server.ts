import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { FlvSink } from './flv-sink.ts';
import { FlvViewer } from './flv-viewer.ts';
import type { Readable } from 'node:stream';
import { configureNms, NmsBroadcastServer, nmsContext, NmsFlvSession, NmsRtmpSession, type NmsBroadcast, type NmsRtmpConnection } from './node-media-server.ts';

/**
 * Local play URLs are issued right before an ffmpeg (re)start and reach it through stdin, so they need to live
 * only until it connects (NMS checks signatures only at connect); each also carries a one-time key.
 */
export const LOCAL_SIGN_SECONDS = 120;
const PROCESS_SECRET = randomBytes(24).toString('hex');

/**
 * node-media-server embedded in the hub: each camera's FLV comes in from the relay ffmpeg's stdout
 * (`publishFrom()`), fanned out to in-process FLV viewers (through NMS's GOP cache) and, on a loopback RTMP
 * port that only plays one-time URLs (`localUrl()`), to local readers such as the analytics sampler.
 * Nothing of it is reachable from outside the host; viewers come in through the hub's own routes, which
 * check play tokens first.
 */
export class EmbeddedMediaServer {
  /** RTMP app name: one per hub instance, since NMS keeps its streams in a process-wide map. */
  readonly app = `h${randomBytes(5).toString('hex')}`;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly secret: string;
  /** One-time keys of issued local URLs: key → path, use and expiry (ms). */
  private readonly onceKeys = new Map<string, { path: string; expiresAt: number }>();
  port = 0;

  constructor(logger: Pick<Logger, 'debug' | 'warn' | 'error'>) {
    this.secret = configureNms(PROCESS_SECRET, logger);
  }

  async start(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      const session = new NmsRtmpSession(socket);
      session.run();
      this.admitOnce(session); // after run(), which installs NMS's own callbacks
      nmsContext.sessions.set(session.id, session);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const broadcast of this.ownBroadcasts()) {
      for (const subscriber of [...broadcast.subscribers.values()]) subscriber.close();
    }
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  streamPath(name: string): string {
    return `/${this.app}/${name}`;
  }

  /** NMS's signature format: exp-md5(path-exp-secret), valid `LOCAL_SIGN_SECONDS`. */
  private sign(path: string): string {
    const exp = Math.floor(Date.now() / 1000) + LOCAL_SIGN_SECONDS;
    return `${exp}-${createHash('md5').update(`${path}-${exp}-${this.secret}`).digest('hex')}`;
  }

  /**
   * rtmp://127.0.0.1:port/app/name?sign=…&once=… for one local reader (the sampler, a still grab): NMS's
   * short-lived signature plus a one-time key this server checks and forgets. Hand it to ffmpeg through
   * stdin (`privateInput()`), never argv.
   */
  localUrl(name: string): string {
    const path = this.streamPath(name);
    const now = Date.now();
    for (const [key, entry] of this.onceKeys) if (entry.expiresAt < now) this.onceKeys.delete(key);
    const once = randomBytes(16).toString('hex');
    this.onceKeys.set(once, { path, expiresAt: now + LOCAL_SIGN_SECONDS * 1000 });
    return `rtmp://127.0.0.1:${this.port}${path}?sign=${this.sign(path)}&once=${once}`;
  }

  /**
   * Publishes the FLV ffmpeg writes to `flv` (its stdout) as stream `name`, in-process: no publish URL or
   * signature ever appears in argv or on the RTMP port. The publish ends when the stream ends.
   */
  publishFrom(name: string, flv: Readable): void {
    const socket = Object.assign(new EventEmitter(), { remoteAddress: '127.0.0.1', remotePort: 0 });
    const req = {
      socket, method: 'POST', hostname: '127.0.0.1', params: { app: this.app, name }, query: { sign: this.sign(this.streamPath(name)) },
      on: (event: string, listener: (...args: unknown[]) => void) => { flv.on(event, listener); },
    };
    const res = { writableEnded: true, write: () => true, end: () => flv.destroy() };
    const session = new NmsFlvSession(req, res);
    flv.once('close', () => socket.emit('close'));
    session.run();
    nmsContext.sessions.set(session.id, session);
  }

  /**
   * RTMP connections may only play, each with an unused, unexpired one-time key for that path; never publish.
   * Wraps the protocol callbacks `run()` installed; data is only parsed on later socket events.
   */
  private admitOnce(session: NmsRtmpConnection): void {
    const { rtmp } = session;
    const play = rtmp.onPlayCallback;
    rtmp.onPlayCallback = () => {
      const once = session.streamQuery?.once;
      const entry = typeof once === 'string' ? this.onceKeys.get(once) : undefined;
      if (typeof once === 'string') this.onceKeys.delete(once);
      if (!entry || entry.path !== session.streamPath || entry.expiresAt < Date.now()) {
        session.socket.destroy();
        return;
      }
      play();
    };
    rtmp.onPushCallback = () => session.socket.destroy();
  }

  isPublishing(name: string): boolean {
    return nmsContext.broadcasts.get(this.streamPath(name))?.getPublishStatus() === 'publishing';
  }

  /** Attaches an FLV viewer (HTTP or WebSocket sink); it waits for the publisher if the stream is still starting. */
  attachFlvViewer(name: string, sink: FlvSink): FlvViewer | undefined {
    const path = this.streamPath(name);
    let broadcast = nmsContext.broadcasts.get(path);
    if (!broadcast) {
      broadcast = new NmsBroadcastServer(path);
      nmsContext.broadcasts.set(path, broadcast);
    }
    const viewer = new FlvViewer(path, broadcast, sink);
    return viewer.attach() ? viewer : undefined;
  }

  /** Ends every viewer of one stream (stream stopped for good). */
  closeViewers(name: string): void {
    const broadcast = nmsContext.broadcasts.get(this.streamPath(name));
    for (const subscriber of [...(broadcast?.subscribers.values() ?? [])]) subscriber.close();
  }

  private ownBroadcasts(): NmsBroadcast[] {
    const prefix = `/${this.app}/`;
    return [...nmsContext.broadcasts.entries()].filter(([path]) => path.startsWith(prefix)).map(([, b]) => b);
  }
}
