// Memory for the objects a reader thread reads, used again once the parsing thread is done with
// it. Each read's bytes were new memory outside V8's heap, moved to the parsing thread and freed
// by its garbage collector: every few megabytes of it made each thread run a full collection (at
// 1M events 38 on the reader thread and 19 on the parsing thread, about 0.7 s of CPU with the
// marking threads'). Now the parsing thread sends each object's memory back with its next request,
// and the reader thread reads the next object into it.

/** Buffers are made in steps of this, so that one object's memory fits most others. */
const STEP_BYTES = 256 * 1024;

export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  private readonly ours = new WeakSet<ArrayBufferLike>();

  /** `keep`: at most this many free buffers are held; more are left to the garbage collector. */
  constructor(private readonly keep = 32) {}

  /** `length` bytes over memory of the pool: the smallest free buffer that holds them, or a new one. */
  take(length: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].byteLength >= length && (best < 0 || this.free[i].byteLength < this.free[best].byteLength)) best = i;
    }
    let buffer: ArrayBuffer;
    if (best >= 0) {
      buffer = this.free[best];
      this.free[best] = this.free[this.free.length - 1];
      this.free.pop();
    } else {
      buffer = new ArrayBuffer(Math.max(STEP_BYTES, Math.ceil(length / STEP_BYTES) * STEP_BYTES));
      this.ours.add(buffer);
    }
    return Buffer.from(buffer, 0, length);
  }

  /** A buffer no one uses any more, whole (not a view of a larger one) and this thread's to reuse. */
  give(buffer: ArrayBuffer): void {
    // Zero bytes: moved to another thread since (detached), or nothing worth keeping.
    if (buffer.byteLength === 0 || this.free.length >= this.keep || this.free.includes(buffer)) return;
    this.ours.add(buffer);
    this.free.push(buffer);
  }

  /** True for memory the pool made or was given: a view of it may be moved whole to another thread. */
  owns(buffer: ArrayBufferLike): boolean {
    return this.ours.has(buffer);
  }
}
