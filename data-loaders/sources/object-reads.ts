// Where a sync's objects are read from S3. On the JavaScript thread that parses them, each read
// costs that thread the AWS SDK's work per request (its middleware, signing, the HTTP response's
// chunks collected): about 1.3 ms an object of 1,000 records, 1.3–1.6 µs of the thread's 7–9 µs
// per event, and that thread is a large sync's critical path (docs/design-notes.md). A sync of
// many objects reads them on a thread of its own (../reader-thread.ts), each by a plain signed GET
// planned where the SDK's client is (direct-get.ts), the SDK there only for what that cannot
// read. A small sync (watch mode's one new object) reads here, as starting the thread would cost
// more than it saves.
import type {S3Client} from "@aws-sdk/client-s3";
import type {SourceConfig} from "../config.js";
import type {WorkerAnswer} from "../worker-thread.js";
import {readUnlessVanished} from "./read-ahead.js";
import type {DirectGet, DirectGetCredentials} from "./direct-get.js";
import type {SinkObjectBody} from "./object-body.js";
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

/** One object's read as the reader thread makes it (thread-reads.ts). */
export interface ObjectRead {
  bucket: string;
  key: string;
  compression: Compression;
  etag: string;
  /** The plain GET planned for it, or null: the thread's SDK reads it. */
  direct: DirectGet | null;
  /** What to sign `direct` with, as the SDK's provider gives them now. */
  credentials: DirectGetCredentials | null;
}

/** A read asked of the reader thread. */
export interface ReadTask extends ObjectRead {
  /** Memory of earlier reads the parsing thread is done with, moved back to be read into again. */
  recycled: ArrayBuffer[];
}

/** Its answer: the content (its bytes moved, not copied), null for an object gone, or the error's message. */
export type ReadDone = WorkerAnswer<{bytes: Uint8Array; problem: string | null} | null>;

/** Reads with `client` on this thread. */
export function readsOnThisThread(client: S3Client): ObjectReads {
  return {read: (bucket, key, compression) => readUnlessVanished(client, bucket, key, compression), done: () => {}, close: async () => {}};
}
