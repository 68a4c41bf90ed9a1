// Writes an EventBatch to ZSTD Parquet, one file per UTC day, sorted by time, with the columns of docs/data-dictionary.md.
// The rows reach DuckDB already in order and enriched (write/event-rows.ts: enrichment once per
// distinct client and agent, each event then gathers ids), read by each day's COPY through a
// table function a vector at a time (write/rows-function.ts), text as ENUM vectors: no join, no
// sort and no table in DuckDB.
import type {DuckDBConnection} from "@duckdb/node-api";
import {EVENT_COLUMNS, REJECTED_COLUMNS, type ColumnType, type RejectedLine} from "../event.js";
import type {EventBatch} from "./event-batch.js";
import {eventRows, gatherTextIds, validityBytes, type Enrichers, type EventRows, type RowColumn} from "./event-rows.js";
import {anotherConnection, sqlFileList, sqlString} from "./duckdb.js";
import {givenType, ROW_POSITION, withRowsInDuckDB} from "./rows-function.js";
import {UNDATED} from "../store/manifest.js";

export type {Enrichers} from "./event-rows.js";

export interface ParquetOptions {
  /** Rows per row group: smaller groups let the browser fetch less for a narrow time range. */
  rowGroupSize?: number;
  /**
   * Days written at once, each on a connection of its own (a connection runs one statement at a
   * time); 1 by default. When a sync writes more: commitDaysAtOnce in store/commit-queue.ts.
   */
  daysAtOnce?: number;
  /**
   * Events whose CloudWatch event_id is already stored are left out (a Firehose re-delivery):
   * `filesOfDays` names the store's files of the batch's days (an event's day comes from its
   * own line, so a re-delivered event falls on the same day) and `exceptObjects` the objects
   * whose rows there do not count (being replaced); `onDropped` hears how many events of each
   * S3 object were left out.
   */
  storedEventIds?: {filesOfDays(days: readonly string[]): string[]; exceptObjects: readonly string[]; onDropped(s3Key: string, events: number): void};
}

export const DEFAULT_ROW_GROUP_SIZE = 65_536;

/**
 * How every segment of the store is written: ZSTD, and Parquet's version 2 encodings, in which
 * numbers and times that are not written as a dictionary are DELTA_BINARY_PACKED (a day's sorted
 * times and each object's offsets then take a few bits a row) and such text is
 * DELTA_LENGTH_BYTE_ARRAY. At 1M events the store's day files are 9.5 bytes an event on the real
 * lines instead of 15.3, 24.6 on the diverse ones instead of 30.5, and read back no slower
 * (docs/design-notes.md, "Ingest, ninth round"). ZSTD at level 2 rather than its default 3: a
 * day's copy 10–15% quicker for files 1.5% larger, once the version 2 encodings have done most of
 * the work ("Ingest, tenth round").
 */
export const SEGMENT_FORMAT = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 2, PARQUET_VERSION v2";

/** One day's events written by writeEventsByDay. */
export interface DayFile {
  /** YYYY-MM-DD (UTC), or "undated" for events without a time. */
  day: string;
  file: string;
  rows: number;
  /** Epoch ms; null when undated. */
  minTs: number | null;
  maxTs: number | null;
  /** The S3 objects with rows in this file. */
  keys: string[];
}

/** The UTC day of an event, as the store partitions them, from its time in epoch ms (a SQL expression). */
const daySql = (millis: string) => `coalesce(strftime(make_timestamp(CAST(${millis} * 1000 AS BIGINT)), '%Y-%m-%d'), '${UNDATED}')`;

/** Writes the batch's events as one time-sorted Parquet file per UTC day; `fileFor(day)` names each. */
export async function writeEventsByDay(
  connection: DuckDBConnection,
  batch: EventBatch,
  enrichers: Enrichers,
  fileFor: (day: string) => Promise<string>,
  options: ParquetOptions = {},
): Promise<DayFile[]> {
  let rows = eventRows(batch, enrichers);
  if (options.storedEventIds) rows = await withoutStoredEventIds(connection, rows, options.storedEventIds);
  const days = await dayRanges(connection, rows);
  const written: DayFile[] = [];
  const copies: {first: number; count: number; file: string}[] = [];
  for (const day of days) {
    const file = await fileFor(day.day);
    copies.push({first: day.first, count: day.rows, file});
    written.push({day: day.day, file, rows: day.rows, minTs: day.minTs, maxTs: day.maxTs, keys: day.keys});
  }
  await withRowsInDuckDB(connection, rows, (rowsSql) => copyDays(connection, rowsSql, rows, copies, options));
  return written;
}

/** A day's rows: a run of the order, the rows being sorted by time (undated last). */
interface DayRange {
  /** YYYY-MM-DD as DuckDB writes it, or UNDATED. */
  day: string;
  first: number;
  rows: number;
  minTs: number | null;
  maxTs: number | null;
  keys: string[];
}

/**
 * The days of the rows, in order, undated last. Each day's label and its first and last times
 * are DuckDB's own reading of the times (as the files hold them), asked in one query.
 */
async function dayRanges(connection: DuckDBConnection, rows: EventRows): Promise<DayRange[]> {
  const ts = rows.columns.find((c) => c.name === "ts");
  const s3Key = rows.columns.find((c) => c.name === "s3_key");
  if (ts?.kind !== "double" || ts.from !== "event" || s3Key?.kind !== "text") throw new Error("the rows have no ts or s3_key column");
  const times = ts.source.values;
  const runs: {first: number; rows: number; dated: boolean}[] = [];
  for (let r = 0; r < rows.count; ) {
    const day = rows.dayNumber[r];
    let end = r + 1;
    while (end < rows.count && (rows.dayNumber[end] === day || (Number.isNaN(day) && Number.isNaN(rows.dayNumber[end])))) end++;
    runs.push({first: r, rows: end - r, dated: !Number.isNaN(day)});
    r = end;
  }
  const dated = runs.filter((run) => run.dated);
  const labels = new Map<number, {day: string; minTs: number; maxTs: number}>();
  if (dated.length > 0) {
    const timeOf = (row: number) => sqlDouble(times[rows.order[row]]);
    const values = dated.map((run) => `(${run.first}, ${timeOf(run.first)}, ${timeOf(run.first + run.rows - 1)})`).join(", ");
    const read = await connection.runAndReadAll(`SELECT run_first, ${daySql("min_ts")}, epoch_ms(${timestampOf("min_ts")}), epoch_ms(${timestampOf("max_ts")}) FROM (VALUES ${values}) AS runs(run_first, min_ts, max_ts)`);
    for (const [first, day, minTs, maxTs] of read.getRowsJS()) labels.set(Number(first), {day: String(day), minTs: Number(minTs), maxTs: Number(maxTs)});
  }
  return runs.map((run) => {
    const label = labels.get(run.first);
    return {day: label?.day ?? UNDATED, first: run.first, rows: run.rows, minTs: label?.minTs ?? null, maxTs: label?.maxTs ?? null, keys: distinctText(s3Key, rows.order, run.first, run.rows)};
  });
}

/** A time in epoch ms as a SQL DOUBLE, exactly. */
function sqlDouble(value: number): string {
  return `CAST('${value}' AS DOUBLE)`;
}

/** The distinct values of a text column over rows first … first + count - 1, sorted. */
function distinctText(column: RowColumn & {kind: "text"}, order: Uint32Array, first: number, count: number): string[] {
  const seen = new Uint8Array(column.values.length);
  markTextIds(column, order, first, count, seen);
  const texts: string[] = [];
  for (let id = 0; id < seen.length; id++) if (seen[id] === 1) texts.push(column.values[id]);
  return texts.sort();
}

/**
 * Marks in `seen` the text ids of rows first … first + count - 1. A loop of its own: in the
 * function above, V8 optimized the loop while it ran and dropped the code at the lines after it,
 * on every day.
 */
function markTextIds(column: RowColumn & {kind: "text"}, order: Uint32Array, first: number, count: number, seen: Uint8Array): void {
  const ids = new Int32Array(Math.min(count, 2048));
  const validity = new Uint8Array(validityBytes(ids.length));
  for (let start = first; start < first + count; start += ids.length) {
    const n = Math.min(ids.length, first + count - start);
    gatherTextIds(column, order, start, n, ids, validity);
    for (let k = 0; k < n; k++) if (ids[k] >= 0) seen[ids[k]] = 1;
  }
}

/**
 * The rows less those whose event_id the given files already hold: an anti-join in DuckDB
 * against those days' ids, so sync keeps no id in memory between batches.
 */
async function withoutStoredEventIds(connection: DuckDBConnection, rows: EventRows, stored: NonNullable<ParquetOptions["storedEventIds"]>): Promise<EventRows> {
  const dropped = await withRowsInDuckDB(connection, rows, async (rowsSql) => {
    const all = rowsSql(0, rows.count);
    const days = (await connection.runAndReadAll(`SELECT DISTINCT ${daySql("ts")} FROM ${all} WHERE event_id IS NOT NULL`)).getRowsJS().map(([day]) => String(day));
    const files = stored.filesOfDays(days);
    if (files.length === 0) return [];
    const except = stored.exceptObjects.length > 0 ? ` AND s3_key NOT IN (${stored.exceptObjects.map(sqlString).join(", ")})` : "";
    const storedIds = `SELECT event_id FROM read_parquet(${sqlFileList(files)}) WHERE event_id IS NOT NULL${except}`;
    // Text may be given as ENUM: compared as VARCHAR.
    return (await connection.runAndReadAll(`SELECT ${ROW_POSITION}, CAST(s3_key AS VARCHAR) FROM ${all} WHERE CAST(event_id AS VARCHAR) IN (${storedIds})`)).getRowsJS();
  });
  if (dropped.length === 0) return rows;
  const perKey = new Map<string, number>();
  const leftOut = new Uint8Array(rows.count);
  for (const [position, key] of dropped) {
    leftOut[Number(position)] = 1;
    perKey.set(String(key), (perKey.get(String(key)) ?? 0) + 1);
  }
  const keptRows: number[] = [];
  for (let r = 0; r < rows.count; r++) if (leftOut[r] === 0) keptRows.push(r);
  for (const [key, events] of perKey) stored.onDropped(key, events);
  return {
    count: keptRows.length,
    order: Uint32Array.from(keptRows, (r) => rows.order[r]),
    columns: rows.columns,
    dayNumber: Float64Array.from(keptRows, (r) => rows.dayNumber[r]),
  };
}

/** Events sorted by time, as every events file of the store and the site is. */
export const EVENT_ORDER = "ts, topic, kafka_partition, kafka_offset";

/** Copies each day's rows to its file, `options.daysAtOnce` days at a time. */
async function copyDays(connection: DuckDBConnection, rowsSql: (first: number, count: number) => string, rows: EventRows, copies: readonly {first: number; count: number; file: string}[], options: ParquetOptions): Promise<void> {
  const others: DuckDBConnection[] = [];
  try {
    const atOnce = Math.min(options.daysAtOnce ?? 1, copies.length);
    for (let i = 1; i < atOnce; i++) others.push(await anotherConnection(connection));
    let next = 0;
    let failed = false;
    const copyUntilDone = async (copier: DuckDBConnection) => {
      while (!failed && next < copies.length) {
        const {first, count, file} = copies[next++];
        await copyDay(copier, rowsSql(first, count), rows, file, options).catch((error: unknown) => {
          failed = true;
          throw error;
        });
      }
    };
    // A failure stops every copier once the day it is on is written; then it is thrown (the
    // connections close only once none is running a statement).
    const results = await Promise.allSettled([connection, ...others].map(copyUntilDone));
    for (const result of results) if (result.status === "rejected") throw result.reason;
  } finally {
    for (const other of others) other.closeSync();
  }
}

/**
 * One day's rows, in the order the function gives them (EVENT_ORDER, see event-rows.ts): a scan
 * and a projection keep it in DuckDB, and so does COPY, so no ORDER BY.
 */
async function copyDay(connection: DuckDBConnection, source: string, rows: EventRows, file: string, options: ParquetOptions): Promise<void> {
  await connection.run(`COPY (SELECT ${STORED_COLUMNS_SQL(rows)} FROM ${source}) TO ${sqlString(file)} (${SEGMENT_FORMAT}, ROW_GROUP_SIZE ${options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE})`);
}

/** Writes rejected lines to `file`. */
export async function writeRejectedParquet(connection: DuckDBConnection, rejected: readonly RejectedLine[], file: string): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE staged_rejects (${REJECTED_COLUMNS.map((c) => `${c.name} ${c.type}`).join(", ")})`);
  try {
    const appender = await connection.createAppender("staged_rejects");
    for (const r of rejected) {
      appendNullableVarchar(appender, r.s3_key);
      appendNullableVarchar(appender, r.topic);
      if (r.kafka_partition === null) appender.appendNull();
      else appender.appendInteger(r.kafka_partition);
      if (r.kafka_offset === null) appender.appendNull();
      else appender.appendBigInt(BigInt(r.kafka_offset));
      appender.appendInteger(r.line_number);
      appender.appendVarchar(r.reason);
      appender.appendVarchar(r.line);
      appendNullableVarchar(appender, r.event_id ?? null);
      appender.endRow();
    }
    appender.closeSync();
    await connection.run(`COPY (SELECT * FROM staged_rejects ORDER BY s3_key, line_number) TO ${sqlString(file)} (${SEGMENT_FORMAT})`);
  } finally {
    await connection.run("DROP TABLE IF EXISTS staged_rejects");
  }
}

/**
 * Each column as the store writes it: times from epoch ms, numbers cast to the column's type,
 * text as it is. An ENUM is written to Parquet as the strings it stands for (BYTE_ARRAY, UTF8, as
 * VARCHAR is), its dictionary taken for the file's and each row's id for its index: copying a day
 * of 500,000 rows took 0.26–0.28 s so against 0.66–0.70 s cast to VARCHAR, which makes each row's
 * string and then looks it up in a dictionary of the file's (docs/design-notes.md, "Ingest,
 * seventh round"). The rows read back are the same.
 */
function storedColumnSql(column: RowColumn, type: ColumnType): string {
  if (type === "TIMESTAMP") return `${timestampOf(column.name)} AS ${column.name}`;
  const given = givenType(column);
  if (given === type || (given === "ENUM" && type === "VARCHAR")) return column.name;
  return `CAST(${column.name} AS ${type}) AS ${column.name}`;
}

/** A time in epoch ms (a DOUBLE) as the TIMESTAMP the store holds. */
function timestampOf(millis: string): string {
  return `make_timestamp(CAST(${millis} * 1000 AS BIGINT))`;
}

const STORED_COLUMNS_SQL = (rows: EventRows) => rows.columns.map((c, i) => storedColumnSql(c, EVENT_COLUMNS[i].type)).join(", ");

type Appender = Awaited<ReturnType<DuckDBConnection["createAppender"]>>;

function appendNullableVarchar(appender: Appender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}
