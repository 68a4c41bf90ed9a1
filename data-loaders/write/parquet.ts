// Writes an EventBatch to ZSTD Parquet, one file per UTC day, sorted by time, with the columns of docs/data-dictionary.md.
// The rows reach DuckDB already in order and enriched (write/event-rows.ts: enrichment once per
// distinct client and agent, each event then gathers ids), a vector at a time, text as ENUM
// vectors; writing a day is then a filter and a ZSTD copy, with no join and no sort in DuckDB.
import type bindings from "@duckdb/node-bindings";
import type {DuckDBConnection} from "@duckdb/node-api";
import {EVENT_COLUMNS, REJECTED_COLUMNS, type ColumnType, type RejectedLine} from "../event.js";
import type {EventBatch} from "./event-batch.js";
import {eventRows, gatherNumbers, gatherTextIds, validityBytes, type Enrichers, type EventRows, type RowColumn} from "./event-rows.js";
import {anotherConnection, duckdbApi, duckdbBindings, nativeAppender, numberOrNull, sqlFileList, sqlString} from "./duckdb.js";
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
  const rows = eventRows(batch, enrichers);
  await stageEvents(connection, rows);
  try {
    if (options.storedEventIds) await dropStoredEventIds(connection, options.storedEventIds);
    // Days in order, undated last; each day's label as DuckDB writes it.
    const days = await connection.runAndReadAll(
      `SELECT day_number, ${daySql("min(ts)")}, count(*), epoch_ms(min(${TS_SQL})), epoch_ms(max(${TS_SQL})), list(DISTINCT CAST(s3_key AS VARCHAR)) ` +
        `FROM ${STAGED_TABLE} GROUP BY day_number ORDER BY day_number NULLS LAST`,
    );
    const written: DayFile[] = [];
    const copies: {dayNumber: number | null; file: string}[] = [];
    for (const [dayNumber, day, count, minTs, maxTs, keys] of days.getRowsJS()) {
      const file = await fileFor(String(day));
      copies.push({dayNumber: dayNumber === null ? null : Number(dayNumber), file});
      written.push({day: String(day), file, rows: Number(count), minTs: numberOrNull(minTs), maxTs: numberOrNull(maxTs), keys: (keys as unknown[]).map(String)});
    }
    await copyDays(connection, rows, copies, options);
    return written;
  } finally {
    await dropStagedEvents(connection);
  }
}

/**
 * Deletes from the staged events those whose event_id the given files already hold: an
 * anti-join in DuckDB against those days' ids, so sync keeps no id in memory between batches.
 */
async function dropStoredEventIds(connection: DuckDBConnection, stored: NonNullable<ParquetOptions["storedEventIds"]>): Promise<void> {
  const days = (await connection.runAndReadAll(`SELECT DISTINCT ${daySql("ts")} FROM ${STAGED_TABLE} WHERE event_id IS NOT NULL`)).getRowsJS().map(([day]) => String(day));
  const files = stored.filesOfDays(days);
  if (files.length === 0) return;
  const except = stored.exceptObjects.length > 0 ? ` AND s3_key NOT IN (${stored.exceptObjects.map(sqlString).join(", ")})` : "";
  const storedIds = `SELECT event_id FROM read_parquet(${sqlFileList(files)}) WHERE event_id IS NOT NULL${except}`;
  // Text may be staged as ENUM: compared as VARCHAR.
  const isStored = `CAST(event_id AS VARCHAR) IN (${storedIds})`;
  const dropped = await connection.runAndReadAll(`SELECT CAST(s3_key AS VARCHAR), count(*) FROM ${STAGED_TABLE} WHERE ${isStored} GROUP BY s3_key`);
  if (dropped.currentRowCount === 0) return;
  await connection.run(`DELETE FROM ${STAGED_TABLE} WHERE ${isStored}`);
  for (const [key, events] of dropped.getRowsJS()) stored.onDropped(String(key), Number(events));
}

/** Events sorted by time, as every events file of the store and the site is. */
export const EVENT_ORDER = "ts, topic, kafka_partition, kafka_offset";

/** Copies each day's rows to its file, `options.daysAtOnce` days at a time. */
async function copyDays(connection: DuckDBConnection, rows: EventRows, copies: readonly {dayNumber: number | null; file: string}[], options: ParquetOptions): Promise<void> {
  const others: DuckDBConnection[] = [];
  try {
    const atOnce = Math.min(options.daysAtOnce ?? 1, copies.length);
    for (let i = 1; i < atOnce; i++) others.push(await anotherConnection(connection));
    let next = 0;
    let failed = false;
    const copyUntilDone = async (copier: DuckDBConnection) => {
      while (!failed && next < copies.length) {
        const {dayNumber, file} = copies[next++];
        await copyDay(copier, rows, dayNumber, file, options).catch((error: unknown) => {
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
 * One day's rows, in the order they were staged (EVENT_ORDER, see event-rows.ts): a scan, a
 * filter and a projection keep insertion order in DuckDB, and so does COPY, so no ORDER BY.
 */
async function copyDay(connection: DuckDBConnection, rows: EventRows, dayNumber: number | null, file: string, options: ParquetOptions): Promise<void> {
  await connection.run(
    `COPY (SELECT ${STORED_COLUMNS_SQL(rows)} FROM ${STAGED_TABLE} WHERE day_number ${dayNumber === null ? "IS NULL" : `= ${dayNumber}`}) TO ${sqlString(file)} ` +
      `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE})`,
  );
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
    await connection.run(`COPY (SELECT * FROM staged_rejects ORDER BY s3_key, line_number) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    await connection.run("DROP TABLE IF EXISTS staged_rejects");
  }
}

/** The events of a batch as a DuckDB table in the store's row order (write/event-rows.ts), with each row's UTC day number. */
const STAGED_TABLE = "staged_events";

/**
 * Each staged column as the store writes it: times from epoch ms, numbers cast to the column's
 * type, text as it is. An ENUM is written to Parquet as the strings it stands for (BYTE_ARRAY,
 * UTF8, as VARCHAR is), its dictionary taken for the file's and each row's id for its index:
 * copying a day of 500,000 rows took 0.26–0.28 s so against 0.66–0.70 s cast to VARCHAR, which
 * makes each row's string and then looks it up in a dictionary of the file's (docs/design-notes.md,
 * "Ingest, seventh round"). The rows read back are the same.
 */
function storedColumnSql(column: RowColumn, type: ColumnType): string {
  if (type === "TIMESTAMP") return timestampSql(column.name);
  const staged = stagedType(column);
  if (staged === type || (staged === "ENUM" && type === "VARCHAR")) return column.name;
  return `CAST(${column.name} AS ${type}) AS ${column.name}`;
}

function timestampSql(name: string): string {
  return `make_timestamp(CAST(${name} * 1000 AS BIGINT)) AS ${name}`;
}

/**
 * A text column is staged as an ENUM of its distinct values, so that appending copies only the
 * ids and the strings are read from the dictionary as each day is written. A column with very
 * many distinct values (CloudWatch event ids) or very long ones is staged as VARCHAR, where the
 * SQL of the ENUM would cost more than the strings; so is one holding a NUL character, which
 * the SQL text cannot carry, or a lone surrogate (log content is the attacker's): those go in
 * as UTF-8 bytes, string by string.
 */
const MAX_ENUM_VALUES = 100_000;
const MAX_ENUM_CHARS = 4_000_000;

/** Two such values would be one and the same once in UTF-8 (U+FFFD), which an ENUM cannot hold twice. */
const LONE_SURROGATE = /\p{Cs}/u;

const stagedTypes = new WeakMap<RowColumn, "ENUM" | ColumnType>();

function stagedType(column: RowColumn): "ENUM" | ColumnType {
  if (column.kind !== "text") return column.kind === "double" ? "DOUBLE" : column.kind === "boolean" ? "BOOLEAN" : "INTEGER";
  let type = stagedTypes.get(column);
  if (type === undefined) {
    type = column.values.length > 0 && isEnumWorthwhile(column.values) ? "ENUM" : "VARCHAR";
    stagedTypes.set(column, type);
  }
  return type;
}

function isEnumWorthwhile(values: readonly string[]): boolean {
  if (values.length > MAX_ENUM_VALUES) return false;
  let chars = 0;
  for (const value of values) {
    chars += value.length;
    if (chars > MAX_ENUM_CHARS || value.includes("\u0000") || LONE_SURROGATE.test(value)) return false;
  }
  return true;
}

function stagedTypeSql(column: RowColumn): string {
  const type = stagedType(column);
  return type === "ENUM" && column.kind === "text" ? `ENUM(${column.values.map(sqlString).join(", ")})` : type;
}

const STORED_COLUMNS_SQL = (rows: EventRows) => rows.columns.map((c, i) => storedColumnSql(c, EVENT_COLUMNS[i].type)).join(", ");
const TS_SQL = "make_timestamp(CAST(ts * 1000 AS BIGINT))";

/**
 * Hands DuckDB the batch's rows, already in order and with every column's values (enriched once
 * per distinct client and agent), so that writing a day is a filter and a copy: no join, no sort.
 * Each vector's worth of rows is gathered into buffers reused for the whole batch.
 */
async function stageEvents(connection: DuckDBConnection, rows: EventRows): Promise<void> {
  // Not TEMP: a temporary table is its connection's own, and the days may be copied on others.
  await connection.run(`CREATE OR REPLACE TABLE ${STAGED_TABLE} (${rows.columns.map((c) => `${c.name} ${stagedTypeSql(c)}`).join(", ")}, day_number INTEGER)`);
  const appender = await connection.createAppender(STAGED_TABLE);
  const bindings = await duckdbBindings();
  const {DuckDBDataChunk} = await duckdbApi();
  // The chunks take the table's own column types: an ENUM type made again from its values would
  // cost as much as the table's, and DuckDB would compare the two member by member at every chunk.
  const native = nativeAppender(appender);
  const logicalTypes = Array.from({length: rows.columns.length + 1}, (_, i) => bindings.appender_column_type(native, i));
  const vectorSize = bindings.vector_size();
  // Text goes in as ENUM vectors: ids into the column's distinct values, one native call per
  // column per vector (into a VARCHAR column, the strings one by one).
  const buffers = rows.columns.map((c) => (c.kind === "double" ? new Float64Array(vectorSize) : c.kind === "boolean" ? new Uint8Array(vectorSize) : new Int32Array(vectorSize)));
  const enumIds = rows.columns.map((c) => (c.kind === "text" && stagedType(c) === "ENUM" ? enumIndexes(c.values.length, vectorSize) : null));
  const dayNumbers = new Int32Array(vectorSize);
  const validity = new Uint8Array(validityBytes(vectorSize));
  for (let start = 0; start < rows.count; start += vectorSize) {
    const count = Math.min(vectorSize, rows.count - start);
    const chunk = bindings.create_data_chunk(logicalTypes);
    rows.columns.forEach((column, index) => {
      const vector = bindings.data_chunk_get_vector(chunk, index);
      const buffer = buffers[index];
      if (column.kind === "text") {
        const ids = buffer as Int32Array;
        const anyNull = gatherTextIds(column, rows.order, start, count, ids, validity);
        const indexes = enumIds[index];
        if (indexes !== null) {
          // Null rows hold 0, masked.
          for (let k = 0; k < count; k++) indexes[k] = ids[k] < 0 ? 0 : ids[k];
          bindings.copy_data_to_vector(vector, 0, indexes.buffer as ArrayBuffer, 0, count * indexes.BYTES_PER_ELEMENT);
        } else {
          const bytes = utf8Values(column);
          for (let k = 0; k < count; k++) if (ids[k] >= 0) bindings.vector_assign_string_element_len(vector, k, bytes[ids[k]]);
        }
        if (anyNull) setValidity(bindings, vector, validity, count);
      } else {
        const anyNull = gatherNumbers(column, rows.order, start, count, buffer, validity);
        bindings.copy_data_to_vector(vector, 0, buffer.buffer as ArrayBuffer, 0, count * buffer.BYTES_PER_ELEMENT);
        if (anyNull) setValidity(bindings, vector, validity, count);
      }
    });
    const dayVector = bindings.data_chunk_get_vector(chunk, rows.columns.length);
    let undated = false;
    for (let k = 0; k < count; k++) {
      const day = rows.dayNumber[start + k];
      if (Number.isNaN(day)) {
        if (!undated) validity.fill(0xff, 0, validityBytes(count));
        undated = true;
        validity[k >> 3] &= ~(1 << (k & 7));
        dayNumbers[k] = 0;
      } else dayNumbers[k] = day;
    }
    bindings.copy_data_to_vector(dayVector, 0, dayNumbers.buffer as ArrayBuffer, 0, count * 4);
    if (undated) setValidity(bindings, dayVector, validity, count);
    bindings.data_chunk_set_size(chunk, count);
    appender.appendDataChunk(new DuckDBDataChunk(chunk));
  }
  appender.closeSync();
}

const utf8OfColumn = new WeakMap<RowColumn, Uint8Array[]>();

/** A VARCHAR-staged column's distinct values as UTF-8, each encoded once. */
function utf8Values(column: RowColumn & {kind: "text"}): Uint8Array[] {
  let bytes = utf8OfColumn.get(column);
  if (bytes === undefined) {
    const encoder = new TextEncoder();
    bytes = column.values.map((value) => encoder.encode(value));
    utf8OfColumn.set(column, bytes);
  }
  return bytes;
}

/** A buffer for a vector of ids as an ENUM of `values` members stores them: 1, 2 or 4 bytes each. */
function enumIndexes(values: number, length: number): Uint8Array | Uint16Array | Uint32Array {
  return values <= 255 ? new Uint8Array(length) : values <= 65_535 ? new Uint16Array(length) : new Uint32Array(length);
}

/** Hands a vector the validity of its first `count` rows (DuckDB's layout, see gatherTextIds). */
function setValidity(native: typeof bindings, vector: ReturnType<typeof bindings.data_chunk_get_vector>, validity: Uint8Array, count: number): void {
  native.vector_ensure_validity_writable(vector);
  native.copy_data_to_vector_validity(vector, 0, validity.buffer as ArrayBuffer, 0, validityBytes(count));
}

async function dropStagedEvents(connection: DuckDBConnection): Promise<void> {
  await connection.run(`DROP TABLE IF EXISTS ${STAGED_TABLE}`);
}

type Appender = Awaited<ReturnType<DuckDBConnection["createAppender"]>>;

function appendNullableVarchar(appender: Appender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}
