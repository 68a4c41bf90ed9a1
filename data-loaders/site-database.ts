// The site's tables in Node, as the browser makes them in DuckDB-WASM (src/components/workbook.ts):
// `events`, `rejected`, `rollups` and the rollup views, over the store's files. The site's first
// views are computed here, with the page's own query text, when the site's data is made; rows
// come back as the browser's do (numbers, not BigInts; timestamps as Dates), so a page's chain of
// queries (a time bucket chosen from the first query's range) takes the same turns in both.
import {join} from "node:path";
import type {DuckDBConnection, DuckDBValue} from "@duckdb/node-api";
import type {WeblogConfig} from "./config.js";
import {SUMMARY_VIEWS} from "./contracts/summary-views.js";
import {ENGINE_SETTINGS} from "./contracts/engine-settings.js";
import {CLIENT_PLACE_KIND, kindRollupsFiles, rollupKindTable, siteTables} from "./site-data.js";
import {withDerivedColumns} from "./derive/site-columns.js";
import {REJECTED_COLUMNS} from "./event.js";
import {sharedManifest, segmentsOfKind} from "./store/manifest.js";
import {closeDuckDB, openDuckDB, sqlFileList} from "./write/duckdb.js";

export type SiteRow = Record<string, unknown>;

export interface SiteDatabase {
  /** Runs one statement; `params` fill its `?` placeholders. */
  rows(sql: string, params?: readonly unknown[]): Promise<SiteRow[]>;
  close(): void;
}

/**
 * Opens the site's tables over the store. Each kind's rollups files (one per block of days) are
 * made first if missing (kept in the store, from each day's, so only a changed block costs anything); the events and rejected
 * lines are read from the store's segments, for the rare first view that reads them.
 */
export async function openSiteDatabase(config: WeblogConfig, {kindsAs = "views"}: {kindsAs?: "views" | "tables"} = {}): Promise<SiteDatabase> {
  const kindFiles = await kindRollupsFiles(config);
  const manifest = await sharedManifest(config.store);
  const filesOf = (kind: "events" | "rejected") => segmentsOfKind(manifest, kind).map((s) => join(config.store, s.file));
  const {empty, rollupViews} = siteTables();
  const conn = await openDuckDB({tempDirectory: join(config.store, "tmp")});
  // The derived columns' lists (a request class's extensions) stay expressions rather than joins
  // (DuckDB's in_clause rewrite), so a query that names none of the derived columns leaves them
  // out: a count of `events` reads the Parquet footers and the client addresses, not every row's
  // path through two joins too (at 1M, 0.07 s of CPU against 0.36 s). An optimizer's choice: the
  // same rows.
  await conn.run("SET disabled_optimizers = 'in_clause'");
  await defineRollups(conn, kindFiles, kindsAs);
  const rejected = filesOf("rejected");
  await conn.run(`CREATE VIEW rejected AS ${rejected.length > 0 ? `SELECT * FROM read_parquet(${sqlFileList(rejected)})` : emptyRejectedSql()}`);
  // `events` is made when a query first names it: the shipped pages' first views read the
  // rollups only, and making it passes every client address through the own-traffic rules (0.27
  // s at 10M events, 25,000 addresses). A query naming it has the word in its text; one that has
  // the word elsewhere only (a comment, a column) makes it for nothing, but none misses it.
  let events: Promise<void> | null = null;
  const defineEvents = async () => {
    // The store's rows with the columns the site derives (request class, own traffic), as the day
    // files have them. Their client addresses, for the own-traffic rules, are read from the client
    // places (a row per address and GeoLite2 place, every event's address among them) rather than
    // from every event: at 1M events 25–47 ms of CPU against 155–170 ms, and the events' part
    // grows with the history.
    const storedEvents = filesOf("events");
    const places = kindFiles.get(CLIENT_PLACE_KIND) ?? [];
    const clients = places.length > 0 ? `read_parquet(${sqlFileList(places)})` : undefined;
    const derived = storedEvents.length > 0 ? await withDerivedColumns(conn, config, `read_parquet(${sqlFileList(storedEvents)})`, clients) : null;
    await conn.run(`CREATE VIEW events AS ${derived !== null ? `SELECT * FROM ${derived}` : empty.events}`);
  };
  // A summary view (contracts/summary-views.ts: the all-days views, the one-row visitors) is made
  // a table when a query first names it, as the browser makes it once its kind is in memory: the
  // pages ask it several questions each (User agents five), and as a view each would sum the
  // kind's rows again.
  const summaryTables = new Map<string, Promise<void>>();
  const summaryTable = async (view: string) => {
    await conn.run(`CREATE TABLE ${view}_summed AS ${rollupViews[view]}`);
    await conn.run(`CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${view}_summed`);
  };
  return {
    rows: async (sql, params = []) => {
      if (/\bevents\b/i.test(sql)) await (events ??= defineEvents());
      for (const view of SUMMARY_VIEWS) {
        if (!new RegExp(`\\b${view}\\b`).test(sql)) continue;
        if (!summaryTables.has(view)) summaryTables.set(view, summaryTable(view));
        await summaryTables.get(view);
      }
      return browserLikeRows(conn, sql, params);
    },
    close: () => closeDuckDB(conn),
  };
}

/**
 * The site's rollups alone (no events) over some of the kinds' files: one block's, for a query
 * answered a block at a time (daily-answers.ts).
 */
export async function openRollupsDatabase(config: WeblogConfig, kindFiles: ReadonlyMap<string, string[]>): Promise<DuckDBConnection> {
  const conn = await openDuckDB({tempDirectory: join(config.store, "tmp")});
  await defineRollups(conn, kindFiles, "views");
  return conn;
}

/** As in the browser: a table per kind over its files, `rollups` over all of them, and the views the pages read. */
async function defineRollups(conn: DuckDBConnection, kindFiles: ReadonlyMap<string, string[]>, kindsAs: "views" | "tables"): Promise<void> {
  // The engine set as the browser sets it (the pages' queries are written for it).
  for (const setting of ENGINE_SETTINGS) await conn.run(setting);
  const {rollupViews, allRollups, empty} = siteTables();
  for (const [kind, files] of kindFiles) {
    await conn.run(`CREATE ${kindsAs === "tables" ? "TABLE" : "VIEW"} ${rollupKindTable(kind)} AS ${files.length > 0 ? `SELECT * FROM read_parquet(${sqlFileList(files)})` : empty.rollups}`);
  }
  await conn.run(`CREATE VIEW rollups AS ${allRollups}`);
  for (const [view, select] of Object.entries(rollupViews)) await conn.run(`CREATE VIEW ${view} AS ${select}`);
}

function emptyRejectedSql(): string {
  return `SELECT ${REJECTED_COLUMNS.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(", ")} WHERE false`;
}

/** Rows as DuckDB-WASM gives them with the workbook's settings: every integer a number, timestamps Dates. */
async function browserLikeRows(conn: DuckDBConnection, sql: string, params: readonly unknown[]): Promise<SiteRow[]> {
  const reader = params.length > 0 ? await conn.runAndReadAll(sql, params as DuckDBValue[]) : await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const plain: SiteRow = {};
    for (const [name, value] of Object.entries(row)) plain[name] = typeof value === "bigint" ? Number(value) : value;
    return plain;
  });
}
