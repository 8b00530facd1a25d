import { describe, expect, it } from 'vitest';
import type { FlvSink } from '../../relay/flv-sink.ts';
import { FlvViewer } from '../../relay/flv-viewer.ts';
import { NmsBroadcastServer } from '../../relay/node-media-server.ts';

/** A sink whose peer reads nothing: every byte written stays pending (the error path of a stalled viewer). */
class StalledSink implements FlvSink {
  pendingBytes = 0;
  isOpen = true;
  ended: 'end' | 'cut' | undefined;
  private readonly listeners: Array<() => void> = [];
  write(buffer: Buffer): void { this.pendingBytes += buffer.length; }
  end(): void { this.finish('end'); }
  cut(): void { this.finish('cut'); }
  onPeerClose(listener: () => void): void { this.listeners.push(listener); }
  private finish(how: 'end' | 'cut'): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.ended = how;
    for (const listener of this.listeners) listener();
  }
}

describe('FLV viewer backlog bound', () => {
  it('cuts a viewer that falls 8 MB behind and detaches it from the broadcast', () => {
    const path = `/test-${Date.now()}/backlog`;
    const broadcast = new NmsBroadcastServer(path);
    const sink = new StalledSink();
    const viewer = new FlvViewer(path, broadcast, sink);
    let closed = 0;
    viewer.onClose(() => closed++);
    expect(viewer.attach()).toBe(true);
    expect(sink.pendingBytes).toBe(13); // the FLV header NMS sends on attach
    expect(broadcast.subscribers.has(viewer.id)).toBe(true);
    const tag = Buffer.alloc(256 * 1024);
    for (let i = 0; i < 40 && !viewer.isClosed; i++) viewer.sendBuffer(tag);
    expect(viewer.isClosed).toBe(true);
    expect(sink.ended).toBe('cut');
    expect(sink.pendingBytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(sink.pendingBytes).toBeLessThanOrEqual(8 * 1024 * 1024 + 13 + tag.length);
    expect(broadcast.subscribers.has(viewer.id)).toBe(false);
    expect(closed).toBe(1);
    // Nothing more is written once cut.
    const after = sink.pendingBytes;
    viewer.sendBuffer(tag);
    expect(sink.pendingBytes).toBe(after);
  });

  it('a viewer that leaves is detached without a cut', () => {
    const path = `/test-${Date.now()}/leave`;
    const broadcast = new NmsBroadcastServer(path);
    const sink = new StalledSink();
    const viewer = new FlvViewer(path, broadcast, sink);
    viewer.attach();
    sink.end();
    expect(viewer.isClosed).toBe(true);
    expect(broadcast.subscribers.has(viewer.id)).toBe(false);
  });
});
