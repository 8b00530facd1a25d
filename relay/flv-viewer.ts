import { randomUUID } from 'node:crypto';
import type { FlvSink } from './flv-sink.ts';
import type { NmsBroadcast, NmsSession } from './node-media-server.ts';

/** A viewer further behind than this is cut off rather than buffered without bound. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * One FLV viewer attached to an NMS broadcast: NMS sends the FLV header, metadata, sequence header and its
 * GOP cache on attach (so the first frame is a key frame at once), then every live tag. The bytes go to a
 * sink (HTTP response or WebSocket); the route checked the play token before this.
 */
export class FlvViewer implements NmsSession {
  readonly id = `hub-${randomUUID()}`;
  // An empty ip marks the session as internal to NMS: it skips its own URL signature check (we did ours).
  readonly ip = '';
  readonly protocol = 'flv';
  readonly isPublisher = false;
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(readonly streamPath: string, private readonly broadcast: NmsBroadcast, private readonly sink: FlvSink) {
    sink.onPeerClose(() => this.close());
  }

  /** Starts the flow; false when NMS refused the play. */
  attach(): boolean {
    const error = this.broadcast.postPlay(this);
    if (error) {
      this.close();
      return false;
    }
    return true;
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  sendBuffer(buffer: Buffer): void {
    if (this.closed || !this.sink.isOpen) return;
    if (this.sink.pendingBytes > MAX_PENDING_BYTES) {
      this.close(true);
      return;
    }
    this.sink.write(buffer);
  }

  /** Detach from the broadcast and end (or, with cut, drop) the connection. */
  close(cut = false): void {
    if (this.closed) return;
    this.closed = true;
    this.broadcast.donePlay(this);
    if (cut) this.sink.cut();
    else this.sink.end();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
