import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/**
 * The parts of node-media-server v4 the relay uses, typed. NMS keeps process-wide state in one `Context`
 * object (config, broadcasts), so the hub configures it once per process and namespaces stream paths per
 * hub instance. We use its RTMP ingest, its broadcast fan-out and its FLV GOP cache; none of its own
 * listeners (HTTP, admin API, recorder) are started.
 */

export interface NmsSession {
  id: string;
  ip: string;
  protocol: string;
  streamPath: string;
  isPublisher: boolean;
  sendBuffer(buffer: Buffer): void;
  close(): void;
}

export interface NmsBroadcast {
  publisher: NmsSession | null;
  subscribers: Map<string, NmsSession>;
  postPlay(session: NmsSession): string | null;
  donePlay(session: NmsSession): void;
  getPublishStatus(): 'publishing' | 'reconnecting' | 'idle';
}

interface NmsContext {
  config: Record<string, unknown>;
  broadcasts: Map<string, NmsBroadcast>;
  sessions: Map<string, NmsSession>;
}

interface NmsLogger {
  level: string;
  log(message: string, level?: string): void;
}

type BroadcastConstructor = new (streamPath: string) => NmsBroadcast;
/** An RTMP session before it publishes or plays: the callbacks its protocol handler calls, the path and query it asked for. */
export interface NmsRtmpConnection extends NmsSession {
  run(): void;
  socket: Socket;
  streamQuery?: Record<string, unknown>;
  rtmp: { onPlayCallback: () => void; onPushCallback: () => void };
}

type RtmpSessionConstructor = new (socket: Socket) => NmsRtmpConnection;
/** NMS's HTTP-FLV session; the hub only uses it as an in-process publisher fed by ffmpeg's stdout. */
type FlvSessionConstructor = new (req: object, res: object) => NmsSession & { run(): void };

const require = createRequire(import.meta.url);
export const nmsContext = require('node-media-server/src/core/context.js') as NmsContext;
const nmsLogger = require('node-media-server/src/core/logger.js') as NmsLogger;
export const NmsBroadcastServer = require('node-media-server/src/server/broadcast_server.js') as BroadcastConstructor;
export const NmsRtmpSession = require('node-media-server/src/session/rtmp_session.js') as RtmpSessionConstructor;
export const NmsFlvSession = require('node-media-server/src/session/flv_session.js') as FlvSessionConstructor;

let configuredSecret: string | undefined;
let logSink: Pick<Logger, 'debug' | 'warn' | 'error'> | undefined;

/**
 * Configures NMS for this process (once): publish and play over RTMP need a URL signed with `secret`, so
 * another local process cannot inject or read a stream. NMS log lines go to the hub's logger, not stdout.
 */
export function configureNms(secret: string, logger: Pick<Logger, 'debug' | 'warn' | 'error'>): string {
  logSink = logger;
  if (configuredSecret) return configuredSecret;
  configuredSecret = secret;
  nmsContext.config = { bind: '127.0.0.1', auth: { play: true, publish: true, secret }, record: { auto: false }, webadmin: { enable: false } };
  nmsLogger.level = 'trace';
  nmsLogger.log = (message: string, level = 'info') => {
    if (level === 'error') logSink?.warn({ nms: true }, message);
    else logSink?.debug({ nms: true }, message);
  };
  return secret;
}
