// `tsx bench/redraw-queries.ts <dir>`: what each page's queries cost in a filter redraw, in
// DuckDB-WASM (the same engine as the browser, its blocking Node build, one thread), over a store
// bench:site kept (BENCH_SITE_KEEP=1): each rollup kind the pages read made a table in memory as
// src/components/workbook.ts makes it, then every page's queries (src/queries/) asked under one
// instance picked, as bench:site's redraw picks it, each timed by the CPU it took (the least of
// REPEAT runs). Figures to read; nothing asserts a time.
import {readFileSync} from "node:fs";
import {createRequire} from "node:module";
import {join} from "node:path";
import {loadConfig} from "../data-loaders/config.js";
import {kindRollupsFiles, siteTables} from "../data-loaders/site-data.js";
import {demoEnvironment} from "../scripts/demo.js";
import {DEFAULT_FILTER, pathsWhereClause, whereClause} from "../src/components/event-filter.js";
import {withInlineLiterals} from "../src/components/sql-literals.js";
import type {Ask, Row, Where} from "../src/queries/query.js";
import {INSTANCES} from "./workload.js";

type Bindings = {
  instantiate(): Promise<unknown>;
  open(config: object): void;
  registerFileBuffer(name: string, buffer: Uint8Array): void;
  connect(): {query(sql: string): {numRows: number; toArray(): {toJSON(): Row}[]}};
};
const require = createRequire(import.meta.url);
const wasm = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs") as {
  createDuckDB(bundles: object, logger: object, runtime: object): Promise<Bindings>;
  NODE_RUNTIME: object;
  VoidLogger: new () => object;
};
const dist = (file: string) => require.resolve(`@duckdb/duckdb-wasm/dist/${file}`);

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/redraw-queries.ts <a directory bench:site kept>");
const config = loadConfig(join(dir, "project"), demoEnvironment("http://127.0.0.1:1", join(dir, "store")));
const kindFiles = await kindRollupsFiles(config);
const {rollupViews, rollupKindOfView} = siteTables();

const db = await wasm.createDuckDB(
  {mvp: {mainModule: dist("duckdb-mvp.wasm"), mainWorker: dist("duckdb-node-mvp.worker.cjs")}, eh: {mainModule: dist("duckdb-eh.wasm"), mainWorker: dist("duckdb-node-eh.worker.cjs")}},
  new wasm.VoidLogger(),
  wasm.NODE_RUNTIME,
);
await db.instantiate();
db.open({query: {castBigIntToDouble: true, castTimestampToDate: true, castDecimalToDouble: true}});
const conn = db.connect();
// As workbook.ts does once a page's kinds are fetched: each view a table in memory.
for (const [view, kind] of Object.entries(rollupKindOfView)) {
  const files = kindFiles.get(kind) ?? [];
  files.forEach((file, index) => db.registerFileBuffer(`${kind}-${index}.parquet`, new Uint8Array(readFileSync(file))));
  const started = performance.now();
  conn.query(`CREATE VIEW rollups_${kind} AS SELECT * FROM read_parquet([${files.map((_, index) => `'${kind}-${index}.parquet'`).join(", ")}])`);
  conn.query(`CREATE TABLE ${view}_in_memory AS ${rollupViews[view]}`);
  conn.query(`CREATE VIEW ${view} AS SELECT * FROM ${view}_in_memory`);
  const [{rows}] = conn.query(`SELECT count(*) AS rows FROM ${view}`).toArray().map((r) => r.toJSON());
  console.log(`${view.padEnd(22)} ${String(rows).padStart(9)} rows, made a table in ${Math.round(performance.now() - started)} ms`);
}
// The views over the kinds' views (requests_by_client: the client rows joined to their labels).
for (const [view, select] of Object.entries(rollupViews)) if (!(view in rollupKindOfView)) conn.query(`CREATE VIEW ${view} AS ${select}`);

const filter = {...DEFAULT_FILTER, instance: INSTANCES[1]};
const where: Where = whereClause(filter);
// Each page asked REPEAT times (default 3), each query's least time printed (the machine is
// shared) and its first: a reader's redraw is the first time the query runs on that engine.
const repeat = Number(process.env.REPEAT ?? 3);
for (const page of (process.env.PAGES ?? "index traffic geography top-talkers security user-agents status-codes visits broken-links").split(" ")) {
  const times = new Map<string, number>();
  const firstTimes = new Map<string, number>();
  const ask: Ask = async (query) => {
    const sql = query.params.length === 0 ? query.sql : withInlineLiterals(query.sql, query.params);
    if (sql === null) throw new Error(`not inlined: ${query.sql}`);
    // CPU time, not wall time: the blocking build runs the query on this thread, and on a shared
    // machine the wall time is mostly other processes'.
    const started = process.cpuUsage();
    const rows = conn.query(sql).toArray().map((r) => r.toJSON());
    const spent = process.cpuUsage(started);
    const key = query.sql.replace(/\s+/g, " ").trim().slice(0, 110);
    times.set(key, Math.min(times.get(key) ?? Infinity, (spent.user + spent.system) / 1000));
    if (!firstTimes.has(key)) firstTimes.set(key, (spent.user + spent.system) / 1000);
    return rows;
  };
  const {firstView} = (await import(`../src/queries/${page}.js`)) as {firstView: (ask: Ask, where: Where, pathsWhere?: Where) => Promise<void>};
  for (let i = 0; i < repeat; i++) await firstView(ask, where, pathsWhereClause(filter));
  console.log(`${page}, instance ${filter.instance}: ${Math.round([...times.values()].reduce((a, b) => a + b, 0))} ms of CPU in all (each query's least of ${repeat})`);
  for (const [sql, ms] of times) console.log(`  ${String(Math.round(ms)).padStart(6)} ms (first ${String(Math.round(firstTimes.get(sql)!)).padStart(5)})  ${sql}`);
}
