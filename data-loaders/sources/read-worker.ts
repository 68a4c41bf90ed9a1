// The S3 reader thread of a sync (object-reads.ts: readsOnReaderThread): reads each object it is
// asked for with an S3 client of its own, by a plain signed GET where it can (direct-get.ts) and
// through the SDK otherwise, and hands the bytes back without a copy.
import {parentPort, workerData} from "node:worker_threads";
import type {ReadDone, ReaderSource, ReadTask} from "./object-reads.js";
import {DirectGets} from "./direct-get.js";
import {readUnlessVanished} from "./read-ahead.js";
import {createS3Client} from "./s3-client.js";
import {sinkObjectBody} from "./s3-sink.js";
import {errorMessage} from "../worker-thread.js";

const source = workerData as ReaderSource;
const client = createS3Client(source);
const direct = new DirectGets(client, source);
const port = parentPort!;

async function read(bucket: string, key: string, compression: ReadTask["compression"], etag: string) {
  const bytes = await direct.get(bucket, key, etag);
  return bytes === null ? readUnlessVanished(client, bucket, key, compression) : sinkObjectBody(bytes);
}

port.on("message", ({id, bucket, key, compression, etag}: ReadTask & {id: number}) => {
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
 * such a view is copied first.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
