// The workbook's database: DuckDB-WASM from node_modules (no CDN), with the events and the
// rejected lines as tables read straight from their Parquet files over HTTP range requests.
import * as duckdb from "./duckdb-wasm.js";
import {FileAttachment} from "observablehq:stdlib";

/**
 * The events are one Parquet file per UTC day (src/data/events/[day].parquet.ts), listed with
 * their versions in event-days.json; the rejected lines are one file. `.href` right on the
 * attachment matters: a bare FileAttachment of a .parquet file makes Framework add parquet-wasm
 * and Arrow from jsDelivr, which the offline build cannot reach. docs/data-dictionary.md lists
 * the columns.
 */
const EVENT_DAYS = FileAttachment("../data/event-days.json");
const REJECTED = FileAttachment("../data/rejected.parquet").href;

interface EventDays {
  days: {day: string; events: number; version: string}[];
  /**
   * The rollup views (requests_hourly, requests_by_path, …) over the rollups table: pre-aggregated
   * requests for pages that must open fast on millions of events. Each has the columns the filters
   * use (ts, log_stream, is_bot, status), so `whereClause` applies as it does to `events`. Defined
   * with the rollups, in data-loaders/site-data.ts.
   */
  rollupViews: Record<string, string>;
  /** The events and rollups tables with their columns and no rows, for a store with no day yet. */
  empty: {events: string; rollups: string};
}

/**
 * Where a day's file is served. The built site has it at data/events/<day>.parquet from the site's
 * root (two levels above this module, in _import/components/); the preview serves data-loader
 * output under _file/ and marks its file URLs with ?sha=. The version makes a changed day a new URL.
 */
function dayFileUrl(kind: "events" | "rollups", day: EventDays["days"][number]): string {
  const inPreview = new URL(EVENT_DAYS.href, document.baseURI).searchParams.has("sha");
  const path = `${inPreview ? "_file/" : ""}data/${kind}/${encodeURIComponent(day.day)}.parquet?v=${day.version}`;
  return new URL(path, new URL("../../", import.meta.url)).href;
}

export type Row = Record<string, unknown>;

let database: Promise<{db: duckdb.AsyncDuckDB; conn: duckdb.AsyncDuckDBConnection}> | undefined;

/** One database per page load, opened on first use and shared by every cell. */
export async function connection(): Promise<duckdb.AsyncDuckDBConnection> {
  return (await (database ??= openDatabase())).conn;
}

/**
 * Runs `COPY (sql) TO … (FORMAT parquet)` inside DuckDB-WASM and returns the file's bytes: the
 * Explore page's Parquet download.
 */
export async function queryToParquet(sql: string): Promise<Uint8Array> {
  const {db, conn} = await (database ??= openDatabase());
  const name = `result-${Date.now()}.parquet`;
  await conn.query(`COPY (${sql}) TO '${name}' (FORMAT parquet, COMPRESSION zstd)`);
  try {
    return await db.copyFileToBuffer(name);
  } finally {
    await db.dropFile(name);
  }
}

async function openDatabase(): Promise<{db: duckdb.AsyncDuckDB; conn: duckdb.AsyncDuckDBConnection}> {
  // Framework copies these files from node_modules into the site, so no request leaves it.
  const wasm = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
  const workerUrl = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js");
  const worker = new Worker(workerUrl, {type: "module"});
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(wasm);
  // Plain numbers and Dates in results: counts never reach 2^53, and charts want Dates.
  await db.open({query: {castBigIntToDouble: true, castTimestampToDate: true, castDecimalToDouble: true}});
  const conn = await db.connect();
  // The engine's default is to fetch a missing extension from extensions.duckdb.org. Everything
  // the workbook needs is built in; with no network a query that needs more fails at once.
  await conn.query("SET autoinstall_known_extensions = false");
  await conn.query("SET autoload_known_extensions = false");
  const {days, rollupViews, empty} = (await EVENT_DAYS.json()) as EventDays;
  for (const kind of ["events", "rollups"] as const) {
    for (const [index, day] of days.entries()) {
      await db.registerFileURL(`${kind}-${index}.parquet`, dayFileUrl(kind, day), duckdb.DuckDBDataProtocol.HTTP, false);
    }
    const files = days.map((_, index) => `'${kind}-${index}.parquet'`).join(", ");
    // No day yet (an empty bucket): the same columns, no rows, so every page still runs.
    await conn.query(`CREATE VIEW ${kind} AS ${days.length > 0 ? `SELECT * FROM read_parquet([${files}])` : empty[kind]}`);
  }
  for (const [view, select] of Object.entries(rollupViews)) await conn.query(`CREATE VIEW ${view} AS ${select}`);
  await db.registerFileURL("rejected.parquet", new URL(REJECTED, document.baseURI).href, duckdb.DuckDBDataProtocol.HTTP, false);
  await conn.query("CREATE VIEW rejected AS SELECT * FROM read_parquet('rejected.parquet')");
  return {db, conn};
}

/**
 * Runs one SQL statement and returns its rows as plain objects. `params` fill `?` placeholders,
 * so values the analyst picks never need quoting by hand.
 */
export async function query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
  const conn = await connection();
  let table;
  if (params.length === 0) {
    table = await conn.query(sql);
  } else {
    const statement = await conn.prepare(sql);
    try {
      table = await statement.query(...params);
    } finally {
      await statement.close();
    }
  }
  return table.toArray().map((row) => ({...row.toJSON()}) as T);
}

/** The first row of a query, for single-number questions. */
export async function queryRow<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T> {
  const [row] = await query<T>(sql, params);
  return row;
}
