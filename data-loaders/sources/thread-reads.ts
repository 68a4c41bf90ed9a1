// Reading on the sync's reader thread (../read-worker.ts): each object by the plain signed GET
// planned for it (direct-get.ts), or else with an S3 client of the thread's own (the SDK loaded
// only then), into memory earlier reads are done with (buffer-pool.ts).
import type {ObjectRead, ReaderSource} from "./object-reads.js";
import {BufferPool} from "./buffer-pool.js";
import {SignedGets} from "./signed-get.js";
import {sinkObjectBody, type SinkObjectBody} from "./object-body.js";

export class ThreadReads {
  private readonly gets = new SignedGets();
  private readonly pool = new BufferPool();
  /** This thread's own S3 client and its reads, loaded the first time a read needs them. */
  private sdkReads: Promise<(read: ObjectRead) => Promise<SinkObjectBody | null>> | null = null;

  constructor(private readonly source: ReaderSource) {}

  /** The object's content (gunzipped), or null when it is gone. */
  async read(object: ObjectRead): Promise<SinkObjectBody | null> {
    if (object.credentials) this.gets.setCredentials(object.credentials);
    const bytes = object.direct ? await this.gets.get(object.direct, object.etag, (length) => this.pool.take(length)) : null;
    if (bytes === null) return this.readBySdk(object);
    const body = sinkObjectBody(bytes);
    // Gunzipped into memory of its own: the stored bytes are done with.
    if (body.bytes !== bytes) this.pool.give(bytes.buffer as ArrayBuffer);
    return body;
  }

  /** Memory no view of is used any more, to read into again. */
  give(buffer: ArrayBuffer): void {
    this.pool.give(buffer);
  }

  /** A content's bytes read here and done with here: their memory read into again, when it is theirs alone. */
  doneWith(bytes: Uint8Array): void {
    if (this.isMemoryOfTheirOwn(bytes)) this.pool.give(bytes.buffer as ArrayBuffer);
  }

  /** Bytes whose memory is theirs alone, to move to the other thread (a view of other memory is copied first). */
  ownBuffer(bytes: Uint8Array): Uint8Array {
    return this.isMemoryOfTheirOwn(bytes) ? bytes : new Uint8Array(bytes);
  }

  /**
   * Whether the bytes' memory holds nothing else: moving or reusing a view of a larger buffer
   * (Node's pool of small buffers) would take the rest of that buffer with it. The pool's memory
   * is the reads' alone, and moves or is reused whole.
   */
  private isMemoryOfTheirOwn(bytes: Uint8Array): boolean {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return whole || this.pool.owns(bytes.buffer);
  }

  private readBySdk(object: ObjectRead) {
    this.sdkReads ??= Promise.all([import("./s3-client.js"), import("./read-ahead.js")]).then(([{createS3Client}, {readUnlessVanished}]) => {
      const client = createS3Client(this.source);
      return ({bucket, key, compression}: ObjectRead) => readUnlessVanished(client, bucket, key, compression);
    });
    return this.sdkReads.then((read) => read(object));
  }
}
