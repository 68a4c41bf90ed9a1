// The files the site reads, made from the local store: every event sorted by time (so the
// browser reads only the row groups a time range needs), and every rejected line.
import {createReadStream} from "node:fs";
import {mkdir, rm} from "node:fs/promises";
import {join} from "node:path";
import {pipeline} from "node:stream/promises";
import type {Writable} from "node:stream";
import type {WeblogConfig} from "./config.js";
import {EVENT_COLUMNS, REJECTED_COLUMNS, type ColumnSpec} from "./event.js";
import {temporaryPathFor} from "./store/durable-file.js";
import {lockStore} from "./store/lock.js";
import {readManifest, type Manifest} from "./store/manifest.js";
import {openDuckDB, sqlFileList, sqlString} from "./write/duckdb.js";
import {DEFAULT_ROW_GROUP_SIZE} from "./write/parquet.js";

export type SiteTable = "events" | "rejected";

/** Writes the store's events (or rejected lines) as one Parquet file to `output` (a loader's stdout). */
export async function writeSiteParquet(config: WeblogConfig, table: SiteTable, output: Writable): Promise<void> {
  await mkdir(join(config.store, "tmp"), {recursive: true});
  const file = temporaryPathFor(join(config.store, "tmp", `${table}.parquet`));
  try {
    await exportSiteParquet(config, table, file);
    await pipeline(createReadStream(file), output, {end: false});
  } finally {
    await rm(file, {force: true});
  }
}

export async function exportSiteParquet(config: WeblogConfig, table: SiteTable, file: string): Promise<void> {
  const duckdb = await openDuckDB({tempDirectory: join(config.store, "tmp")});
  // The lock keeps a concurrent sync from removing a segment between reading the manifest and the files.
  const lock = await lockStore(config.store);
  try {
    const manifest = await readManifest(config.store);
    const files = segmentFiles(manifest, table).map((f) => join(config.store, f));
    const source = files.length > 0 ? `read_parquet(${sqlFileList(files)})` : `(${emptyTableSql(table === "events" ? EVENT_COLUMNS : REJECTED_COLUMNS)})`;
    const order = table === "events" ? "ts, topic, kafka_partition, kafka_offset" : "s3_key, line_number";
    await duckdb.run(
      `COPY (SELECT * FROM ${source} ORDER BY ${order}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${DEFAULT_ROW_GROUP_SIZE})`,
    );
  } finally {
    await lock.release();
  }
}

function segmentFiles(manifest: Manifest, table: SiteTable): string[] {
  return Object.values(manifest.segments)
    .filter((s) => (table === "events" ? s.event_count : s.rejected_count) > 0)
    .map((s) => (table === "events" ? s.events : s.rejected));
}

/** A query with the right columns and no rows: a store with nothing in it still makes a valid file. */
function emptyTableSql(columns: readonly ColumnSpec[]): string {
  return `SELECT ${columns.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(", ")} WHERE false`;
}
