import type { FlvSink } from '../flv-sink.ts';

/** A viewer further behind than this is cut off rather than buffered without bound (as FlvViewer does). */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * An FLV viewer on a node that does not pull the camera: the owner's internal FLV stream, read here and
 * written to the viewer's sink (HTTP response or WebSocket). Closing it (session ended, hub stopping) cuts
 * both the viewer and the internal stream; the internal stream ending (owner gone, pull moved) ends the
 * viewer, whose player then reconnects.
 */
export class ProxiedFlv {
  private closed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(private readonly upstream: Response, private readonly abort: AbortController, private readonly sink: FlvSink) {
    sink.onPeerClose(() => this.close());
  }

  /** Starts moving bytes; returns at once. */
  start(): void {
    void this.pump();
  }

  private async pump(): Promise<void> {
    const reader = this.upstream.body!.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.closed) break;
        if (!this.sink.isOpen) break;
        if (this.sink.pendingBytes > MAX_PENDING_BYTES) {
          this.close(true);
          return;
        }
        this.sink.write(Buffer.from(value));
      }
    } catch {
      // The owner went away or we aborted: the viewer's connection ends below.
    }
    this.close();
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(cut = false): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (cut) this.sink.cut();
    else this.sink.end();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
