// One day of the store as the single Parquet file `weblog publish` uploads: the day's segments
// merged and sorted by time, as compaction and the site's day files are. One file per day keeps
// a day's replacement to one PUT and one DELETE, and gives the engines reading it one
// well-filled file per partition instead of a sync's many small segments.
import {join} from "node:path";
import {EVENT_COLUMNS} from "../event.js";
import {daysOf} from "../site-data.js";
import {lockStore} from "../store/lock.js";
import {sharedManifest, segmentsByDay} from "../store/manifest.js";
import {sqlFileList, sqlString, withDuckDB} from "../write/duckdb.js";
import {DEFAULT_ROW_GROUP_SIZE, EVENT_ORDER} from "../write/parquet.js";

export interface DayFile {
  day: string;
  /** The day's version when its file was written (daysOf): the published key carries it. */
  version: string;
  events: number;
}

/**
 * Writes `day`'s events to `file` and says which version of the day it holds, or null when the
 * store no longer has the day. The columns are EVENT_COLUMNS by name, in their order: exactly
 * what the printed DDL declares. The store lock keeps a sync from removing a segment while it is read.
 */
export async function writeDayFile(store: string, day: string, file: string): Promise<DayFile | null> {
  const lock = await lockStore(store);
  try {
    const manifest = await sharedManifest(store);
    const stored = daysOf(manifest).find((d) => d.day === day);
    const segments = segmentsByDay(manifest).get(day);
    if (!stored || !segments || stored.events === 0) return null;
    const files = segments.map(([, s]) => join(store, s.file));
    const columns = EVENT_COLUMNS.map((c) => `"${c.name}"`).join(", ");
    // Parquet's version 1 encodings, not the store's SEGMENT_FORMAT (write/parquet.ts): other engines read these files.
    await withDuckDB({tempDirectory: join(store, "tmp")}, (duckdb) =>
      duckdb.run(
        `COPY (SELECT ${columns} FROM read_parquet(${sqlFileList(files)}) ORDER BY ${EVENT_ORDER}) ` +
          `TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${DEFAULT_ROW_GROUP_SIZE})`,
      ),
    );
    return {day, version: stored.version, events: stored.events};
  } finally {
    await lock.release();
  }
}
