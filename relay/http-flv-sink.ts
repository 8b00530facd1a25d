import type { ServerResponse } from 'node:http';
import type { FlvSink } from './flv-sink.ts';

/** HTTP-FLV: the body of a hijacked fastify response, written as NMS hands out tags. */
export class HttpFlvSink implements FlvSink {
  constructor(private readonly res: ServerResponse) {}

  get pendingBytes(): number {
    return this.res.writableLength;
  }

  get isOpen(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  write(buffer: Buffer): void {
    this.res.write(buffer);
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  cut(): void {
    this.res.destroy();
  }

  onPeerClose(listener: () => void): void {
    this.res.on('close', listener);
  }
}
