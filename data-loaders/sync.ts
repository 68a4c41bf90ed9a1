// `weblog sync`: brings the local Parquet store up to date with the bucket, taking in only
// objects that are new or changed (by ETag). The pipeline, top to bottom:
//   list the S3 sink objects → plan what is new → read each object → records → parsed lines
//   → batch → enrich once per distinct client and agent → Parquet segment → commit the manifest.
// A commit is one atomic manifest rename, so a sync killed at any moment leaves the store as it
// was before or after a batch, never between.
import {mkdir, rm} from "node:fs/promises";
import {join} from "node:path";
import type {S3Client} from "@aws-sdk/client-s3";
import {requireBucket, type WeblogConfig} from "./config.js";
import {openEnrichment, type Enrichment} from "./enrich/enrichers.js";
import {ingestSinkObject, type SinkObjectName} from "./ingest-object.js";
import {lineParserFor} from "./parse/formats.js";
import type {LineParser} from "./parse/log-format.js";
import {createS3Client} from "./sources/s3-client.js";
import {decodeObjectText} from "./sources/object-text.js";
import {listingStarts, listSinkObjectsAfter, type KnownObject} from "./sources/incremental-listing.js";
import {isVanishedObject, listSinkObjects, readSinkObject, type SinkObjectBody} from "./sources/s3-sink.js";
import {partitionName, type Compression} from "./sources/sink-object-key.js";
import {renameDurably} from "./store/durable-file.js";
import {lockStore} from "./store/lock.js";
import {emptyManifest, OutdatedStoreError, readManifest, repointSegments, summarizeSkippedKeys, writeManifest, type Manifest, type Segment} from "./store/manifest.js";
import {newSegmentFile, removeUnreferencedFiles, rewriteSegmentWithout} from "./store/segments.js";
import {TakenOffsets} from "./store/taken-offsets.js";
import {COMPACT_ABOVE_SEGMENTS, compactStore} from "./store/compact.js";
import {closeDuckDB, openDuckDB} from "./write/duckdb.js";
import {EventBatch} from "./write/event-batch.js";
import {writeEventsByDay, writeRejectedParquet} from "./write/parquet.js";
import type {DuckDBConnection} from "@duckdb/node-api";

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
}

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
  events: number;
  rejected: number;
  duplicates: number;
  /** True when the store changed, so the site's data must be rebuilt. */
  changed: boolean;
}

interface PlannedObject extends SinkObjectName {
  etag: string;
  size: number;
  compression: Compression;
}

export const DEFAULT_BATCH_EVENTS = 500_000;

export async function syncStore(config: WeblogConfig, options: SyncOptions = {}): Promise<SyncResult> {
  const bucket = requireBucket(config);
  const log = options.log ?? (() => {});
  const client = options.client ?? createS3Client(config.source);
  const store = config.store;
  await mkdir(store, {recursive: true});
  const lock = await lockStore(store);
  // Set once DuckDB is open: however sync ends, DuckDB is closed after the commit still writing with it.
  let closeDuckDBAfterCommits = async () => {};
  try {
    let manifest = await readManifestOrStartOver(store, log);
    await removeUnreferencedFiles(store, manifest);

    // 1. List and plan.
    const result: SyncResult = {listed: 0, fullListing: false, skipped: [], added: 0, replaced: 0, unchanged: 0, events: 0, rejected: 0, duplicates: 0, changed: false};
    const planned: PlannedObject[] = [];
    const listingStarted = Date.now();
    const fullListing = options.fullListing === true || isFullListingDue(manifest, config.fullListingMinutes, listingStarted);
    const listing = fullListing
      ? listSinkObjects(client, {bucket, prefix: config.source.prefix})
      : listSinkObjectsAfter(client, {bucket, prefix: config.source.prefix}, listingStarts(knownObjects(manifest), config.source.prefix));
    for await (const listed of listing) {
      if ("skipped" in listed.sink) {
        result.skipped.push({key: listed.key, reason: listed.sink.skipped});
        continue;
      }
      result.listed++;
      const stored = manifest.objects[listed.key];
      if (stored && stored.etag === listed.etag) {
        result.unchanged++;
        continue;
      }
      const {topic, partition, startOffset, compression} = listed.sink;
      planned.push({key: listed.key, etag: listed.etag, size: listed.size, topic, partition, startOffset, compression});
    }
    // Offsets in order, so that of two objects holding the same records the earlier one keeps them.
    planned.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.startOffset - b.startOffset || a.key.localeCompare(b.key));
    result.fullListing = fullListing;
    log(`${result.listed} objects listed (${fullListing ? "every key" : "the tail of each topic"}): ${planned.length} to take in, ${result.unchanged} unchanged, ${result.skipped.length} other keys skipped`);
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
    if (planned.length === 0) {
      await recordFullListing();
      return result;
    }

    // 2. Read, parse and write in batches; commit after each.
    const parser = lineParserFor(config.logFormat);
    const enrichment = options.enrichment ? await options.enrichment() : await openEnrichment(config, log);
    // Only the partitions this sync writes to can hold offsets twice.
    const plannedPartitions = new Set(planned.map((o) => partitionName(o.topic, o.partition)));
    const taken = new TakenOffsets(Object.entries(manifest.objects).filter(([, o]) => plannedPartitions.has(partitionName(o.topic, o.kafka_partition))));
    const batchEvents = options.batchEvents ?? DEFAULT_BATCH_EVENTS;
    let batch = new EventBatch();
    let batchObjects: {object: PlannedObject; counts: ReturnType<typeof ingestSinkObject>}[] = [];

    // Both cores at work: while DuckDB writes one batch (on its own threads), this thread reads
    // and parses the next. Commits still happen one at a time, in order.
    let committing: Promise<void> = Promise.resolve();
    const duckdb = await openDuckDB({tempDirectory: join(store, "tmp")});
    closeDuckDBAfterCommits = async () => {
      await committing.catch(() => {});
      closeDuckDB(duckdb);
    };
    const commit = async () => {
      const full = {batch, objects: batchObjects};
      batch = new EventBatch();
      batchObjects = [];
      await committing;
      committing = (async () => {
        manifest = await commitBatch(store, manifest, duckdb, full.batch, full.objects, enrichment);
        log(`committed ${full.objects.length} objects, ${full.batch.size} events, ${full.batch.rejected.length} rejected lines`);
        result.changed = true;
      })();
      // A failed commit is thrown where it is next awaited; until then it must not count as unhandled.
      committing.catch(() => {});
    };

    // Progress is reported as each object arrives (the ones before it are done) and at the end.
    let objectsDone = 0;
    const progress = () => options.onProgress?.({objectsDone, objectsTotal: planned.length, events: result.events});
    for await (const read of readObjects(client, bucket, planned, options.concurrency ?? 8)) {
      progress();
      objectsDone++;
      const object = read.object;
      if (read.content === null) {
        // Deleted between listing and reading (a lifecycle rule, a cleanup): nothing to take in.
        log(`warning: ${object.key} was deleted before it could be read; skipped`);
        result.skipped.push({key: object.key, reason: "deleted between listing and reading"});
        continue;
      }
      const isReplacement = manifest.objects[object.key] !== undefined;
      taken.remove(object.key, object.topic, object.partition);
      const {text, invalidUtf8Lines} = decodeObjectText(read.content.bytes);
      const damage = {problem: read.content.problem, invalidUtf8Lines};
      if (damage.problem) log(`warning: ${object.key}: ${damage.problem}`);
      const counts = ingestSinkObject(text, object, parser, batch, taken.takenBy(object.key, object.topic, object.partition, object.startOffset), damage);
      taken.add(object.key, object.topic, object.partition, object.startOffset, counts.records);
      batchObjects.push({object, counts});
      if (isReplacement) result.replaced++;
      else result.added++;
      result.events += counts.events;
      result.rejected += counts.rejected;
      result.duplicates += counts.duplicates;
      if (batch.size >= batchEvents) await commit();
    }
    progress();
    if (batchObjects.length > 0) await commit();
    await committing;
    await recordFullListing();
    const compacted = await compactStore(store, {alreadyLocked: true, manifest, onlyAbove: COMPACT_ABOVE_SEGMENTS});
    if (compacted.segmentsBefore !== compacted.segmentsAfter) log(`compacted ${compacted.segmentsBefore} segments into ${compacted.segmentsAfter}`);
    return result;
  } finally {
    await closeDuckDBAfterCommits();
    await lock.release();
  }
}

/**
 * Fetches objects a few at a time, in plan order, while the caller parses the previous ones.
 * `content` is null for an object deleted since it was listed.
 */
async function* readObjects(client: S3Client, bucket: string, objects: readonly PlannedObject[], concurrency: number) {
  const pending: Promise<SinkObjectBody | null>[] = [];
  const start = (i: number) => {
    const read = readSinkObject(client, bucket, objects[i].key, objects[i].compression).catch((error) => {
      if (isVanishedObject(error)) return null;
      throw error;
    });
    // A read fetched ahead may fail after an earlier one already stopped the sync: that second
    // failure is expected, not an unhandled rejection. The first failure is still thrown below.
    read.catch(() => {});
    return read;
  };
  for (let i = 0; i < Math.min(concurrency, objects.length); i++) pending.push(start(i));
  for (let i = 0; i < objects.length; i++) {
    const content = await pending[i];
    if (i + concurrency < objects.length) pending.push(start(i + concurrency));
    yield {object: objects[i], content};
  }
}

/**
 * Writes the batch as new segments (one per day, and one of rejected lines), strips replaced
 * objects' old rows from the segments that held them, and swaps the manifest. Files are written
 * under temporary names and renamed into place before the manifest names them; the files the
 * old manifest named are removed after.
 */
async function commitBatch(
  store: string,
  manifest: Manifest,
  duckdb: DuckDBConnection,
  batch: EventBatch,
  batchObjects: readonly {object: PlannedObject; counts: ReturnType<typeof ingestSinkObject>}[],
  enrichment: Enrichment,
): Promise<Manifest> {
  const next: Manifest = {...manifest, objects: {...manifest.objects}, segments: {...manifest.segments}};
  const newSegmentsOf = new Map<string, string[]>();
  for (const {id, segment, keys} of await writeBatchSegments(store, duckdb, batch, enrichment)) {
    next.segments[id] = segment;
    for (const key of keys) {
      const ids = newSegmentsOf.get(key);
      if (ids) ids.push(id);
      else newSegmentsOf.set(key, [id]);
    }
  }

  // Replaced objects: their old rows leave the segments that held them.
  const replaced = batchObjects.map(({object}) => object.key).filter((key) => manifest.objects[key] !== undefined);
  const replacements = new Map<string, string | null>();
  for (const oldId of new Set(replaced.flatMap((key) => manifest.objects[key].segments))) {
    delete next.segments[oldId];
    const rewritten = await rewriteSegmentWithout(store, duckdb, manifest.segments[oldId], replaced);
    if (rewritten) next.segments[rewritten.id] = rewritten.segment;
    replacements.set(oldId, rewritten?.id ?? null);
  }
  repointSegments(next.objects, replacements);

  for (const {object, counts} of batchObjects) {
    next.objects[object.key] = {
      etag: object.etag,
      size: object.size,
      topic: object.topic,
      kafka_partition: object.partition,
      start_offset: object.startOffset,
      records: counts.records,
      events: counts.events,
      rejected: counts.rejected,
      duplicates: counts.duplicates,
      segments: newSegmentsOf.get(object.key) ?? [],
    };
  }
  await writeManifest(store, next);
  await removeUnreferencedFiles(store, next);
  return next;
}

/** The batch's new segments, each with the objects that have rows in it. */
async function writeBatchSegments(store: string, duckdb: DuckDBConnection, batch: EventBatch, enrichment: Enrichment) {
  const written: {id: string; segment: Segment; keys: string[]}[] = [];
  const segmentFiles = new Map<string, {id: string; file: string}>();
  const days = await writeEventsByDay(duckdb, batch, {geo: enrichment.geo, userAgent: enrichment.userAgent}, async (day) => {
    const {id, file, temporary} = await newSegmentFile(store, "events", day);
    segmentFiles.set(temporary, {id, file});
    return temporary;
  });
  for (const day of days) {
    const {id, file} = segmentFiles.get(day.file)!;
    await renameDurably(day.file, join(store, file));
    written.push({id, segment: {kind: "events", day: day.day, file, rows: day.rows, min_ts: day.minTs, max_ts: day.maxTs}, keys: day.keys});
  }
  if (batch.rejected.length > 0) {
    const {id, file, temporary} = await newSegmentFile(store, "rejected", null);
    await writeRejectedParquet(duckdb, batch.rejected, temporary);
    await renameDurably(temporary, join(store, file));
    const keys = [...new Set(batch.rejected.map((r) => r.s3_key).filter((key) => key !== null))];
    written.push({id, segment: {kind: "rejected", day: null, file, rows: batch.rejected.length, min_ts: null, max_ts: null}, keys});
  }
  return written;
}

/**
 * The store's manifest; a store written by an earlier version is emptied and taken in again from
 * the bucket (it is a copy of the bucket, so nothing is lost), with a line saying so.
 */
async function readManifestOrStartOver(store: string, log: (message: string) => void): Promise<Manifest> {
  try {
    return await readManifest(store);
  } catch (error) {
    if (!(error instanceof OutdatedStoreError)) throw error;
    log(`${store} was written by an earlier Weblog Workbook (not partitioned by day): taking the bucket in again`);
    await rm(join(store, "segments"), {recursive: true, force: true});
    await writeManifest(store, emptyManifest());
    return emptyManifest();
  }
}

/**
 * True when the bucket must be listed whole: the store has never been, or not for
 * `fullListingMinutes` (the incremental listing cannot see a rewrite of an older object).
 */
function isFullListingDue(manifest: Manifest, fullListingMinutes: number, now: number): boolean {
  return manifest.listed_fully_at === undefined || now - manifest.listed_fully_at >= fullListingMinutes * 60_000;
}

function* knownObjects(manifest: Manifest): Generator<KnownObject> {
  for (const [key, object] of Object.entries(manifest.objects)) yield {key, topic: object.topic, partition: object.kafka_partition};
}
