// The store's Parquet files: where each lives, and the two ways one is remade from others —
// without a replaced object's rows, or merged with the rest of its day by compaction. Every file
// is written under a temporary name, fsynced and renamed; only the manifest makes it live.
import {mkdir, readdir, rm} from "node:fs/promises";
import {dirname, join} from "node:path";
import type {DuckDBConnection} from "@duckdb/node-api";
import {numberOrNull, sqlFileList, sqlString} from "../write/duckdb.js";
import {DEFAULT_ROW_GROUP_SIZE, EVENT_ORDER, SEGMENT_FORMAT} from "../write/parquet.js";
import {isTemporaryPath, renameDurably, temporaryPathFor} from "./durable-file.js";
import {liveFiles, type Manifest, type Segment} from "./manifest.js";

/** Directories of the store that hold segment files. */
const SEGMENT_DIRECTORIES = ["events", "rejected"];

/** events/day=2015-05-17/<id>.parquet, or rejected/<id>.parquet. */
function segmentPath(kind: Segment["kind"], day: string | null, id: string): string {
  return kind === "events" ? `events/day=${day}/${id}.parquet` : `rejected/${id}.parquet`;
}

function newSegmentId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A new segment's id, its path in the store, and the temporary path to write it under (its folder made). */
export async function newSegmentFile(store: string, kind: Segment["kind"], day: string | null): Promise<{id: string; file: string; temporary: string}> {
  const id = newSegmentId();
  const file = segmentPath(kind, day, id);
  const temporary = temporaryPathFor(join(store, file));
  await mkdir(dirname(temporary), {recursive: true});
  return {id, file, temporary};
}

const ORDER: Record<Segment["kind"], string> = {events: EVENT_ORDER, rejected: "s3_key, line_number"};

/** Writes the rows of `select` (a query over the store's files), sorted, as a new segment; null when there are none. */
async function writeSegment(
  store: string,
  duckdb: DuckDBConnection,
  kind: Segment["kind"],
  day: string | null,
  select: string,
): Promise<{id: string; segment: Segment} | null> {
  const {id, file, temporary} = await newSegmentFile(store, kind, day);
  await duckdb.run(
    `COPY (${select} ORDER BY ${ORDER[kind]}) TO ${sqlString(temporary)} (${SEGMENT_FORMAT}, ROW_GROUP_SIZE ${DEFAULT_ROW_GROUP_SIZE})`,
  );
  const timeRange = kind === "events" ? "epoch_ms(min(ts)), epoch_ms(max(ts))" : "NULL, NULL";
  const [[rows, min, max]] = (await duckdb.runAndReadAll(`SELECT count(*), ${timeRange} FROM read_parquet(${sqlString(temporary)})`)).getRowsJS();
  if (Number(rows) === 0) {
    await rm(temporary, {force: true});
    return null;
  }
  await renameDurably(temporary, join(store, file));
  return {id, segment: {kind, day, file, rows: Number(rows), min_ts: numberOrNull(min), max_ts: numberOrNull(max)}};
}

/** The segment without the rows of `keys` (objects being replaced); null when nothing else is left. */
export function rewriteSegmentWithout(store: string, duckdb: DuckDBConnection, old: Segment, keys: readonly string[]) {
  const select = `SELECT * FROM read_parquet(${sqlString(join(store, old.file))}) WHERE s3_key NOT IN (${keys.map(sqlString).join(", ")})`;
  return writeSegment(store, duckdb, old.kind, old.day, select);
}

/** One segment with the rows of all of `segments` (one day's, or all rejected lines), sorted. */
export function mergeSegments(store: string, duckdb: DuckDBConnection, segments: readonly Segment[]) {
  const select = `SELECT * FROM read_parquet(${sqlFileList(segments.map((s) => join(store, s.file)))})`;
  return writeSegment(store, duckdb, segments[0].kind, segments[0].day, select);
}

/** Removes files no manifest names: leftovers of a sync that was killed, or of a replaced segment. */
export async function removeUnreferencedFiles(store: string, manifest: Manifest): Promise<void> {
  const live = liveFiles(manifest);
  for (const directory of SEGMENT_DIRECTORIES) {
    const entries = await readdir(join(store, directory), {recursive: true, withFileTypes: true}).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const file = join(entry.parentPath, entry.name).slice(store.length + 1).split("\\").join("/");
      if (!live.has(file) || isTemporaryPath(entry.name)) await rm(join(store, file), {force: true});
    }
  }
}
