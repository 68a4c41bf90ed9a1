// `weblog sync`: brings the local Parquet store up to date with the bucket, taking in only
// objects that are new or changed (by ETag). The pipeline, top to bottom:
//   list the S3 sink objects → plan what is new → read each object → records → parsed lines
//   → batch → enrich once per distinct client and agent → Parquet segment → commit the manifest.
// A commit is one atomic manifest rename, so a sync killed at any moment leaves the store as it
// was before or after a batch, never between.
import {mkdir, readdir, rm} from "node:fs/promises";
import {join} from "node:path";
import type {S3Client} from "@aws-sdk/client-s3";
import {requireBucket, type WeblogConfig} from "./config.js";
import {openEnrichment, type Enrichment} from "./enrich/enrichers.js";
import {ingestSinkObject, type SinkObjectName} from "./ingest-object.js";
import {lineParserFor} from "./parse/formats.js";
import type {LineParser} from "./parse/log-format.js";
import {createS3Client} from "./sources/s3-client.js";
import {decodeObjectText} from "./sources/object-text.js";
import {isVanishedObject, listSinkObjects, readSinkObject, type SinkObjectBody} from "./sources/s3-sink.js";
import type {Compression} from "./sources/sink-object-key.js";
import {isTemporaryPath, renameDurably, temporaryPathFor} from "./store/durable-file.js";
import {lockStore} from "./store/lock.js";
import {liveFiles, readManifest, writeManifest, type Manifest, type Segment, type StoredObject} from "./store/manifest.js";
import {TakenOffsets} from "./store/taken-offsets.js";
import {COMPACT_ABOVE_SEGMENTS, compactStore} from "./store/compact.js";
import {openDuckDB, sqlFileList, sqlString} from "./write/duckdb.js";
import {EventBatch} from "./write/event-batch.js";
import {writeEventsParquet, writeRejectedParquet} from "./write/parquet.js";
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
}

export interface SyncResult {
  /** Objects under the prefix that are S3 sink value files. */
  listed: number;
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
  await mkdir(join(store, "segments"), {recursive: true});
  const lock = await lockStore(store);
  try {
    let manifest = await readManifest(store);
    await removeUnreferencedFiles(store, manifest);

    // 1. List and plan.
    const result: SyncResult = {listed: 0, skipped: [], added: 0, replaced: 0, unchanged: 0, events: 0, rejected: 0, duplicates: 0, changed: false};
    const planned: PlannedObject[] = [];
    for await (const listed of listSinkObjects(client, {bucket, prefix: config.source.prefix})) {
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
    log(`${result.listed} objects listed: ${planned.length} to take in, ${result.unchanged} unchanged, ${result.skipped.length} other keys skipped`);
    if (planned.length === 0) return result;

    // 2. Read, parse and write in batches; commit after each.
    const parser = lineParserFor(config.logFormat);
    const enrichment = await openEnrichment(config, log);
    const duckdb = await openDuckDB({tempDirectory: join(store, "tmp")});
    const taken = new TakenOffsets(manifest.objects);
    const batchEvents = options.batchEvents ?? DEFAULT_BATCH_EVENTS;
    let batch = new EventBatch();
    let batchObjects: {object: PlannedObject; counts: ReturnType<typeof ingestSinkObject>}[] = [];

    const commit = async () => {
      manifest = await commitBatch(store, manifest, duckdb, batch, batchObjects, enrichment);
      log(`committed ${batchObjects.length} objects, ${batch.size} events, ${batch.rejected.length} rejected lines`);
      result.changed = true;
      batch = new EventBatch();
      batchObjects = [];
    };

    for await (const read of readObjects(client, bucket, planned, options.concurrency ?? 8)) {
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
    if (batchObjects.length > 0) await commit();
    if (Object.keys(manifest.segments).length > COMPACT_ABOVE_SEGMENTS) {
      const compacted = await compactStore(store, {alreadyLocked: true});
      log(`compacted ${compacted.segmentsBefore} segments into ${compacted.segmentsAfter}`);
    }
    return result;
  } finally {
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
 * Writes the batch as a new segment, strips replaced objects' old rows from the segments that
 * held them, and swaps the manifest. Files are written under temporary names and renamed into
 * place before the manifest names them; the files the old manifest named are removed after.
 */
async function commitBatch(
  store: string,
  manifest: Manifest,
  duckdb: DuckDBConnection,
  batch: EventBatch,
  batchObjects: readonly {object: PlannedObject; counts: ReturnType<typeof ingestSinkObject>}[],
  enrichment: Enrichment,
): Promise<Manifest> {
  const next: Manifest = {version: 1, objects: {...manifest.objects}, segments: {...manifest.segments}};
  const segmentId = newSegmentId();
  next.segments[segmentId] = await writeSegment(store, segmentId, duckdb, batch, enrichment);

  // Replaced objects: their old rows leave the segments that held them.
  const replacedBySegment = new Map<string, string[]>();
  for (const {object} of batchObjects) {
    const old = manifest.objects[object.key];
    if (old) replacedBySegment.set(old.segment, [...(replacedBySegment.get(old.segment) ?? []), object.key]);
  }
  for (const [oldId, keys] of replacedBySegment) {
    delete next.segments[oldId];
    const remaining = Object.entries(next.objects).filter(([key, o]) => o.segment === oldId && !keys.includes(key));
    if (remaining.length === 0) continue;
    const rewrittenId = newSegmentId();
    next.segments[rewrittenId] = await rewriteSegmentWithout(store, manifest.segments[oldId], rewrittenId, keys, duckdb);
    for (const [key] of remaining) next.objects[key] = {...next.objects[key], segment: rewrittenId};
  }

  for (const {object, counts} of batchObjects) {
    const stored: StoredObject = {
      etag: object.etag,
      size: object.size,
      topic: object.topic,
      kafka_partition: object.partition,
      start_offset: object.startOffset,
      records: counts.records,
      events: counts.events,
      rejected: counts.rejected,
      duplicates: counts.duplicates,
      segment: segmentId,
    };
    next.objects[object.key] = stored;
  }
  await writeManifest(store, next);
  await removeUnreferencedFiles(store, next);
  return next;
}

async function writeSegment(store: string, id: string, duckdb: DuckDBConnection, batch: EventBatch, enrichment: Enrichment): Promise<Segment> {
  const segment: Segment = {
    events: `segments/${id}.events.parquet`,
    rejected: `segments/${id}.rejected.parquet`,
    event_count: batch.size,
    rejected_count: batch.rejected.length,
    min_ts: null,
    max_ts: null,
  };
  const eventsPath = join(store, segment.events);
  const rejectedPath = join(store, segment.rejected);
  const eventsTemporary = temporaryPathFor(eventsPath);
  const rejectedTemporary = temporaryPathFor(rejectedPath);
  await writeEventsParquet(duckdb, batch, {geo: enrichment.geo, userAgent: enrichment.userAgent}, eventsTemporary);
  await writeRejectedParquet(duckdb, batch.rejected, rejectedTemporary);
  Object.assign(segment, await timeRange(duckdb, eventsTemporary));
  await renameDurably(eventsTemporary, eventsPath);
  await renameDurably(rejectedTemporary, rejectedPath);
  return segment;
}

async function rewriteSegmentWithout(store: string, old: Segment, id: string, keys: readonly string[], duckdb: DuckDBConnection): Promise<Segment> {
  const segment: Segment = {events: `segments/${id}.events.parquet`, rejected: `segments/${id}.rejected.parquet`, event_count: 0, rejected_count: 0, min_ts: null, max_ts: null};
  const excluded = `s3_key NOT IN (${keys.map(sqlString).join(", ")})`;
  for (const [from, to] of [[old.events, segment.events], [old.rejected, segment.rejected]] as const) {
    const temporary = temporaryPathFor(join(store, to));
    await duckdb.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(join(store, from))}) WHERE ${excluded}) TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    await renameDurably(temporary, join(store, to));
  }
  const counts = await duckdb.runAndReadAll(
    `SELECT (SELECT count(*) FROM read_parquet(${sqlString(join(store, segment.events))})), (SELECT count(*) FROM read_parquet(${sqlString(join(store, segment.rejected))}))`,
  );
  const [events, rejected] = counts.getRows()[0];
  segment.event_count = Number(events);
  segment.rejected_count = Number(rejected);
  Object.assign(segment, await timeRange(duckdb, join(store, segment.events)));
  return segment;
}

async function timeRange(duckdb: DuckDBConnection, file: string): Promise<{min_ts: number | null; max_ts: number | null}> {
  const reader = await duckdb.runAndReadAll(`SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM read_parquet(${sqlFileList([file])})`);
  const [min, max] = reader.getRows()[0];
  return {min_ts: min === null ? null : Number(min), max_ts: max === null ? null : Number(max)};
}

/** Removes segment files no manifest names: leftovers of a sync that was killed, or of a replaced segment. */
async function removeUnreferencedFiles(store: string, manifest: Manifest): Promise<void> {
  const live = liveFiles(manifest);
  for (const name of await readdir(join(store, "segments"))) {
    if (!live.has(`segments/${name}`) || isTemporaryPath(name)) await rm(join(store, "segments", name), {force: true});
  }
}

function newSegmentId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
