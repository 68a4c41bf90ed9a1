// Committing a batch to the store: its Parquet segments written and renamed into place, the
// manifest swapped atomically, the files the old manifest named removed. Shared by every source
// format's sync loop.
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import type {Enrichment} from "../enrich/enrichers.js";
import type {ObjectIngestCounts, SinkObjectName} from "../ingest-object.js";
import type {EventBatch} from "../write/event-batch.js";
import {writeEventsByDay, writeRejectedParquet, type ParquetOptions} from "../write/parquet.js";
import {renameDurably} from "./durable-file.js";
import {repointSegments, segmentsByDay, writeManifest, type Manifest, type Segment} from "./manifest.js";
import {newSegmentFile, removeUnreferencedFiles, rewriteSegmentWithout} from "./segments.js";

/** An object of the batch as the manifest records it: its name, and what its listing said. */
export interface CommittedObject extends SinkObjectName {
  etag: string;
  size: number;
}

export interface CommitOptions {
  /**
   * Leave out the events whose CloudWatch event_id the store already holds (the firehose
   * format). The counts of the objects concerned are corrected in place: those events move
   * from `events` to `duplicates`.
   */
  storedEventIdsOnce?: boolean;
}

/**
 * Writes the batch as new segments (one per day, and one of rejected lines), strips replaced
 * objects' old rows from the segments that held them, and swaps the manifest. Files are written
 * under temporary names and renamed into place before the manifest names them; the files the
 * old manifest named are removed after.
 */
export async function commitBatch(
  store: string,
  manifest: Manifest,
  duckdb: DuckDBConnection,
  batch: EventBatch,
  batchObjects: readonly {object: CommittedObject; counts: ObjectIngestCounts}[],
  enrichment: Enrichment,
  options: CommitOptions = {},
): Promise<Manifest> {
  const next: Manifest = {...manifest, objects: {...manifest.objects}, segments: {...manifest.segments}};
  const newSegmentsOf = new Map<string, string[]>();
  const replaced = batchObjects.map(({object}) => object.key).filter((key) => manifest.objects[key] !== undefined);
  const storedEventIds = options.storedEventIdsOnce ? storedEventIdsOf(store, manifest, batchObjects, replaced) : undefined;
  for (const {id, segment, keys} of await writeBatchSegments(store, duckdb, batch, enrichment, storedEventIds)) {
    next.segments[id] = segment;
    for (const key of keys) {
      const ids = newSegmentsOf.get(key);
      if (ids) ids.push(id);
      else newSegmentsOf.set(key, [id]);
    }
  }

  // Replaced objects: their old rows leave the segments that held them.
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

/**
 * The event ids the store holds on the batch's days, but not those of the objects being
 * replaced (their rows are about to go); each object's events found there become duplicates.
 */
function storedEventIdsOf(
  store: string,
  manifest: Manifest,
  batchObjects: readonly {object: CommittedObject; counts: ObjectIngestCounts}[],
  replaced: readonly string[],
): NonNullable<ParquetOptions["storedEventIds"]> {
  const countsOf = new Map(batchObjects.map(({object, counts}) => [object.key, counts]));
  const byDay = segmentsByDay(manifest);
  return {
    filesOfDays: (days) => days.flatMap((day) => (byDay.get(day) ?? []).map(([, segment]) => join(store, segment.file))),
    exceptObjects: replaced,
    onDropped(key, events) {
      const counts = countsOf.get(key)!;
      counts.events -= events;
      counts.duplicates += events;
    },
  };
}

/** The batch's new segments, each with the objects that have rows in it. */
export async function writeBatchSegments(store: string, duckdb: DuckDBConnection, batch: EventBatch, enrichment: Enrichment, storedEventIds?: ParquetOptions["storedEventIds"]) {
  const written: {id: string; segment: Segment; keys: string[]}[] = [];
  const segmentFiles = new Map<string, {id: string; file: string}>();
  const days = await writeEventsByDay(
    duckdb,
    batch,
    {geo: enrichment.geo, userAgent: enrichment.userAgent},
    async (day) => {
      const {id, file, temporary} = await newSegmentFile(store, "events", day);
      segmentFiles.set(temporary, {id, file});
      return temporary;
    },
    {storedEventIds},
  );
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
