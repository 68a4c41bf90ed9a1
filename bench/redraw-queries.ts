// `tsx bench/redraw-queries.ts <dir>`: what each page's queries cost in a filter redraw, in
// DuckDB-WASM (the same engine as the browser, its blocking Node build, one thread), over a store
// bench:site kept (BENCH_SITE_KEEP=1): per page a fresh engine, each rollup kind the page's queries
// read made a table in memory as src/components/workbook.ts makes it, the engine warmed up as the
// site warms it (BENCH_WARM_UP), then the page's queries (src/queries/) asked under one instance
// picked, as bench:site's redraw picks it, each timed by the CPU it took (its first run, and the
// least of REPEAT runs). Figures to read; nothing asserts a time.
import {SUMMARY_VIEWS} from "../data-loaders/contracts/summary-views.js";
import {siteTables} from "../data-loaders/site-data.js";
import {DEFAULT_FILTER, pathsWhereClause, warmUpFilters, whereClause} from "../src/components/event-filter.js";
import {summaryInMemory, viewInMemory} from "../src/components/instance-tables.js";
import {withInlineLiterals} from "../src/components/sql-literals.js";
import * as filterBar from "../src/queries/filter-bar.js";
import {NO_FILTER, type Ask, type Query, type Row, type Where} from "../src/queries/query.js";
import {cpuMs, keptKindFiles, openWasmEngine, registerKindFiles, type WasmConnection, type WasmDatabase} from "./wasm-engine.js";
import {INSTANCES} from "./workload.js";

type Connection = WasmConnection;
// madeTables: each view made (or being made: a page asks some queries side by side) in memory.
type Engine = {db: WasmDatabase; conn: Connection; madeTables: Map<string, Promise<void>>};

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/redraw-queries.ts <a directory bench:site kept>");
const kindFiles = await keptKindFiles(dir);
const {rollupViews, rollupKindOfView} = siteTables();

/** A fresh engine, as a page load has, with every rollup kind's files registered. */
async function openEngine(): Promise<Engine> {
  const {db, conn} = await openWasmEngine();
  for (const [kind, files] of kindFiles) registerKindFiles(db, kind, files);
  return {db, conn, madeTables: new Map()};
}

/**
 * As workbook.ts does for the kinds a page's queries read: each view `sql` names (or a view it
 * names reads: requests_by_client joins two) made tables in memory, once (one per instance, as
 * src/components/instance-tables.ts makes them, or one); the time it takes is
 * printed, not counted as the query's. The page's kinds only, as in a browser tab: every kind at
 * once took the engine's memory past 2 GB at 10M, where its Node build misreads file offsets.
 */
async function makeTablesFor(sql: string, {conn, madeTables}: Engine): Promise<void> {
  const named = Object.keys(rollupViews).filter((view) => names(sql, view));
  // The kinds' views a named view reads first: a view over them is defined once they are.
  for (const view of [...named.flatMap((view) => Object.keys(rollupKindOfView).filter((kindView) => names(rollupViews[view], kindView))), ...named]) {
    if (!madeTables.has(view)) madeTables.set(view, makeTable(view, conn));
    await madeTables.get(view);
  }
}

async function makeTable(view: string, conn: Connection): Promise<void> {
  const kind = rollupKindOfView[view];
  if (SUMMARY_VIEWS.includes(view)) {
    // A view summing another's rows, made a table as workbook.ts (summaryTables) makes it.
    const started = performance.now();
    const select = await summaryInMemory(run(conn), view, rollupViews[view]);
    conn.query(`CREATE VIEW ${view} AS ${select}`);
    viewsInMemory.set(view, select);
    console.log(`  ${view.padEnd(22)} summed, made a table in ${Math.round(performance.now() - started)} ms`);
    return;
  }
  if (kind === undefined) {
    // A view over the kinds' views (requests_by_client: the client rows joined to their labels).
    conn.query(`CREATE VIEW ${view} AS ${rollupViews[view]}`);
    return;
  }
  const started = performance.now();
  const files = kindFiles.get(kind) ?? [];
  conn.query(`CREATE VIEW rollups_${kind} AS SELECT * FROM read_parquet([${files.map((_, index) => `'${kind}-${index}.parquet'`).join(", ")}])`);
  const inMemory = await viewInMemory(run(conn), {select: rollupViews[view], view, files: files.map((_, index) => `${kind}-${index}.parquet`)});
  viewsInMemory.set(view, inMemory.select);
  conn.query(`CREATE VIEW ${view} AS ${inMemory.select}`);
  const [{rows}] = conn.query(`SELECT count(*) AS rows FROM ${view}`).toArray().map((r) => r.toJSON());
  console.log(`  ${view.padEnd(22)} ${String(rows).padStart(9)} rows, made ${inMemory.byInstance ? "a table per instance" : "a table"} in ${Math.round(performance.now() - started)} ms`);
}

/** Each view made tables in memory, with the SELECT of its rows from them (what the view is), as workbook.ts keeps it. */
const viewsInMemory = new Map<string, string>();

/** A statement on the blocking connection, as viewInMemory asks it. */
const run = (conn: Connection) => async (sql: string) => {
  const table = conn.query(sql) as unknown as {toArray(): {toJSON(): Row}[]; schema: {fields: {name: string}[]}};
  return {rows: table.toArray().map((r) => r.toJSON()), columns: table.schema.fields.map((f) => f.name)};
};

/** SQL naming `name` as a whole word, as workbook.ts reads it. */
const names = (sql: string, name: string) => new RegExp(`\\b${name}\\b`).test(sql);

/** A query's text with its values in place, as workbook.ts sends it. */
function inlined(query: Query): string {
  const sql = query.params.length === 0 ? query.sql : withInlineLiterals(query.sql, query.params);
  if (sql === null) throw new Error(`not inlined: ${query.sql}`);
  return sql;
}

// REDRAW=instance (the default) times the change bench:site makes first, one instance picked;
// REDRAW=2xx its second, 2xx then unticked as well (a condition on the status, another shape).
const redraw = process.env.REDRAW ?? "instance";
if (!["instance", "2xx"].includes(redraw)) throw new Error(`REDRAW is instance or 2xx, not ${redraw}`);
const filter = {...DEFAULT_FILTER, instance: INSTANCES[1], statuses: redraw === "2xx" ? DEFAULT_FILTER.statuses.filter((s) => s !== "2xx") : DEFAULT_FILTER.statuses};
const where: Where = whereClause(filter);
// Before the timed runs, as the site warms its engine up (workbook.ts, warmUp): BENCH_WARM_UP=none
// (the first runs are a fresh engine's), shipped (the page's queries once with no filter), or
// filtered (the default, as the site: then once more through each of warmUpFilters on a
// connection whose views are temporary views with its conditions, over the first instance, not
// the one timed).
const warmUp = process.env.BENCH_WARM_UP ?? "filtered";
if (!["none", "shipped", "filtered"].includes(warmUp)) throw new Error(`BENCH_WARM_UP is none, shipped or filtered, not ${warmUp}`);
// Each page asked REPEAT times (default 3), each query's least time printed (the machine is
// shared) and its first: a reader's redraw is the first time the query runs after the warm-up.
const repeat = Number(process.env.REPEAT ?? 3);
for (const page of (process.env.PAGES ?? "index traffic geography top-talkers security user-agents status-codes visits broken-links").split(" ")) {
  console.log(`${page}: a fresh engine`);
  const engine = await openEngine();
  const {firstView} = (await import(`../src/queries/${page}.js`)) as {firstView: (ask: Ask, where: Where, pathsWhere?: Where) => Promise<void>};
  // A warm-up query's answer; its CPU (not the tables' making) added to `warmUpMs`.
  let warmUpMs = 0;
  const answer = async (conn: Connection, query: Query): Promise<Row[]> => {
    const sql = inlined(query);
    await makeTablesFor(sql, engine);
    const started = process.cpuUsage();
    const rows = conn.query(sql).toArray().map((r) => r.toJSON());
    warmUpMs += cpuMs(started);
    return rows;
  };
  if (warmUp !== "none") {
    const shipped: Query[] = [];
    await firstView(async (query) => (shipped.push(query), answer(engine.conn, query)), NO_FILTER, pathsWhereClause(DEFAULT_FILTER));
    console.log(`  warm-up, the page's queries with no filter: ${Math.round(warmUpMs)} ms of CPU`);
    if (warmUp === "filtered") {
      const [range] = await answer(engine.conn, filterBar.dataRange);
      // BENCH_WARM_UP_ROUNDS=N: the first N of the site's filtered rounds only (all by default).
      const filters = warmUpFilters(range.first as Date, range.last as Date, INSTANCES[0]).slice(0, Number(process.env.BENCH_WARM_UP_ROUNDS ?? Infinity));
      for (const warmFilter of filters) {
        warmUpMs = 0;
        const warmWhere = inlined(whereClause(warmFilter));
        const warmConn = engine.db.connect();
        for (const view of Object.keys(rollupViews).filter((view) => engine.madeTables.has(view))) {
          const rows = `(${viewsInMemory.get(view) ?? rollupViews[view]})`;
          try {
            warmConn.query(`CREATE TEMP VIEW ${view} AS SELECT * FROM ${rows} ${warmWhere}`);
          } catch {
            // A view without one of the filter's columns stays as it is, as in workbook.ts.
          }
        }
        for (const query of shipped) await answer(warmConn, query);
        warmConn.close();
        console.log(`  warm-up, once more through ${warmWhere}: ${Math.round(warmUpMs)} ms of CPU`);
      }
    }
  }
  const times = new Map<string, number>();
  const firstTimes = new Map<string, number>();
  const ask: Ask = async (query) => {
    const sql = inlined(query);
    await makeTablesFor(sql, engine);
    // CPU time, not wall time: the blocking build runs the query on this thread, and on a shared
    // machine the wall time is mostly other processes'.
    const started = process.cpuUsage();
    const rows = engine.conn.query(sql).toArray().map((r) => r.toJSON());
    const spent = cpuMs(started);
    // The whole text and values: two questions may begin alike (the Overview's totals for this period and the one before).
    const key = JSON.stringify([query.sql, query.params]);
    times.set(key, Math.min(times.get(key) ?? Infinity, spent));
    if (!firstTimes.has(key)) firstTimes.set(key, spent);
    return rows;
  };
  for (let i = 0; i < repeat; i++) await firstView(ask, where, pathsWhereClause(filter));
  const sum = (m: Map<string, number>) => Math.round([...m.values()].reduce((a, b) => a + b, 0));
  console.log(`${page}, instance ${filter.instance}${redraw === "2xx" ? " and 2xx unticked" : ""}, after the warm-up "${warmUp}": ${sum(times)} ms of CPU in all (each query's least of ${repeat}), ${sum(firstTimes)} ms on their first runs`);
  for (const [key, ms] of times) {
    const [sql] = JSON.parse(key) as [string];
    console.log(`  ${String(Math.round(ms)).padStart(6)} ms (first ${String(Math.round(firstTimes.get(key)!)).padStart(5)})  ${sql.replace(/\s+/g, " ").trim().slice(0, 110)}`);
  }
}
