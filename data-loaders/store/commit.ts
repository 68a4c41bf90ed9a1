// Committing a batch to the store: its Parquet segments written and renamed into place, the
// manifest swapped atomically, the files the old manifest named removed. Shared by every source
// format's sync loop.
import {join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import type {Enrichment} from "../enrich/enrichers.js";
import type {SegmentWriter} from "./segment-writer.js";
import type {SinkObjectName} from "../ingest-object.js";
import type {EventBatch} from "../write/event-batch.js";
import {writeEventsByDay, writeRejectedParquet, type ParquetOptions} from "../write/parquet.js";
import {renameDurably} from "./durable-file.js";
import {ConfigError, type SourceFormat} from "../config.js";
import {readManifestOrStartOver, repointSegments, segmentsByDay, storeFormatProblem, summarizeKeyMismatches, writeManifest, type Manifest, type Segment, type StoredObject} from "./manifest.js";
import {newSegmentFile, removeUnreferencedFiles, rewriteSegmentWithout} from "./segments.js";

/**
 * The manifest a sync of `format` starts from, under the store's lock: an earlier layout is taken
 * in again, a store of another format refused (a ConfigError saying what to do), and files no
 * manifest names (a killed sync's leftovers) removed.
 */
export async function manifestForSync(store: string, format: SourceFormat, log: (message: string) => void): Promise<Manifest> {
  const manifest = await readManifestOrStartOver(store, log);
  const problem = storeFormatProblem(store, manifest, format);
  if (problem !== null) throw new ConfigError(problem);
  await removeUnreferencedFiles(store, manifest);
  return manifest;
}

/** An object of the batch as the manifest records it: its name, and what its listing said. */
export interface CommittedObject extends SinkObjectName {
  etag: string;
  size: number;
}

/** What a commit does to the manifest's objects, besides adding the batch's rows. */
export interface CommittedObjects {
  /** Objects whose rows already in the store leave it: rewritten (their new rows are in the batch) or gone from the bucket. */
  rowsLeaving: readonly string[];
  /** Objects gone from the bucket: they leave the manifest too. */
  objectsLeaving: readonly string[];
  /** Each object of the batch, as the manifest records it given the new segments that hold its rows and what it recorded before. */
  objects: readonly {key: string; record(newSegments: string[], before: StoredObject | undefined): StoredObject}[];
}

export interface CommitOptions {
  /**
   * Leave out the events whose CloudWatch event_id the store already holds (the firehose
   * format); `onDropped` hears how many of an object's events were so left out.
   */
  storedEventIdsOnce?: {onDropped(key: string, events: number): void};
  /** Days written at once (write/parquet.ts): more than one only when nothing else needs the cores. */
  daysAtOnce?: number;
}

/**
 * Writes the batch as new segments (one per day, and one of rejected lines) with `writer`, strips
 * the old rows of `objects.rowsLeaving` from the segments that held them (with `duckdb`, asked for
 * only then), and swaps the manifest.
 * Files are written under temporary names and renamed into place before the manifest names them;
 * the files the old manifest named are removed after.
 */
export async function commitBatch(
  store: string,
  manifest: Manifest,
  duckdb: () => Promise<DuckDBConnection>,
  batch: EventBatch,
  objects: CommittedObjects,
  writer: SegmentWriter,
  options: CommitOptions = {},
): Promise<Manifest> {
  const next: Manifest = {...manifest, objects: {...manifest.objects}, segments: {...manifest.segments}};
  const newSegmentsOf = new Map<string, string[]>();
  const {rowsLeaving} = objects;
  const storedEventIds = options.storedEventIdsOnce ? storedEventIdsOf(store, manifest, rowsLeaving, options.storedEventIdsOnce.onDropped) : undefined;
  for (const {id, segment, keys} of await writer.write(batch, {storedEventIds, daysAtOnce: options.daysAtOnce})) {
    next.segments[id] = segment;
    for (const key of keys) {
      const ids = newSegmentsOf.get(key);
      if (ids) ids.push(id);
      else newSegmentsOf.set(key, [id]);
    }
  }

  const replacements = new Map<string, string | null>();
  for (const oldId of new Set(rowsLeaving.flatMap((key) => manifest.objects[key].segments))) {
    delete next.segments[oldId];
    const rewritten = await rewriteSegmentWithout(store, await duckdb(), manifest.segments[oldId], rowsLeaving);
    if (rewritten) next.segments[rewritten.id] = rewritten.segment;
    replacements.set(oldId, rewritten?.id ?? null);
  }
  for (const key of objects.objectsLeaving) delete next.objects[key];
  repointSegments(next.objects, replacements);

  for (const {key, record} of objects.objects) next.objects[key] = record(newSegmentsOf.get(key) ?? [], next.objects[key]);
  next.key_mismatches = summarizeKeyMismatches(next.objects);
  await writeManifest(store, next);
  await removeUnreferencedFiles(store, next);
  return next;
}

/**
 * The event ids the store holds on the batch's days, but not those of the objects whose rows are
 * leaving (they are about to go).
 */
function storedEventIdsOf(
  store: string,
  manifest: Manifest,
  rowsLeaving: readonly string[],
  onDropped: (key: string, events: number) => void,
): NonNullable<ParquetOptions["storedEventIds"]> {
  const byDay = segmentsByDay(manifest);
  return {
    filesOfDays: (days) => days.flatMap((day) => (byDay.get(day) ?? []).map(([, segment]) => join(store, segment.file))),
    exceptObjects: rowsLeaving,
    onDropped,
  };
}

/** A segment of a batch, renamed into place: its id, what the manifest records of it, and the objects with rows in it. */
export interface WrittenSegment {
  id: string;
  segment: Segment;
  keys: string[];
}

/** The batch's new segments, each with the objects that have rows in it. */
export async function writeBatchSegments(store: string, duckdb: DuckDBConnection, batch: EventBatch, enrichment: Enrichment, parquet: Pick<ParquetOptions, "storedEventIds" | "daysAtOnce"> = {}): Promise<WrittenSegment[]> {
  const written: WrittenSegment[] = [];
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
    parquet,
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
