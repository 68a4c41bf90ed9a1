// A large sync's second JavaScript thread (read-worker.ts). It reads the objects, each by a plain
// signed GET planned here where the SDK's client is (sources/direct-get.ts), the SDK there only for
// what that cannot read. Some objects it also parses, into a batch of their own that this thread
// adds to its batch (ingest-object.ts: addParsedSinkObject): parsing is most of a sync's CPU, and
// one thread parsing every object kept the machine's second core a third idle
// (docs/design-notes.md, "Ingest, seventh round"). The others' bytes come over without a copy
// and their memory goes back once decoded.
import type {S3Client} from "@aws-sdk/client-s3";
import type {WeblogConfig} from "./config.js";
import {SinkObjectReceiver, type ParsedSinkObject, type ReceivedSinkObject, type SinkObjectName} from "./ingest-object.js";
import {DirectGetPlans} from "./sources/direct-get.js";
import type {SinkObjectBody} from "./sources/object-body.js";
import type {ObjectRead, ObjectReads, ReaderSource, ReadTask} from "./sources/object-reads.js";
import {createS3Client} from "./sources/s3-client.js";
import {S3AccessError} from "./sources/s3-sink.js";
import type {Compression} from "./sources/sink-object-key.js";
import {startWorkerThread, WorkerTasks} from "./worker-thread.js";

/** How the thread parses: the configuration's log formats. */
export type ReaderParsing = Pick<WeblogConfig, "logFormat" | "logFormats" | "timeZone">;

/** What the thread is started with. */
export interface ReaderThreadData {
  source: ReaderSource;
  parsing: ReaderParsing;
}

/** An object as the thread reads it: its key, compression and listed ETag. */
export interface ObjectToRead {
  key: string;
  compression: Compression;
  etag: string;
}

/** Read an object and parse it there: its content and key file, and what its name says. */
export interface ParseTask {
  parse: {content: ObjectRead; keys: ObjectRead | null; object: SinkObjectName};
  recycled: ArrayBuffer[];
}

export type ReaderTask = ({parse?: undefined} & ReadTask) | ParseTask;
export type ReaderAnswer = {bytes: Uint8Array; problem: string | null} | ParsedSinkObject | null;

export interface ReaderThread extends ObjectReads {
  /** The object and its key file read and parsed on the thread, every record taken; null when the object is gone. */
  readParsed(bucket: string, object: SinkObjectName & ObjectToRead, keyFile: ObjectToRead | null): Promise<ReceivedSinkObject | null>;
}

/** Starts the reader thread: `client` plans the reads here; the thread makes its own from `source` for what it reads by the SDK. */
export function startReaderThread(source: ReaderSource, parsing: ReaderParsing, client: S3Client = createS3Client(source)): ReaderThread {
  const data: ReaderThreadData = {
    source: {region: source.region, endpoint: source.endpoint, forcePathStyle: source.forcePathStyle},
    parsing: {logFormat: parsing.logFormat, logFormats: parsing.logFormats, timeZone: parsing.timeZone},
  };
  const worker = startWorkerThread({name: "read-worker", source: new URL("./read-worker.ts", import.meta.url)}, data);
  const tasks = new WorkerTasks<ReaderTask, ReaderAnswer>(worker, "the S3 reader thread", (message) => new S3AccessError(message));
  const plans = new DirectGetPlans(client, source.endpoint);
  const planned = async (bucket: string, {key, compression, etag}: ObjectToRead): Promise<ObjectRead> => {
    // No credentials found: the thread's SDK reads it, and says so.
    const [direct, credentials] = await Promise.all([plans.plan(bucket, key), plans.credentials().catch(() => null)]);
    return {bucket, key, compression, etag, direct: credentials === null ? null : direct, credentials};
  };
  const received = new SinkObjectReceiver();
  // Sent back with the next task.
  let done: ArrayBuffer[] = [];
  const recycled = () => {
    const buffers = done;
    done = [];
    return buffers;
  };
  return {
    async read(bucket, key, compression, etag) {
      const read = await planned(bucket, {key, compression, etag});
      const buffers = recycled();
      const body = (await tasks.ask({...read, recycled: buffers}, buffers)) as {bytes: Uint8Array; problem: string | null} | null;
      return body === null ? null : ({bytes: Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength), problem: body.problem} satisfies SinkObjectBody);
    },
    async readParsed(bucket, object, keyFile) {
      const [content, keys] = await Promise.all([planned(bucket, object), keyFile === null ? null : planned(bucket, keyFile)]);
      const buffers = recycled();
      const {key, topic, partition, startOffset} = object;
      const parsed = (await tasks.ask({parse: {content, keys, object: {key, topic, partition, startOffset}}, recycled: buffers}, buffers)) as ParsedSinkObject | null;
      // Received as each answer arrives: in the order the thread parsed the objects.
      return parsed === null ? null : received.receive(parsed);
    },
    done(content) {
      const buffer = content.bytes.buffer as ArrayBuffer;
      // Zero bytes: sent back already (detached).
      if (buffer.byteLength > 0 && !done.includes(buffer)) done.push(buffer);
    },
    async close() {
      tasks.stop(new Error("the S3 reader thread was closed"));
      await worker.terminate();
    },
  };
}
