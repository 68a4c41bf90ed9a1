// `weblog sync`: brings the local Parquet store up to date with the bucket, taking in only
// objects that are new or changed (by ETag). The pipeline, top to bottom:
//   list the S3 sink objects → plan what is new → read each object → records → parsed lines
//   → batch → enrich once per distinct client and agent → Parquet segment → commit the manifest.
// The store is a copy of the bucket: every (topic, partition, offset) the bucket holds is stored
// exactly once (store/offset-ledger.ts), objects that leave the bucket leave the store, and
// offsets that only an unchanged object still holds are read again from it (a backfill).
// A commit is one atomic manifest rename, so a sync killed at any moment leaves the store as it
// was before or after a batch, never between.
import {mkdir} from "node:fs/promises";
import {join} from "node:path";
import type {S3Client} from "@aws-sdk/client-s3";
import {requireBucket, type WeblogConfig} from "./config.js";
import {openEnrichment, type Enrichment} from "./enrich/enrichers.js";
import {addParsedSinkObject, ingestSinkObject, NO_DAMAGE, type ObjectDamage, type ObjectIngestCounts, type ReceivedSinkObject, type SinkObjectName} from "./ingest-object.js";
import type {SinkObjectBody} from "./sources/object-body.js";
import {syncLogEventObjects} from "./sync-log-events.js";
import {configuredInstanceParsers} from "./parse/instance-formats.js";
import {createS3Client} from "./sources/s3-client.js";
import {decodeObjectText} from "./sources/object-text.js";
import {listingStarts, listSinkObjectsAfter, type KnownObject} from "./sources/incremental-listing.js";
import {listSinkObjects, type ListedSinkObject} from "./sources/s3-sink.js";
import {listPagesOf} from "./sources/list-pages.js";
import {readsOnThisThread, type ObjectReads} from "./sources/object-reads.js";
import {startReaderThread, type ReaderThread} from "./reader-thread.js";
import {inOrderAhead} from "./sources/read-ahead.js";
import {sinkObjectStem, type Compression} from "./sources/sink-object-key.js";
import {decodeKeyFile} from "./records/connect-key.js";
import {commitBatch, manifestForSync, type CommittedObjects} from "./store/commit.js";
import {CommitDuckDB, CommitQueue, commitDaysAtOnce} from "./store/commit-queue.js";
import {writesOnThisThread, writesOnWriterThread} from "./store/segment-writer.js";
import {lockStore} from "./store/lock.js";
import {isFullListingDue, summarizeSkippedKeys, writeManifest, type Manifest, type StoredObject} from "./store/manifest.js";
import {inRuns, mergeRuns, OffsetLedger, runLength, type OffsetRun} from "./store/offset-ledger.js";
import {COMPACT_ABOVE_SEGMENTS, compactStore} from "./store/compact.js";
import {EventBatch} from "./write/event-batch.js";

export interface SyncOptions {
  /** Injected by tests and by watch, which keeps one client. */
  client?: S3Client;
  /** Progress lines for humans (stderr in the CLI). */
  log?: (message: string) => void;
  /** Events per Parquet segment: bounds memory. */
  batchEvents?: number;
  /** Objects fetched from S3 at once. */
  concurrency?: number;
  /** List every key under the prefix, however recent the last full listing (`weblog sync --full`). */
  fullListing?: boolean;
  /** An enrichment the caller keeps open (watch); by default sync opens its own. */
  enrichment?: () => Promise<Enrichment>;
  /** Called as each object to take in arrives (the ones before it read) and once all are read (cli/progress.ts shows it). */
  onProgress?: (progress: SyncProgress) => void;
  /**
   * Where the objects are read (reader-thread.ts, sources/object-reads.ts). By default on a reader thread when there
   * are READER_THREAD_OBJECTS or more to read and no `client` was given (a given client's requests
   * stay on it), here otherwise.
   */
  readsOn?: "this thread" | "reader thread";
  /**
   * Where the batches are written into segments (store/segment-writer.ts). By default on a writer
   * thread when there are WRITER_THREAD_OBJECTS or more to read and sync opens its own enrichment
   * (the thread opens the same GeoLite2 files; a given enrichment's functions stay here), here otherwise.
   */
  writesOn?: "this thread" | "writer thread";
}

/**
 * From how many objects a sync reads them on a thread of its own: the thread's start (the AWS SDK
 * loaded again, about 0.2 s) is paid back at about 1.3 ms an object.
 */
export const READER_THREAD_OBJECTS = 256;

/**
 * From how many objects a sync writes its batches on a thread of its own: the thread's gain is a
 * batch written while the next is parsed, so a sync of one batch (500 objects of 1,000 records)
 * would only pay for its start (a DuckDB and GeoLite2 opened again) and a copy of the batch's
 * distinct values.
 */
export const WRITER_THREAD_OBJECTS = 1000;

export interface SyncProgress {
  /** Objects read and parsed, of objectsTotal planned (their commit may still be under way). */
  objectsDone: number;
  objectsTotal: number;
  /** Events taken in so far. */
  events: number;
}

export interface SyncResult {
  /** Objects listed that are S3 sink value files: all of them, or the tail of each topic. */
  listed: number;
  /** True when every key under the prefix was listed, false when only the tail of each topic. */
  fullListing: boolean;
  /** Keys under the prefix that are not event objects (key files, other extensions), with why. */
  skipped: {key: string; reason: string}[];
  added: number;
  replaced: number;
  unchanged: number;
  /** Objects no longer in the bucket (a full listing did not find them), whose rows left the store. */
  removed: number;
  /** Unchanged objects read again for offsets that an object which left no longer holds. */
  backfilled: number;
  events: number;
  rejected: number;
  duplicates: number;
  /** Firehose CONTROL_MESSAGE documents skipped (health checks; the firehose format only). */
  controlMessages?: number;
  /** True when the store changed, so the site's data must be rebuilt. */
  changed: boolean;
}

interface PlannedObject extends SinkObjectName {
  etag: string;
  size: number;
  compression: Compression;
  /** The Kafka key file beside it, read with it. */
  keyFile: ListedKeyFile | null;
  /** When S3 received it (epoch ms), as listed; null when not listed (read again from the manifest) or not given. */
  lastModified: number | null;
}

interface ListedKeyFile {
  key: string;
  etag: string;
  compression: Compression;
}

/**
 * What sync does with an object it reads: "take" takes it in whole (new or rewritten: it takes
 * every offset of its range that no other object stores); "backfill" reads an object already in
 * the store again for the offsets of `take` only.
 */
type ObjectWork = {mode: "take"; object: PlannedObject} | {mode: "backfill"; object: PlannedObject; take: OffsetRun[]};

interface IngestedObject {
  work: ObjectWork;
  counts: ObjectIngestCounts;
  /** The key file read with it, or null. */
  keyFile: {key: string; etag: string} | null;
}

export const DEFAULT_BATCH_EVENTS = 500_000;

export async function syncStore(config: WeblogConfig, options: SyncOptions = {}): Promise<SyncResult> {
  // The formats without Kafka have a loop of their own (sync-log-events.ts).
  if (config.source.format !== "s3-sink") return syncLogEventObjects(config, config.source.format, {...options, batchEvents: options.batchEvents ?? DEFAULT_BATCH_EVENTS});
  const bucket = requireBucket(config);
  // Before any listing: a format that cannot be read (or local time with no zone) is the user's to fix.
  const parsers = configuredInstanceParsers(config);
  const log = options.log ?? (() => {});
  const client = options.client ?? createS3Client(config.source);
  const store = config.store;
  await mkdir(store, {recursive: true});
  const lock = await lockStore(store);
  // Set once DuckDB is open: however sync ends, DuckDB is closed after the commit still writing with it.
  let closeDuckDBAfterCommits = async () => {};
  // Set once the reads are under way: however sync ends, the reader thread stops.
  let closeReads = async () => {};
  try {
    let manifest = await manifestForSync(store, "s3-sink", log);
    // Its compaction merges only these: the segments it writes wait for the next one (compact.ts: mergeable).
    const segmentsBefore = new Set(Object.keys(manifest.segments));

    // 1. List and plan.
    const result: SyncResult = {listed: 0, fullListing: false, skipped: [], added: 0, replaced: 0, unchanged: 0, removed: 0, backfilled: 0, events: 0, rejected: 0, duplicates: 0, changed: false};
    const listingStarted = Date.now();
    const fullListing = options.fullListing === true || isFullListingDue(manifest, config.fullListingMinutes, listingStarted);
    const listPage = listPagesOf(client, options.client !== undefined, config.source.endpoint);
    const listing = fullListing
      ? listSinkObjects(listPage, {bucket, prefix: config.source.prefix})
      : listSinkObjectsAfter(listPage, {bucket, prefix: config.source.prefix}, listingStarts(knownObjects(manifest), config.source.prefix));
    const {planned: unordered, listed} = await planSinkObjects(listing, manifest, fullListing, result);
    const planned = inWrittenOrder(unordered);
    // Only a full listing sees every key: what it did not find has left the bucket.
    const gone = fullListing ? Object.keys(manifest.objects).filter((key) => !listed.has(key)) : [];
    const ledger = new OffsetLedger(Object.entries(manifest.objects));
    result.fullListing = fullListing;
    log(`${result.listed} objects listed (${fullListing ? "every key" : "the tail of each topic"}): ${planned.length} to take in, ${result.unchanged} unchanged, ${gone.length} gone from the bucket, ${result.skipped.length} other keys skipped`);
    // Recorded only once everything the full listing found is committed: a sync killed before
    // then lists everything again next time. Only a full listing sees every key not read, so only
    // it replaces what the Data quality page shows of them.
    // Summarized now: reading adds the objects deleted since the listing, which are not the bucket's.
    const skippedKeys = fullListing ? summarizeSkippedKeys(result.skipped) : null;
    const recordFullListing = async () => {
      if (skippedKeys === null) return;
      if (JSON.stringify(skippedKeys) !== JSON.stringify(manifest.skipped_keys ?? [])) result.changed = true;
      manifest = {...manifest, listed_fully_at: listingStarted, skipped_keys: skippedKeys};
      await writeManifest(store, manifest);
    };
    // Holes are looked for even when nothing is new: a sync killed between taking an object in
    // and backfilling what it freed leaves them, and the next sync fills them.
    if (planned.length === 0 && gone.length === 0 && ledger.backfills().length === 0) {
      await recordFullListing();
      return result;
    }

    // 2. Read, parse and write in batches; commit after each. A reader thread starts first, so
    // that it loads while the enrichment and the writer open here.
    const onReaderThread = options.readsOn === "reader thread" || (options.readsOn === undefined && options.client === undefined && planned.length >= READER_THREAD_OBJECTS);
    const reads = onReaderThread ? startReaderThread(config.source, config, client) : readsOnThisThread(client);
    closeReads = () => reads.close();
    if (onReaderThread) log("reading the objects on a thread of their own");
    const onWriterThread = options.writesOn === "writer thread" || (options.writesOn === undefined && options.enrichment === undefined && planned.length >= WRITER_THREAD_OBJECTS);
    const batchEvents = options.batchEvents ?? DEFAULT_BATCH_EVENTS;
    // Room for a batch's events from the start (an object of the S3 sink holds 1,000 records at
    // most by default): growing the columns step by step copied each of them about twice.
    const newBatch = () => new EventBatch({rows: Math.min(batchEvents, planned.length * 1000) + 1000});
    let batch = newBatch();
    let batchObjects: IngestedObject[] = [];
    // Objects whose rows leave the store with the next commit (gone from the bucket).
    let leaving: string[] = [];
    const leave = (key: string) => {
      const object = manifest.objects[key];
      if (!object) return;
      ledger.release(key, object.topic, object.kafka_partition);
      leaving.push(key);
      result.removed++;
    };
    for (const key of gone) leave(key);

    const commits = new CommitQueue();
    // What the commits write with opens while the first objects are read and parsed, which need
    // none of it: at 1M events the sync's first fifth of a second. On a writer thread, the
    // GeoLite2 databases are read once into memory both threads open. This thread's DuckDB
    // rewrites the segments of objects whose rows leave; with no writer thread, it writes the
    // batches too.
    const tempDirectory = join(store, "tmp");
    const duckdb = new CommitDuckDB(tempDirectory);
    const output = (async () => {
      const enrichment = options.enrichment ? await options.enrichment() : await openEnrichment(config, log, {shared: onWriterThread});
      const writer = onWriterThread ? writesOnWriterThread(store, tempDirectory, enrichment) : writesOnThisThread(store, await duckdb.connection(), enrichment);
      if (onWriterThread) log("writing the batches on a thread of their own");
      return {writer};
    })();
    // A failure to open is the first commit's to throw; until then parsing goes on.
    output.catch(() => {});
    closeDuckDBAfterCommits = async () => {
      const opened = await output.catch(() => null);
      await commits.closeAfter(duckdb).finally(() => opened?.writer.close());
    };
    const commit = async (nothingLeftToParse: boolean) => {
      const full = {batch, objects: batchObjects, leaving};
      batch = newBatch();
      batchObjects = [];
      leaving = [];
      await commits.add(async () => {
        const {writer} = await output;
        manifest = await commitBatch(store, manifest, () => duckdb.connection(), full.batch, committedObjects(manifest, full.objects, full.leaving), writer, {daysAtOnce: commitDaysAtOnce(nothingLeftToParse)});
        log(`committed ${full.objects.length} objects, ${full.batch.size} events, ${full.batch.rejected.length} rejected lines${full.leaving.length > 0 ? `; ${full.leaving.length} objects gone from the bucket removed` : ""}`);
        result.changed = true;
      });
    };

    // Progress is reported as each object arrives (the ones before it are done) and at the end.
    let objectsDone = 0;
    let objectsTotal = planned.length;
    const progress = () => options.onProgress?.({objectsDone, objectsTotal, events: result.events});
    const ingestAll = async (work: readonly ObjectWork[]) => {
      for await (const read of readObjects(reads, bucket, work, options.concurrency ?? 8)) {
        progress();
        objectsDone++;
        const w = work[read.index];
        const object = w.object;
        if ("gone" in read) {
          // Deleted between listing and reading (a lifecycle rule, a cleanup): gone from the bucket.
          log(`warning: ${object.key} was deleted before it could be read; skipped`);
          result.skipped.push({key: object.key, reason: "deleted between listing and reading"});
          leave(object.key);
          continue;
        }
        // Parsed on the reader thread with every record taken (the ledger here says which stay),
        // or decoded here into strings, the bytes' memory going back to be read into again.
        const content: ObjectContent = "received" in read ? {received: read.received, keyFileRead: read.received.parsed.keyFile} : {...decodedHere(reads, read.content, read.keys), keyFileRead: read.keys !== null};
        let counts: ObjectIngestCounts;
        if (w.mode === "take") {
          const isReplacement = manifest.objects[object.key] !== undefined;
          ledger.release(object.key, object.topic, object.partition);
          const isTaken = ledger.isStored(object.topic, object.partition, object.startOffset);
          const problem = "received" in content ? content.received.parsed.problem : content.damage.problem;
          if (problem) log(`warning: ${object.key}: ${problem}`);
          counts = "received" in content ? addParsedSinkObject(content.received, object, batch, isTaken) : ingestSinkObject(content.pieces, object, parsers, batch, isTaken, content.damage, content.keys);
          ledger.record(object.key, object.topic, object.partition, object.startOffset, counts.records, counts.stored);
          if (isReplacement) result.replaced++;
          else result.added++;
          result.duplicates += counts.duplicates;
        } else {
          if ("received" in content) throw new Error(`${object.key}: an object read again for some offsets is parsed on this thread, not the reader thread`);
          // The object's own problem row is in the store already: only its lines are read again.
          const wanted = inRuns(w.take);
          counts = ingestSinkObject(content.pieces, object, parsers, batch, (offset) => !wanted(offset), {...NO_DAMAGE, invalidUtf8Lines: content.damage.invalidUtf8Lines}, content.keys);
          ledger.grow(object.key, object.topic, object.partition, counts.stored);
          result.backfilled++;
        }
        batchObjects.push({work: w, counts, keyFile: content.keyFileRead && object.keyFile ? {key: object.keyFile.key, etag: object.keyFile.etag} : null});
        result.events += counts.events;
        result.rejected += counts.rejected;
        if (batch.size >= batchEvents) await commit(read.index === work.length - 1);
      }
      if (batchObjects.length > 0 || leaving.length > 0) await commit(true);
      await commits.done();
    };

    await ingestAll(planned.map((object) => ({mode: "take", object})));
    // Offsets freed by objects that left or shrank, still held by an unchanged object: read again
    // from it. A round can free more (an object deleted before it was read again), so until none are left.
    for (let round = 0; ; round++) {
      const backfills = ledger.backfills();
      if (backfills.length === 0) break;
      if (round === MAX_BACKFILL_ROUNDS) {
        log(`warning: ${backfills.length} objects still have offsets no object stores after ${round} rounds of reading them again; the next sync tries again`);
        break;
      }
      const work: ObjectWork[] = backfills.map(({key, take}) => ({mode: "backfill", take, object: plannedFromStored(key, manifest.objects[key])}));
      work.sort((a, b) => inOffsetOrder(a.object, b.object));
      objectsTotal += work.length;
      log(`reading ${work.length} objects again for ${backfills.reduce((n, b) => n + runLength(b.take), 0)} offsets that objects gone or rewritten no longer hold`);
      await ingestAll(work);
    }
    progress();
    await recordFullListing();
    const compacted = await compactStore(store, {alreadyLocked: true, manifest, onlyAbove: COMPACT_ABOVE_SEGMENTS, mergeable: (id) => segmentsBefore.has(id)});
    if (compacted.segmentsBefore !== compacted.segmentsAfter) log(`compacted ${compacted.segmentsBefore} segments into ${compacted.segmentsAfter}`);
    return result;
  } finally {
    await closeReads();
    await closeDuckDBAfterCommits();
    await lock.release();
  }
}

/**
 * The S3 sink's objects that are new or changed, from a listing: a value object is changed when
 * its ETag or its key file's is (a key file landing after its value object takes the object in
 * again, as a replacement). Also every value object's key, listed. Counts what it lists into
 * `result`; keys it does not read go to `result.skipped`.
 */
async function planSinkObjects(
  listing: AsyncIterable<ListedSinkObject>,
  manifest: Manifest,
  fullListing: boolean,
  result: SyncResult,
): Promise<{planned: PlannedObject[]; listed: Set<string>}> {
  const values: PlannedObject[] = [];
  const keyFiles = new Map<string, ListedKeyFile>();
  for await (const object of listing) {
    if ("skipped" in object.sink) {
      result.skipped.push({key: object.key, reason: object.sink.skipped});
    } else if ("keyFile" in object.sink) {
      keyFiles.set(object.sink.stem, {key: object.key, etag: object.etag, compression: object.sink.compression});
    } else {
      const {topic, partition, startOffset, compression} = object.sink;
      values.push({key: object.key, etag: object.etag, size: object.size, topic, partition, startOffset, compression, keyFile: null, lastModified: object.lastModified?.getTime() ?? null});
    }
  }
  const planned: PlannedObject[] = [];
  const listed = new Set<string>();
  for (const object of values) {
    result.listed++;
    listed.add(object.key);
    const stem = sinkObjectStem(object.key);
    object.keyFile = keyFiles.get(stem) ?? null;
    keyFiles.delete(stem);
    const stored = manifest.objects[object.key];
    if (stored && stored.etag === object.etag && sameKeyFile(stored, object.keyFile)) result.unchanged++;
    else planned.push(object);
  }
  // Key files whose value object was not listed: the tail listing may start right after the
  // value object (its key file sorts after it), or the value object is gone.
  if (keyFiles.size > 0) {
    const storedByStem = new Map(Object.keys(manifest.objects).map((key) => [sinkObjectStem(key), key]));
    for (const [stem, keyFile] of keyFiles) {
      const key = storedByStem.get(stem);
      if (key === undefined || fullListing) result.skipped.push({key: keyFile.key, reason: "Kafka key file without its value object"});
      else if (!sameKeyFile(manifest.objects[key], keyFile)) planned.push({...plannedFromStored(key, manifest.objects[key]), keyFile});
    }
  }
  return {planned, listed};
}

/** Rounds of backfill in one sync: each needs an object deleted during the one before. */
const MAX_BACKFILL_ROUNDS = 5;

/**
 * The objects in the order sync takes them in: each topic partition's in offset order, so that
 * of two objects holding the same records the earlier one keeps them, and the partitions
 * interleaved by when S3 received each object. The sink writes every partition as its records
 * come, so that order follows the lines' times across instances, and a batch then holds a span of
 * time rather than one instance's whole history: its events fall on fewer days, each a Parquet
 * file to write (a file's fixed cost is about 12 ms of DuckDB's time; docs/design-notes.md,
 * "Ingest, eighth round"). Objects received at the same moment (S3 keeps whole seconds), or not
 * listed with a time, keep offset order among themselves.
 */
export function inWrittenOrder<T extends SinkObjectName & {lastModified: number | null}>(objects: readonly T[]): T[] {
  // Each partition's k-th object in time takes the place of its k-th in offset order.
  const byTime = [...objects].sort((a, b) => (a.lastModified ?? 0) - (b.lastModified ?? 0) || inOffsetOrder(a, b));
  const byOffset = new Map<string, T[]>();
  for (const object of [...objects].sort(inOffsetOrder)) {
    const name = `${object.topic}\u0000${object.partition}`;
    const partition = byOffset.get(name);
    if (partition) partition.push(object);
    else byOffset.set(name, [object]);
  }
  const taken = new Map<string, number>();
  return byTime.map((object) => {
    const name = `${object.topic}\u0000${object.partition}`;
    const k = taken.get(name) ?? 0;
    taken.set(name, k + 1);
    return byOffset.get(name)![k];
  });
}

function inOffsetOrder(a: SinkObjectName, b: SinkObjectName): number {
  return a.topic.localeCompare(b.topic) || a.partition - b.partition || a.startOffset - b.startOffset || a.key.localeCompare(b.key);
}

/** A stored object, to be read again with the key file it was read with. */
function plannedFromStored(key: string, stored: StoredObject): PlannedObject {
  const keyFile = stored.key_file ? {...stored.key_file, compression: stored.key_file.key.endsWith(".gz") ? ("gzip" as const) : ("none" as const)} : null;
  return {key, etag: stored.etag, size: stored.size, topic: stored.topic, partition: stored.kafka_partition, startOffset: stored.start_offset, compression: key.endsWith(".gz") ? "gzip" : "none", keyFile, lastModified: null};
}

function sameKeyFile(stored: StoredObject, keyFile: ListedKeyFile | null): boolean {
  // Absent: stored before key files were read. Taken in again only if it has one.
  return (stored.key_file?.etag ?? null) === (keyFile?.etag ?? null);
}

/** What an object read holds: parsed on the reader thread already, or its text decoded here. */
type ObjectContent = ({received: ReceivedSinkObject} | ReturnType<typeof decodedHere>) & {keyFileRead: boolean};

/** An object's text and key file decoded on this thread; their bytes go back to `reads` to be read into again. */
function decodedHere(reads: ObjectReads, content: SinkObjectBody, keyBytes: SinkObjectBody | null) {
  const {pieces, invalidUtf8Lines} = decodeObjectText(content.bytes);
  const keys = keyBytes === null ? null : decodeKeyFile(keyBytes.bytes);
  reads.done(content);
  if (keyBytes !== null) reads.done(keyBytes);
  return {pieces, keys, damage: {problem: content.problem, invalidUtf8Lines} satisfies ObjectDamage};
}

/**
 * Of the objects a reader thread reads, one in this many is parsed there too (the rest here): the
 * two threads' shares of parsing, this thread also adding the other's objects to its batch and
 * handing batches to the writer, the reader thread also reading every object and key file (about
 * 285 µs of CPU a GET). One in three rather than two: 1M real 4.12 → 4.00 s with key files, 3.62
 * → 3.56 s without (docs/design-notes.md, "Ingest, eleventh round").
 */
const PARSED_ON_READER_THREAD_ONE_IN = 3;

/**
 * Fetches objects (and their key files) a few at a time, in plan order, while the caller parses
 * the previous ones; some taken in whole come parsed from the reader thread (`received`). `gone`:
 * the object was deleted since it was listed; `keys` is null when it has no key file, or its key
 * file was deleted since.
 */
function readObjects(reads: ObjectReads | ReaderThread, bucket: string, work: readonly ObjectWork[], concurrency: number) {
  type Read = {index: number; gone: true} | {index: number; content: SinkObjectBody; keys: SinkObjectBody | null} | {index: number; received: ReceivedSinkObject};
  return inOrderAhead(work.length, concurrency, async (index): Promise<Read> => {
    const {object, mode} = work[index];
    const {key, compression, etag, keyFile} = object;
    if ("readParsed" in reads && mode === "take" && index % PARSED_ON_READER_THREAD_ONE_IN === PARSED_ON_READER_THREAD_ONE_IN - 1) {
      const received = await reads.readParsed(bucket, object, keyFile);
      return received === null ? {index, gone: true} : {index, received};
    }
    // Both under way at once; either one's failure is the object's.
    const content = reads.read(bucket, key, compression, etag);
    const keys = keyFile ? reads.read(bucket, keyFile.key, keyFile.compression, keyFile.etag) : Promise.resolve(null);
    keys.catch(() => {});
    const body = await content;
    return body === null ? {index, gone: true} : {index, content: body, keys: await keys};
  });
}

/**
 * What a commit does to the manifest's objects: rewritten objects and objects gone from the
 * bucket lose their old rows; an object read again for some offsets (a backfill) keeps what it
 * stored and gains the new offsets and segments.
 */
function committedObjects(manifest: Manifest, batchObjects: readonly IngestedObject[], leaving: readonly string[]): CommittedObjects {
  const rewritten = batchObjects.filter(({work}) => work.mode === "take").map(({work}) => work.object.key);
  return {
    rowsLeaving: [...rewritten, ...leaving].filter((key) => manifest.objects[key] !== undefined),
    objectsLeaving: leaving,
    objects: batchObjects.map(({work, counts, keyFile}) => ({
      key: work.object.key,
      record(segments: string[], before: StoredObject | undefined): StoredObject {
        const {object} = work;
        if (work.mode === "backfill" && before) {
          const stored = mergeRuns(before.stored, counts.stored);
          return {
            ...before,
            events: before.events + counts.events,
            rejected: before.rejected + counts.rejected,
            duplicates: before.records - runLength(stored),
            stored,
            segments: [...new Set([...before.segments, ...segments])],
          };
        }
        return {
          etag: object.etag,
          size: object.size,
          topic: object.topic,
          kafka_partition: object.partition,
          start_offset: object.startOffset,
          records: counts.records,
          events: counts.events,
          rejected: counts.rejected,
          duplicates: counts.duplicates,
          stored: counts.stored,
          segments,
          key_file: keyFile,
          key_mismatch: counts.keyMismatch,
        };
      },
    })),
  };
}

function* knownObjects(manifest: Manifest): Generator<KnownObject> {
  for (const [key, object] of Object.entries(manifest.objects)) yield {key, topic: object.topic, partition: object.kafka_partition};
}
