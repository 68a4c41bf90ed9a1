// `weblog sync` for the source formats without Kafka, whose objects hold CloudWatch log events
// directly and are never rewritten: Firehose deliveries of a subscription filter, and export
// tasks. The same pipeline and guarantees as the S3 sink's (sync.ts), through the same commit:
//   list the format's objects → plan the new ones (by key and ETag) → read each → log events
//   → parsed lines → batch → enrich → Parquet segments → commit the manifest.
// Counted once: on the firehose format an event's CloudWatch id identifies it, so the same
// documents delivered again in another object (Firehose retries) are counted as duplicates, in
// the batch (EventBatch.hasEventId) and against the store at commit (store/commit.ts). Export
// objects carry no id: each object is taken in once, and two exports of the same range are two
// sets of events (docs/configuration.md).
import {mkdir} from "node:fs/promises";
import {gunzipSync} from "node:zlib";
import {join} from "node:path";
import {requireBucket, type SourceFormat, type WeblogConfig} from "./config.js";
import {openEnrichment} from "./enrich/enrichers.js";
import {ingestLogEvents, type LogEventCounts} from "./ingest-log-events.js";
import {configuredInstanceParsers} from "./parse/instance-formats.js";
import {exportTaskLogEvents} from "./records/export-task.js";
import {firehoseLogEvents} from "./records/firehose.js";
import type {LogEventItem} from "./records/log-event.js";
import {listExportObjects, parseExportTaskKey} from "./sources/export-task.js";
import {listFirehoseObjects, tailListingStart} from "./sources/firehose.js";
import type {ListedKey} from "./sources/list-keys.js";
import {decodeObjectText, objectTextWhole} from "./sources/object-text.js";
import {readAhead} from "./sources/read-ahead.js";
import {createS3Client} from "./sources/s3-client.js";
import {listPagesOf, type ListPages} from "./sources/list-pages.js";
import {commitBatch, manifestForSync, type CommittedObject, type CommittedObjects} from "./store/commit.js";
import {CommitDuckDB, CommitQueue, commitDaysAtOnce} from "./store/commit-queue.js";
import {writesOnThisThread} from "./store/segment-writer.js";
import {COMPACT_ABOVE_SEGMENTS, compactStore} from "./store/compact.js";
import {lockStore} from "./store/lock.js";
import {isFullListingDue, segmentsOfKind, summarizeSkippedKeys, writeManifest, type Manifest} from "./store/manifest.js";
import type {SyncOptions, SyncResult} from "./sync.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {sqlFileList} from "./write/duckdb.js";
import {EventBatch} from "./write/event-batch.js";

export type LogEventFormat = Exclude<SourceFormat, "s3-sink">;

/** What differs between the formats: how the bucket is listed and how an object's text becomes log events. */
interface FormatReader {
  /** The objects to consider, each with why it is skipped, if it is; `knownKeys` are the store's. */
  list(listPage: ListPages, where: {bucket: string; prefix: string}, knownKeys: () => Iterable<string>, full: boolean): AsyncIterable<ListedKey & {skipped: string | null}>;
  logEvents(text: string, invalidUtf8Lines: ReadonlySet<number>, key: string, config: WeblogConfig): Iterable<LogEventItem>;
  /** Whether events carry an id that identifies them across objects. */
  eventIds: boolean;
  /** How a partial listing is described in the progress line. */
  tailListing: string;
}

const READERS: Record<LogEventFormat, FormatReader> = {
  firehose: {
    list: (listPage, where, knownKeys, full) => listFirehoseObjects(listPage, where, full ? null : tailListingStart(knownKeys(), where.prefix)),
    logEvents: (text, invalidUtf8Lines) => firehoseLogEvents(text, invalidUtf8Lines.size > 0),
    eventIds: true,
    tailListing: "the last hours' folders",
  },
  "export-task": {
    // Task folders are ids, not times: there is no tail to list from.
    list: (listPage, where) => listExportObjects(listPage, where),
    logEvents(text, invalidUtf8Lines, key, config) {
      const parsed = parseExportTaskKey(key, config.source.prefix);
      const logStream = "skipped" in parsed ? null : parsed.logStream;
      return exportTaskLogEvents(text, {logGroup: config.source.logGroup, logStream}, invalidUtf8Lines);
    },
    eventIds: false,
    tailListing: "every key",
  },
};

const NO_KAFKA = {topic: "", partition: 0, startOffset: 0};

/** `options.batchEvents`: events per Parquet segment (sync.ts gives its default). */
export async function syncLogEventObjects(config: WeblogConfig, format: LogEventFormat, options: SyncOptions & {batchEvents: number}): Promise<SyncResult> {
  const reader = READERS[format];
  // Before any listing: a format that cannot be read (or local time with no zone) is the user's to fix.
  const parsers = configuredInstanceParsers(config);
  const bucket = requireBucket(config);
  const prefix = config.source.prefix;
  const log = options.log ?? (() => {});
  const client = options.client ?? createS3Client(config.source);
  const store = config.store;
  await mkdir(store, {recursive: true});
  const lock = await lockStore(store);
  // Set once DuckDB is open: however sync ends, DuckDB is closed after the commit still writing with it.
  let closeDuckDBAfterCommits = async () => {};
  try {
    let manifest = await manifestForSync(store, format, log);
    // Its compaction merges only these: the segments it writes wait for the next one (compact.ts: mergeable).
    const segmentsBefore = new Set(Object.keys(manifest.segments));

    // 1. List and plan.
    const result: SyncResult = {listed: 0, fullListing: false, skipped: [], added: 0, replaced: 0, unchanged: 0, removed: 0, backfilled: 0, events: 0, rejected: 0, duplicates: 0, controlMessages: 0, changed: false};
    const planned: CommittedObject[] = [];
    const listingStarted = Date.now();
    const fullListing = options.fullListing === true || isFullListingDue(manifest, config.fullListingMinutes, listingStarted);
    const listPage = listPagesOf(client, options.client !== undefined, config.source.endpoint);
    for await (const listed of reader.list(listPage, {bucket, prefix}, () => Object.keys(manifest.objects), fullListing)) {
      if (listed.skipped !== null) {
        result.skipped.push({key: listed.key, reason: listed.skipped});
        continue;
      }
      result.listed++;
      const stored = manifest.objects[listed.key];
      if (stored && stored.etag === listed.etag) {
        result.unchanged++;
        continue;
      }
      planned.push({key: listed.key, etag: listed.etag, size: listed.size, ...NO_KAFKA});
    }
    // Key order is time order for Firehose: of two deliveries of the same events, the earlier keeps them.
    planned.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    result.fullListing = fullListing;
    log(`${result.listed} ${format} objects listed (${fullListing ? "every key" : reader.tailListing}): ${planned.length} to take in, ${result.unchanged} unchanged, ${result.skipped.length} other keys skipped`);
    // As in sync.ts: recorded once everything the full listing found is committed.
    const skippedKeys = fullListing ? summarizeSkippedKeys(result.skipped) : null;
    const recordFullListing = async () => {
      if (skippedKeys === null) return;
      if (JSON.stringify(skippedKeys) !== JSON.stringify(manifest.skipped_keys ?? [])) result.changed = true;
      manifest = {...manifest, source_format: format, listed_fully_at: listingStarted, skipped_keys: skippedKeys};
      await writeManifest(store, manifest);
    };
    if (planned.length === 0) {
      await recordFullListing();
      return result;
    }

    // 2. Read, parse and write in batches; commit after each.
    manifest = {...manifest, source_format: format};
    const enrichment = options.enrichment ? await options.enrichment() : await openEnrichment(config, log);
    // DuckDB writes one batch while this thread reads and parses the next.
    const commits = new CommitQueue();
    const commitDuckDB = new CommitDuckDB(join(store, "tmp"));
    closeDuckDBAfterCommits = () => commits.closeAfter(commitDuckDB);
    const duckdb = await commitDuckDB.connection();
    // Here, not on a writer thread: each commit looks up the event ids the store holds (storedEventIdsOnce).
    const writer = writesOnThisThread(store, duckdb, enrichment);
    const rejectedIds = reader.eventIds ? await storedRejectedEventIds(duckdb, store, manifest) : new Set<string>();
    const taken: LogEventCounts[] = [];
    let batch = new EventBatch();
    let batchObjects: {object: CommittedObject; counts: LogEventCounts}[] = [];

    const commit = async (nothingLeftToParse: boolean) => {
      const full = {batch, objects: batchObjects};
      batch = new EventBatch();
      batchObjects = [];
      await commits.add(async () => {
        const countsOf = new Map(full.objects.map(({object, counts}) => [object.key, counts]));
        const storedEventIdsOnce = reader.eventIds
          ? {
              onDropped(key: string, events: number) {
                // Events whose id the store already held move from events to duplicates.
                const counts = countsOf.get(key)!;
                counts.events -= events;
                counts.duplicates += events;
              },
            }
          : undefined;
        manifest = await commitBatch(store, manifest, () => commitDuckDB.connection(), full.batch, committedLogEventObjects(manifest, full.objects), writer, {storedEventIdsOnce, daysAtOnce: commitDaysAtOnce(nothingLeftToParse)});
        log(`committed ${full.objects.length} objects, ${full.batch.size} events, ${full.batch.rejected.length} rejected lines`);
        result.changed = true;
      });
    };

    for await (const read of readAhead(client, bucket, planned, options.concurrency ?? 8)) {
      const object = read.object;
      if (read.content === null) {
        log(`warning: ${object.key} was deleted before it could be read; skipped`);
        result.skipped.push({key: object.key, reason: "deleted between listing and reading"});
        continue;
      }
      const decoded = decodeObjectText(gunzippedAgain(read.content.bytes));
      const {invalidUtf8Lines} = decoded;
      // These formats' readers take the object as one document.
      const text = objectTextWhole(decoded);
      if (read.content.problem) log(`warning: ${object.key}: ${read.content.problem}`);
      const items = reader.logEvents(text, invalidUtf8Lines, object.key, config);
      const counts = ingestLogEvents(items, object.key, parsers, batch, rejectedIds, {problem: read.content.problem, invalidUtf8Lines});
      batchObjects.push({object, counts});
      taken.push(counts);
      if (manifest.objects[object.key] !== undefined) result.replaced++;
      else result.added++;
      if (batch.size >= options.batchEvents) await commit(object === planned[planned.length - 1]);
    }
    if (batchObjects.length > 0) await commit(true);
    await commits.done();
    // Summed after the commits: an event whose id the store already held moved from events to duplicates there.
    let controlMessages = 0;
    for (const counts of taken) {
      result.events += counts.events;
      result.rejected += counts.rejected;
      result.duplicates += counts.duplicates;
      controlMessages += counts.controlMessages;
    }
    result.controlMessages = controlMessages;
    if (controlMessages > 0) log(`${controlMessages} CONTROL_MESSAGE documents (CloudWatch's health checks) skipped`);
    await recordFullListing();
    const compacted = await compactStore(store, {alreadyLocked: true, manifest, onlyAbove: COMPACT_ABOVE_SEGMENTS, mergeable: (id) => segmentsBefore.has(id)});
    if (compacted.segmentsBefore !== compacted.segmentsAfter) log(`compacted ${compacted.segmentsBefore} segments into ${compacted.segmentsAfter}`);
    return result;
  } finally {
    await closeDuckDBAfterCommits();
    await lock.release();
  }
}

/** The event ids of the lines the store already rejected: few, so kept in memory for the sync. */
async function storedRejectedEventIds(duckdb: DuckDBConnection, store: string, manifest: Manifest): Promise<Set<string>> {
  const files = segmentsOfKind(manifest, "rejected").map((segment) => join(store, segment.file));
  if (files.length === 0) return new Set();
  const rows = await duckdb.runAndReadAll(`SELECT DISTINCT event_id FROM read_parquet(${sqlFileList(files)}) WHERE event_id IS NOT NULL`);
  return new Set(rows.getRowsJS().map(([id]) => String(id)));
}

/**
 * CloudWatch Logs gzips what it sends to Firehose; a Firehose stream with its own compression on
 * gzips it again. Such bytes are unwrapped once more (read.content is already gunzipped once).
 */
function gunzippedAgain(bytes: Buffer): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch {
    // Not whole gzip after all: read as it is, and what cannot be read is rejected.
    return bytes;
  }
}

/**
 * A commit of objects that are taken in whole: a rewritten one loses its old rows. Their events
 * have no Kafka offsets, so `stored` is empty (the offset ledger is the S3 sink's).
 */
function committedLogEventObjects(manifest: Manifest, batchObjects: readonly {object: CommittedObject; counts: LogEventCounts}[]): CommittedObjects {
  return {
    rowsLeaving: batchObjects.map(({object}) => object.key).filter((key) => manifest.objects[key] !== undefined),
    objectsLeaving: [],
    objects: batchObjects.map(({object, counts}) => ({
      key: object.key,
      // Read when the commit records the objects: after the stored event ids were left out.
      record: (segments: string[]) => ({
        etag: object.etag,
        size: object.size,
        topic: object.topic,
        kafka_partition: object.partition,
        start_offset: object.startOffset,
        records: counts.records,
        events: counts.events,
        rejected: counts.rejected,
        duplicates: counts.duplicates,
        ...(counts.controlMessages > 0 ? {control_messages: counts.controlMessages} : {}),
        stored: [],
        segments,
      }),
    })),
  };
}
