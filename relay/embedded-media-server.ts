import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { FlvSink } from './flv-sink.ts';
import { FlvViewer } from './flv-viewer.ts';
import { configureNms, NmsBroadcastServer, nmsContext, NmsRtmpSession, type NmsBroadcast } from './node-media-server.ts';

/** Signed local URLs stay valid for the life of the process: the secret, not the expiry, protects them. */
const LOCAL_SIGN_SECONDS = 10 * 365 * 24 * 3600;
const PROCESS_SECRET = randomBytes(24).toString('hex');

/**
 * node-media-server embedded in the hub: an RTMP ingest on a loopback port (ffmpeg publishes each camera
 * once), fanned out to in-process FLV viewers (through NMS's GOP cache) and to local RTMP readers such as
 * the analytics sampler. Nothing of it is reachable from outside the host; viewers come in through the
 * hub's own routes, which check play tokens first.
 */
export class EmbeddedMediaServer {
  /** RTMP app name: one per hub instance, since NMS keeps its streams in a process-wide map. */
  readonly app = `h${randomBytes(5).toString('hex')}`;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly secret: string;
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

  /** rtmp://127.0.0.1:port/app/name?sign=… in NMS's signature format (exp-md5(path-exp-secret)). */
  localUrl(name: string): string {
    const path = this.streamPath(name);
    const exp = Math.floor(Date.now() / 1000) + LOCAL_SIGN_SECONDS;
    const hash = createHash('md5').update(`${path}-${exp}-${this.secret}`).digest('hex');
    return `rtmp://127.0.0.1:${this.port}${path}?sign=${exp}-${hash}`;
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
