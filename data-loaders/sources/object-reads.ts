// Where a sync's objects are read from S3. On the JavaScript thread that parses them, each read
// costs that thread the AWS SDK's work per request (its middleware, signing, the HTTP response's
// chunks collected): about 1.3 ms an object of 1,000 records, 1.3–1.6 µs of the thread's 7–9 µs
// per event, and that thread is a large sync's critical path (docs/design-notes.md). A sync of
// many objects reads them on a thread of its own (read-worker.ts), with its own S3 client, and
// the bytes come over without a copy; a small one (watch mode's one new object) reads here, as
// starting the thread (its SDK loaded again) would cost more than it saves.
import type {S3Client} from "@aws-sdk/client-s3";
import type {SourceConfig} from "../config.js";
import {startWorkerThread} from "../worker-thread.js";
import {readUnlessVanished} from "./read-ahead.js";
import {S3AccessError, type SinkObjectBody} from "./s3-sink.js";
import type {Compression} from "./sink-object-key.js";

export interface ObjectReads {
  /** An object's content (gunzipped), or null when it was deleted since it was listed. */
  read(bucket: string, key: string, compression: Compression): Promise<SinkObjectBody | null>;
  /** Ends the reads: the reader thread, when there is one. */
  close(): Promise<void>;
}

/** What the reader thread needs to make its own S3 client (credentials come from its environment, as here). */
export type ReaderSource = Pick<SourceConfig, "region" | "endpoint" | "forcePathStyle">;

/** A read asked of the reader thread. */
export interface ReadTask {
  id: number;
  bucket: string;
  key: string;
  compression: Compression;
}

/** Its answer: the content (its bytes moved, not copied), null for an object gone, or the error's message. */
export type ReadDone = {id: number; body: {bytes: Uint8Array; problem: string | null} | null} | {id: number; error: string};

/** Reads with `client` on this thread. */
export function readsOnThisThread(client: S3Client): ObjectReads {
  return {read: (bucket, key, compression) => readUnlessVanished(client, bucket, key, compression), close: async () => {}};
}

/** Reads on a thread of their own, with an S3 client made there from `source`. */
export function readsOnReaderThread(source: ReaderSource): ObjectReads {
  const settings: ReaderSource = {region: source.region, endpoint: source.endpoint, forcePathStyle: source.forcePathStyle};
  const worker = startWorkerThread({name: "read-worker", source: new URL("./read-worker.ts", import.meta.url)}, settings);
  const waiting = new Map<number, {done: (body: SinkObjectBody | null) => void; fail: (error: Error) => void}>();
  let nextId = 0;
  let stopped: Error | null = null;
  const failAll = (error: Error) => {
    stopped ??= error;
    for (const {fail} of waiting.values()) fail(stopped);
    waiting.clear();
  };
  worker.on("message", (message: ReadDone) => {
    const read = waiting.get(message.id);
    if (read === undefined) return;
    waiting.delete(message.id);
    if ("error" in message) read.fail(new S3AccessError(message.error));
    else read.done(message.body === null ? null : {bytes: Buffer.from(message.body.bytes.buffer, message.body.bytes.byteOffset, message.body.bytes.byteLength), problem: message.body.problem});
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the S3 reader thread stopped (exit code ${code})`)));
  return {
    read(bucket, key, compression) {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      return new Promise((done, fail) => {
        waiting.set(id, {done, fail});
        worker.postMessage({id, bucket, key, compression} satisfies ReadTask);
      });
    },
    async close() {
      failAll(new Error("the S3 reader thread was closed"));
      await worker.terminate();
    },
  };
}
