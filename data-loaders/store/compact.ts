// Compaction: many small syncs leave many small segments, and every export reads them all.
// Compacting rewrites the live rows into one segment sorted by time, under the store lock, and
// swaps the manifest atomically, so a compaction killed midway leaves the store as it was.
import {rm} from "node:fs/promises";
import {join} from "node:path";
import {lockStore} from "./lock.js";
import {liveFiles, readManifest, writeManifest, type Manifest, type Segment} from "./manifest.js";
import {isTemporaryPath, renameDurably, temporaryPathFor} from "./durable-file.js";
import {openDuckDB, sqlFileList, sqlString} from "../write/duckdb.js";
import {DEFAULT_ROW_GROUP_SIZE} from "../write/parquet.js";

/** Sync compacts on its own once a store has more segments than this. */
export const COMPACT_ABOVE_SEGMENTS = 16;

export interface CompactResult {
  segmentsBefore: number;
  segmentsAfter: number;
  events: number;
  rejected: number;
}

export async function compactStore(store: string, {alreadyLocked = false} = {}): Promise<CompactResult> {
  const lock = alreadyLocked ? null : await lockStore(store);
  try {
    const manifest = await readManifest(store);
    const ids = Object.keys(manifest.segments);
    const events = ids.reduce((n, id) => n + manifest.segments[id].event_count, 0);
    const rejected = ids.reduce((n, id) => n + manifest.segments[id].rejected_count, 0);
    if (ids.length <= 1) return {segmentsBefore: ids.length, segmentsAfter: ids.length, events, rejected};

    const id = `${Date.now().toString(36)}-compact`;
    const segment: Segment = {events: `segments/${id}.events.parquet`, rejected: `segments/${id}.rejected.parquet`, event_count: events, rejected_count: rejected, min_ts: null, max_ts: null};
    const duckdb = await openDuckDB({tempDirectory: join(store, "tmp")});
    const write = async (files: string[], order: string, to: string) => {
      const temporary = temporaryPathFor(join(store, to));
      await duckdb.run(
        `COPY (SELECT * FROM read_parquet(${sqlFileList(files.map((f) => join(store, f)))}) ORDER BY ${order}) TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${DEFAULT_ROW_GROUP_SIZE})`,
      );
      await renameDurably(temporary, join(store, to));
    };
    await write(ids.map((i) => manifest.segments[i].events), "ts, topic, kafka_partition, kafka_offset", segment.events);
    await write(ids.map((i) => manifest.segments[i].rejected), "s3_key, line_number", segment.rejected);
    const ranges = ids.map((i) => manifest.segments[i]).filter((s) => s.min_ts !== null);
    segment.min_ts = ranges.length ? Math.min(...ranges.map((s) => s.min_ts!)) : null;
    segment.max_ts = ranges.length ? Math.max(...ranges.map((s) => s.max_ts!)) : null;

    const next: Manifest = {version: 1, objects: {}, segments: {[id]: segment}};
    for (const [key, object] of Object.entries(manifest.objects)) next.objects[key] = {...object, segment: id};
    await writeManifest(store, next);
    const live = liveFiles(next);
    for (const file of liveFiles(manifest)) if (!live.has(file) && !isTemporaryPath(file)) await rm(join(store, file), {force: true});
    return {segmentsBefore: ids.length, segmentsAfter: 1, events, rejected};
  } finally {
    await lock?.release();
  }
}
