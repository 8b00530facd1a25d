/** A chunk that is the only view of its whole memory: moving that memory to a thread takes nothing from anyone else. */
const ownsItsMemory = (chunk: Buffer) => chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;

/**
 * A request body as the chunks it arrived in, each owning its memory (Node's HTTP parser gives every body
 * chunk its own; any other is copied), so the whole body can be moved to a worker thread (a transfer list)
 * without the event loop copying a megabyte per push. Once moved, the chunks here are empty.
 */
export class MovableBody {
  private moved = false;

  private constructor(private readonly chunks: Buffer[], readonly size: number) {}

  static of(chunks: Buffer[], size: number): MovableBody {
    return new MovableBody(chunks.map((chunk) => (ownsItsMemory(chunk) ? chunk : Buffer.from(Uint8Array.prototype.slice.call(chunk).buffer))), size);
  }

  /** The chunks and the memory to list for transfer; the body cannot be read or moved again. */
  move(): { chunks: Uint8Array[]; transfer: ArrayBuffer[] } {
    if (this.moved) throw new Error('the body was moved already');
    this.moved = true;
    return { chunks: this.chunks, transfer: [...new Set(this.chunks.map((chunk) => chunk.buffer as ArrayBuffer))] };
  }
}
