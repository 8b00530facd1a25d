import { WebSocket } from 'ws';
import type { FlvSink } from './flv-sink.ts';

/** Close code a player can tell apart from a network drop: the play session ended (revoked, expired, stopped). */
export const WS_CLOSE_SESSION_ENDED = 4403;
/** The stream ended on the relay side (camera pull stopped). */
const WS_CLOSE_STREAM_ENDED = 1000;
/** Time for the close frame to reach a viewer that is keeping up. */
const CUT_GRACE_MS = 1_000;

/**
 * WS-FLV: each FLV tag NMS hands out goes as one binary message (what mpegts.js and flv.js read).
 * The backlog is the socket's bufferedAmount, so a slow viewer is noticed exactly as on HTTP.
 */
export class WsFlvSink implements FlvSink {
  constructor(private readonly socket: WebSocket) {
    // Nothing is read from the viewer; an error just means the peer is gone ('close' follows).
    socket.on('error', () => socket.terminate());
    socket.on('message', () => {});
  }

  get pendingBytes(): number {
    return this.socket.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  write(buffer: Buffer): void {
    this.socket.send(buffer, { binary: true });
  }

  end(): void {
    if (this.isOpen) this.socket.close(WS_CLOSE_STREAM_ENDED, 'stream ended');
  }

  /** A close frame with the reason; the socket goes a second later whatever the peer does (ws would wait 30 s). */
  cut(): void {
    if (this.isOpen) this.socket.close(WS_CLOSE_SESSION_ENDED, 'play session ended');
    const socket = this.socket;
    setTimeout(() => socket.terminate(), CUT_GRACE_MS).unref();
  }

  onPeerClose(listener: () => void): void {
    this.socket.on('close', listener);
  }
}
