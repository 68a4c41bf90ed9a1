// The S3 reader thread of a sync (object-reads.ts: readsOnReaderThread): reads each object it is
// asked for with an S3 client of its own, by a plain signed GET where it can (direct-get.ts) and
// through the SDK otherwise, into memory the parsing thread sent back from earlier reads
// (buffer-pool.ts), and hands the bytes back without a copy.
import {parentPort, workerData} from "node:worker_threads";
import type {ReadDone, ReaderSource, ReadTask} from "./object-reads.js";
import {BufferPool} from "./buffer-pool.js";
import {DirectGets} from "./direct-get.js";
import {readUnlessVanished} from "./read-ahead.js";
import {createS3Client} from "./s3-client.js";
import {sinkObjectBody} from "./s3-sink.js";
import {errorMessage} from "../worker-thread.js";

const source = workerData as ReaderSource;
const client = createS3Client(source);
const direct = new DirectGets(client, source);
const pool = new BufferPool();
const port = parentPort!;

async function read(bucket: string, key: string, compression: ReadTask["compression"], etag: string) {
  const bytes = await direct.get(bucket, key, etag, (length) => pool.take(length));
  if (bytes === null) return readUnlessVanished(client, bucket, key, compression);
  const body = sinkObjectBody(bytes);
  // Gunzipped into memory of its own: the stored bytes are done with.
  if (body.bytes !== bytes) pool.give(bytes.buffer as ArrayBuffer);
  return body;
}

port.on("message", ({id, bucket, key, compression, etag, recycled}: ReadTask & {id: number}) => {
  for (const buffer of recycled) pool.give(buffer);
  read(bucket, key, compression, etag).then(
    (body) => {
      if (body === null) return port.postMessage({id, answer: null} satisfies ReadDone);
      const bytes = ownBuffer(body.bytes);
      port.postMessage({id, answer: {bytes, problem: body.problem}} satisfies ReadDone, [bytes.buffer as ArrayBuffer]);
    },
    (error: unknown) => port.postMessage({id, error: errorMessage(error)} satisfies ReadDone),
  );
});

/**
 * Bytes whose memory is theirs alone, to move to the other thread: moving a view of a larger
 * buffer (Node's pool of small buffers) would take the rest of that buffer from this thread, so
 * such a view is copied first. The pool's memory is the reads' alone, and moves whole.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole || pool.owns(bytes.buffer) ? bytes : new Uint8Array(bytes);
}
