// The S3 reader thread of a sync (object-reads.ts: readsOnReaderThread): reads each object it is
// asked for by the plain signed GET planned for it (direct-get.ts), or else with an S3 client of
// its own (the SDK loaded only then), into memory the parsing thread sent back from earlier reads
// (buffer-pool.ts), and hands the bytes back without a copy.
import {parentPort, workerData} from "node:worker_threads";
import type {ReadDone, ReaderSource, ReadTask} from "./object-reads.js";
import {BufferPool} from "./buffer-pool.js";
import type {DirectGetCredentials} from "./direct-get.js";
import {SignedGets} from "./signed-get.js";
import {sinkObjectBody, type SinkObjectBody} from "./object-body.js";
import {errorMessage} from "../worker-thread.js";

const source = workerData as ReaderSource;
const gets = new SignedGets();
const pool = new BufferPool();
const port = parentPort!;

/** This thread's own S3 client and its reads, loaded the first time a read needs them. */
let sdkReads: Promise<(task: ReadTask) => Promise<SinkObjectBody | null>> | null = null;
function readBySdk(task: ReadTask) {
  sdkReads ??= Promise.all([import("./s3-client.js"), import("./read-ahead.js")]).then(([{createS3Client}, {readUnlessVanished}]) => {
    const client = createS3Client(source);
    return ({bucket, key, compression}: ReadTask) => readUnlessVanished(client, bucket, key, compression);
  });
  return sdkReads.then((read) => read(task));
}

let signingWith = "";
function useCredentials(credentials: DirectGetCredentials): void {
  const identity = `${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${credentials.sessionToken ?? ""}`;
  if (identity === signingWith) return;
  gets.setCredentials(credentials);
  signingWith = identity;
}

async function read(task: ReadTask) {
  if (task.credentials) useCredentials(task.credentials);
  const bytes = task.direct ? await gets.get(task.direct, task.etag, (length) => pool.take(length)) : null;
  if (bytes === null) return readBySdk(task);
  const body = sinkObjectBody(bytes);
  // Gunzipped into memory of its own: the stored bytes are done with.
  if (body.bytes !== bytes) pool.give(bytes.buffer as ArrayBuffer);
  return body;
}

port.on("message", ({id, ...task}: ReadTask & {id: number}) => {
  for (const buffer of task.recycled) pool.give(buffer);
  read(task).then(
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
