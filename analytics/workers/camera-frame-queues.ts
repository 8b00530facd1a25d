/**
 * Bounded FIFO per camera. When a camera's queue is full the OLDEST frame is dropped: for live video
 * the newest frame is the one worth analysing, and a slow consumer must never grow memory.
 * Cameras are served round-robin so one busy camera cannot starve the others.
 */
export class CameraFrameQueues<T> {
  private readonly queues = new Map<string, T[]>();
  private readonly dropsByCamera = new Map<string, number>();
  private order: string[] = [];
  private next = 0;
  private size = 0;

  constructor(readonly depthPerCamera: number) {
    if (!Number.isInteger(depthPerCamera) || depthPerCamera < 1) throw new RangeError('queue depth must be an integer ≥ 1');
  }

  /** Adds an item; returns the item it evicted, if the camera's queue was full. */
  push(cameraId: string, item: T): T | undefined {
    let queue = this.queues.get(cameraId);
    if (!queue) {
      queue = [];
      this.queues.set(cameraId, queue);
      this.order.push(cameraId);
    }
    queue.push(item);
    this.size++;
    if (queue.length <= this.depthPerCamera) return undefined;
    this.size--;
    this.dropsByCamera.set(cameraId, (this.dropsByCamera.get(cameraId) ?? 0) + 1);
    return queue.shift();
  }

  /** Puts an item back at the head of its camera's queue (a retry goes before newer frames; never dropped). */
  unshift(cameraId: string, item: T): void {
    if (!this.queues.has(cameraId)) {
      this.queues.set(cameraId, []);
      this.order.push(cameraId);
    }
    this.queues.get(cameraId)!.unshift(item);
    this.size++;
  }

  /** Next item, taking cameras in turn. */
  shift(): T | undefined {
    for (let tried = 0; tried < this.order.length; tried++) {
      if (this.next >= this.order.length) this.next = 0;
      const cameraId = this.order[this.next++];
      const queue = this.queues.get(cameraId)!;
      const item = queue.shift();
      if (item === undefined) continue;
      this.size--;
      if (queue.length === 0) this.forget(cameraId);
      return item;
    }
    return undefined;
  }

  get length(): number {
    return this.size;
  }

  drops(): Record<string, number> {
    return Object.fromEntries(this.dropsByCamera);
  }

  totalDrops(): number {
    let total = 0;
    for (const n of this.dropsByCamera.values()) total += n;
    return total;
  }

  /** Removes and returns everything (pool shutdown). */
  drain(): T[] {
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.order = [];
    this.size = 0;
    return all;
  }

  private forget(cameraId: string): void {
    this.queues.delete(cameraId);
    const index = this.order.indexOf(cameraId);
    this.order.splice(index, 1);
    if (this.next > index) this.next--;
  }
}
