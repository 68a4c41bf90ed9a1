// Where a sync's objects are read from S3. On the JavaScript thread that parses them, each read
// costs that thread the AWS SDK's work per request (its middleware, signing, the HTTP response's
// chunks collected): about 1.3 ms an object of 1,000 records, 1.3–1.6 µs of the thread's 7–9 µs
// per event, and that thread is a large sync's critical path (docs/design-notes.md). A sync of
// many objects reads them on a thread of its own (read-worker.ts), each by a plain signed GET
// planned here (direct-get.ts), the SDK there only for what that cannot read; the bytes come over
// without a copy and their memory goes back once decoded. A small sync (watch mode's one new
// object) reads here, as starting the thread would cost more than it saves.
import type {S3Client} from "@aws-sdk/client-s3";
import type {SourceConfig} from "../config.js";
import {startWorkerThread, WorkerTasks, type WorkerAnswer} from "../worker-thread.js";
import {readUnlessVanished} from "./read-ahead.js";
import {createS3Client} from "./s3-client.js";
import {DirectGetPlans, type DirectGet, type DirectGetCredentials} from "./direct-get.js";
import type {SinkObjectBody} from "./object-body.js";
import {S3AccessError} from "./s3-sink.js";
import type {Compression} from "./sink-object-key.js";

export interface ObjectReads {
  /** An object's content (gunzipped), or null when it was deleted since it was listed. `etag` is the listing's. */
  read(bucket: string, key: string, compression: Compression, etag: string): Promise<SinkObjectBody | null>;
  /** The caller is done with a content's bytes (no view of them is used any more): a reader thread reads into their memory again. */
  done(content: SinkObjectBody): void;
  /** Ends the reads: the reader thread, when there is one. */
  close(): Promise<void>;
}

/** What the reader thread needs to make its own S3 client (credentials come from its environment, as here). */
export type ReaderSource = Pick<SourceConfig, "region" | "endpoint" | "forcePathStyle">;

/** A read asked of the reader thread. */
export interface ReadTask {
  bucket: string;
  key: string;
  compression: Compression;
  etag: string;
  /** Memory of earlier reads the parsing thread is done with, moved back to be read into again. */
  recycled: ArrayBuffer[];
  /** The plain GET planned for it, or null: the thread's SDK reads it. */
  direct: DirectGet | null;
  /** What to sign `direct` with, as the SDK's provider gives them now. */
  credentials: DirectGetCredentials | null;
}

/** Its answer: the content (its bytes moved, not copied), null for an object gone, or the error's message. */
export type ReadDone = WorkerAnswer<{bytes: Uint8Array; problem: string | null} | null>;

/** Reads with `client` on this thread. */
export function readsOnThisThread(client: S3Client): ObjectReads {
  return {read: (bucket, key, compression) => readUnlessVanished(client, bucket, key, compression), done: () => {}, close: async () => {}};
}

/**
 * Reads on a thread of their own: each by a plain signed GET that `client` plans here
 * (direct-get.ts), or, when that cannot be done, by an S3 client the thread makes from `source`
 * (its SDK loaded then).
 */
export function readsOnReaderThread(source: ReaderSource, client: S3Client = createS3Client(source)): ObjectReads {
  const settings: ReaderSource = {region: source.region, endpoint: source.endpoint, forcePathStyle: source.forcePathStyle};
  const worker = startWorkerThread({name: "read-worker", source: new URL("./read-worker.ts", import.meta.url)}, settings);
  const reads = new WorkerTasks<ReadTask, {bytes: Uint8Array; problem: string | null} | null>(worker, "the S3 reader thread", (message) => new S3AccessError(message));
  const plans = new DirectGetPlans(client, source.endpoint);
  // Sent back with the next read asked for.
  let done: ArrayBuffer[] = [];
  return {
    read: async (bucket, key, compression, etag) => {
      const recycled = done;
      done = [];
      // No credentials found: the thread's SDK reads it, and says so.
      const [direct, credentials] = await Promise.all([plans.plan(bucket, key), plans.credentials().catch(() => null)]);
      const task: ReadTask = {bucket, key, compression, etag, recycled, direct: credentials === null ? null : direct, credentials};
      const body = await reads.ask(task, recycled);
      return body === null ? null : {bytes: Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength), problem: body.problem};
    },
    done(content) {
      const buffer = content.bytes.buffer as ArrayBuffer;
      // Zero bytes: sent back already (detached).
      if (buffer.byteLength > 0 && !done.includes(buffer)) done.push(buffer);
    },
    async close() {
      reads.stop(new Error("the S3 reader thread was closed"));
      await worker.terminate();
    },
  };
}
