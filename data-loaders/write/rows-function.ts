// A batch's rows (write/event-rows.ts) as a DuckDB table function, so that each day's COPY to
// Parquet reads them straight from the batch's arrays, a vector at a time, in the store's order.
// Staging them first as a DuckDB table (an appender, then a scan of that table per day) copied
// every value twice more: 500,000 rows of 43 columns staged and copied in 520–615 ms, through the
// function in 333–355 ms (docs/design-notes.md, "Ingest, eighth round").
import type bindings from "@duckdb/node-bindings";
import type {DuckDBConnection, DuckDBTableFunctionBindInfo} from "@duckdb/node-api";
import type {Int32Column} from "./columns.js";
import {databaseOf, duckdbApi, duckdbBindings} from "./duckdb.js";
import {gatherEventNumbers, gatherSourceIds, numbersFrom, textIdsFrom, validityBytes, type EventRows, type RowColumn} from "./event-rows.js";

/** The function's name in SQL: `weblog_batch_rows(batch, first, count)`. */
const FUNCTION_NAME = "weblog_batch_rows";

/** A column the function gives beside the store's: each row's place in the order, to name rows to leave out. */
export const ROW_POSITION = "row_position";

/**
 * A text column is given as an ENUM of its distinct values, so that only each row's id is
 * copied and DuckDB writes the strings from the ENUM's dictionary. A column with very many
 * distinct values (CloudWatch event ids) or very long ones is given as VARCHAR, where making the
 * ENUM would cost more than the strings; so is one holding a NUL character (an ENUM member is a
 * C string) or a lone surrogate (log content is the attacker's): two such values would be one
 * and the same once in UTF-8 (U+FFFD), which an ENUM cannot hold twice.
 */
const MAX_ENUM_VALUES = 100_000;
const MAX_ENUM_CHARS = 4_000_000;
const LONE_SURROGATE = /\p{Cs}/u;

type GivenType = "ENUM" | "VARCHAR" | "DOUBLE" | "INTEGER" | "BOOLEAN";

const givenTypes = new WeakMap<RowColumn, GivenType>();

/** The type the function gives a column in. */
export function givenType(column: RowColumn): GivenType {
  if (column.kind !== "text") return column.kind === "double" ? "DOUBLE" : column.kind === "boolean" ? "BOOLEAN" : "INTEGER";
  let type = givenTypes.get(column);
  if (type === undefined) {
    type = column.values.length > 0 && isEnumWorthwhile(column.values) ? "ENUM" : "VARCHAR";
    givenTypes.set(column, type);
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

/** A batch's rows as the function gives them, with each column's DuckDB type for every scan's bind. */
interface GivenBatch {
  rows: EventRows;
  types: bindings.LogicalType[];
}

/** What one scan reads: rows first … end - 1 of the order. */
interface Scan {
  batch: GivenBatch;
  next: number;
  end: number;
}

/** The batches each DuckDB can read through the function, by the id its SQL names. */
class GivenBatches {
  private readonly batches = new Map<number, GivenBatch>();
  private nextId = 1;

  add(batch: GivenBatch): number {
    const id = this.nextId++;
    this.batches.set(id, batch);
    return id;
  }

  get(id: number): GivenBatch | undefined {
    return this.batches.get(id);
  }

  delete(id: number): void {
    this.batches.delete(id);
  }
}

// A function registered on a connection is its database's: every connection to it calls it.
// Kept as the registration under way, so that a second caller waits for it.
const registered = new WeakMap<object, Promise<GivenBatches>>();

/**
 * Gives `rows` to the DuckDB of `connection` while `use` runs; `use` reads them with the SQL
 * `sourceSql(first, count)` names (rows first … first + count - 1, the store's columns by their
 * names and ROW_POSITION).
 */
export async function withRowsInDuckDB<T>(connection: DuckDBConnection, rows: EventRows, use: (sourceSql: (first: number, count: number) => string) => Promise<T>): Promise<T> {
  const given = await givenBatchesOf(connection);
  const native = await duckdbBindings();
  const types = rows.columns.map((column) => logicalTypeOf(native, column));
  const id = given.add({rows, types});
  try {
    return await use((first, count) => `${FUNCTION_NAME}(${id}, ${first}, ${count})`);
  } finally {
    given.delete(id);
  }
}

function givenBatchesOf(connection: DuckDBConnection): Promise<GivenBatches> {
  const database = databaseOf(connection);
  let given = registered.get(database);
  if (given === undefined) {
    given = registerRowsFunction(connection);
    registered.set(database, given);
  }
  return given;
}

async function registerRowsFunction(connection: DuckDBConnection): Promise<GivenBatches> {
  const batches = new GivenBatches();
  const {DuckDBTableFunction, INTEGER} = await duckdbApi();
  const native = await duckdbBindings();
  const vectorSize = native.vector_size();
  const rowsFunction = DuckDBTableFunction.create({
    name: FUNCTION_NAME,
    parameterTypes: [INTEGER, INTEGER, INTEGER],
    bindFunction: (info) => {
      const [id, first, count] = [0, 1, 2].map((i) => Number(info.getParameter(i)));
      const batch = batches.get(id);
      if (batch === undefined) return info.setError(`${FUNCTION_NAME}: no batch ${id} is being written`);
      if (!(first >= 0 && count >= 0 && first + count <= batch.rows.count)) return info.setError(`${FUNCTION_NAME}: rows ${first} to ${first + count} are not all in batch ${id} (${batch.rows.count} rows)`);
      const nativeInfo = nativeBindInfo(info);
      batch.rows.columns.forEach((column, i) => native.bind_add_result_column(nativeInfo, column.name, batch.types[i]));
      native.bind_add_result_column(nativeInfo, ROW_POSITION, native.create_logical_type(native.Type.INTEGER));
      info.setCardinality(count, true);
      info.setBindData({batch, first, end: first + count});
    },
    initFunction: (info) => {
      const {batch, first, end} = info.getBindData() as {batch: GivenBatch; first: number; end: number};
      info.setInitData({batch, next: first, end} satisfies Scan);
    },
    mainFunction: (info, output) => {
      const scan = info.getInitData() as Scan;
      const count = Math.min(vectorSize, scan.end - scan.next);
      if (count > 0) fillChunk(native, output.chunk, scan.batch, scan.next, count, vectorBuffers(vectorSize));
      native.data_chunk_set_size(output.chunk, Math.max(count, 0));
      scan.next += count;
    },
  });
  connection.registerTableFunction(rowsFunction);
  return batches;
}

/**
 * The C API's bind info under node-api's (a private field it does not expose; package.json pins
 * node-api to the node-bindings we import, so that both are one copy): through it the types made
 * once per batch are added, where node-api would make each ENUM again at every bind. A node-api
 * version without the field fails here, loudly.
 */
function nativeBindInfo(info: DuckDBTableFunctionBindInfo): bindings.TableFunctionBindInfo {
  const native = (info as unknown as {bind_info?: bindings.TableFunctionBindInfo}).bind_info;
  if (native === undefined) throw new Error("@duckdb/node-api's DuckDBTableFunctionBindInfo no longer holds its native bind info as `bind_info`");
  return native;
}

const logicalTypes = new WeakMap<RowColumn, bindings.LogicalType>();

/**
 * A column's DuckDB type, made once per column: a Firehose batch is given twice (its stored event
 * ids looked for, then its days copied) with the same columns, and an ENUM of tens of thousands
 * of values is not made again.
 */
function logicalTypeOf(native: typeof bindings, column: RowColumn): bindings.LogicalType {
  let logicalType = logicalTypes.get(column);
  if (logicalType === undefined) {
    const type = givenType(column);
    logicalType = type === "ENUM" && column.kind === "text" ? native.create_enum_type(column.values) : native.create_logical_type(native.Type[type]);
    logicalTypes.set(column, logicalType);
  }
  return logicalType;
}

/** Buffers for one vector of each kind, reused by every chunk this thread fills (one fills at a time). */
interface VectorBuffers {
  float64: Float64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  validity: Uint8Array;
  /** One for each source of ids a chunk's columns read through (fillChunk), made as first needed. */
  sourceIds: Int32Array[];
}

let buffers: VectorBuffers | null = null;

function vectorBuffers(size: number): VectorBuffers {
  if (buffers === null || buffers.int32.length !== size) {
    buffers = {float64: new Float64Array(size), int32: new Int32Array(size), uint8: new Uint8Array(size), uint16: new Uint16Array(size), uint32: new Uint32Array(size), validity: new Uint8Array(validityBytes(size)), sourceIds: []};
  }
  return buffers;
}

const utf8OfColumn = new WeakMap<RowColumn, Uint8Array[]>();

/** A VARCHAR column's distinct values as UTF-8, each encoded once. */
function utf8Values(column: RowColumn & {kind: "text"}): Uint8Array[] {
  let bytes = utf8OfColumn.get(column);
  if (bytes === undefined) {
    const encoder = new TextEncoder();
    bytes = column.values.map((value) => encoder.encode(value));
    utf8OfColumn.set(column, bytes);
  }
  return bytes;
}

/**
 * Rows start … start + count - 1 into the chunk: text as ENUM indexes (1, 2 or 4 bytes each, as
 * the ENUM's size asks) or strings, numbers as they are, each column one native copy. The ids of
 * each source (a client, an agent, an object's origin) are gathered once for all the columns
 * read through it: half the columns are a client's or an agent's.
 */
function fillChunk(native: typeof bindings, chunk: bindings.DataChunk, {rows}: GivenBatch, start: number, count: number, into: VectorBuffers): void {
  const {validity} = into;
  const gathered = new Map<Int32Column, Int32Array>();
  const idsOf = (source: Int32Column): Int32Array => {
    let ids = gathered.get(source);
    if (ids === undefined) {
      ids = into.sourceIds[gathered.size] ??= new Int32Array(into.int32.length);
      gatherSourceIds(source, rows.order, start, count, ids);
      gathered.set(source, ids);
    }
    return ids;
  };
  rows.columns.forEach((column, index) => {
    const vector = native.data_chunk_get_vector(chunk, index);
    let anyNull: boolean;
    if (column.kind === "text") {
      const ids = into.int32;
      anyNull = textIdsFrom(column, idsOf(column.source), count, ids, validity);
      if (givenType(column) === "ENUM") {
        // Null rows hold 0, masked; each id then converted to the ENUM's index type in one native copy.
        if (anyNull) for (let k = 0; k < count; k++) if (ids[k] < 0) ids[k] = 0;
        const indexes = column.values.length <= 255 ? into.uint8 : column.values.length <= 65_535 ? into.uint16 : into.uint32;
        indexes.set(ids.subarray(0, count));
        native.copy_data_to_vector(vector, 0, indexes.buffer as ArrayBuffer, 0, count * indexes.BYTES_PER_ELEMENT);
      } else {
        const bytes = utf8Values(column);
        for (let k = 0; k < count; k++) if (ids[k] >= 0) native.vector_assign_string_element_len(vector, k, bytes[ids[k]]);
      }
    } else if (column.from === "event") {
      const buffer = column.kind === "double" ? into.float64 : into.int32;
      anyNull = gatherEventNumbers(column, rows.order, start, count, buffer, validity);
      native.copy_data_to_vector(vector, 0, buffer.buffer as ArrayBuffer, 0, count * buffer.BYTES_PER_ELEMENT);
    } else {
      const buffer = column.kind === "double" ? into.float64 : column.kind === "boolean" ? into.uint8 : into.int32;
      anyNull = numbersFrom(column, idsOf(column.source), count, buffer, validity);
      native.copy_data_to_vector(vector, 0, buffer.buffer as ArrayBuffer, 0, count * buffer.BYTES_PER_ELEMENT);
    }
    if (anyNull) {
      native.vector_ensure_validity_writable(vector);
      native.copy_data_to_vector_validity(vector, 0, validity.buffer as ArrayBuffer, 0, validityBytes(count));
    }
  });
  const positions = into.int32;
  for (let k = 0; k < count; k++) positions[k] = start + k;
  native.copy_data_to_vector(native.data_chunk_get_vector(chunk, rows.columns.length), 0, positions.buffer as ArrayBuffer, 0, count * 4);
}
