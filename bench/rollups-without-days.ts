// `tsx bench/rollups-without-days.ts <dir>`: what rollups summed over the days would save a filter
// change with no day range, over a store bench:site kept (BENCH_SITE_KEEP=1). For each per-day kind
// below, one instance's rows made a table in DuckDB-WASM (its blocking Node build, one thread, the
// browser's engine), as the pages' instance tables hold them, and the same rows summed over the
// days; then a question each way, timed by its CPU (the least of four runs). Figures to read for
// docs/design-notes.md ("A redraw at 10M is both cores' work"); nothing asserts a time.
import {cpus} from "node:os";
import {cpuMs, keptKindFiles, openWasmEngine, registerKindFiles} from "./wasm-engine.js";
import {INSTANCES} from "./workload.js";

/** Each kind measured, with a question of the kind a page asks of it (`ROWS`: the table's name). */
const QUESTIONS: Record<string, string> = {
  agent: "SELECT user_agent, sum(requests) AS requests FROM ROWS WHERE NOT own_traffic AND user_agent IS NOT NULL GROUP BY user_agent ORDER BY requests DESC, user_agent LIMIT 40",
  client: "SELECT client_id, sum(requests) AS requests, sum(bytes) AS bytes FROM ROWS WHERE NOT own_traffic GROUP BY client_id ORDER BY requests DESC, client_id LIMIT 15",
  path: "SELECT path, sum(requests) AS requests FROM ROWS WHERE NOT own_traffic AND request_class = 'page' GROUP BY path ORDER BY requests DESC, path LIMIT 10",
  country: "SELECT country, sum(requests) AS requests FROM ROWS WHERE NOT own_traffic GROUP BY country ORDER BY requests DESC, country LIMIT 10",
  referrer: "SELECT referrer_host, sum(requests) AS requests FROM ROWS WHERE NOT own_traffic GROUP BY referrer_host ORDER BY requests DESC, referrer_host LIMIT 10",
  visitor: "SELECT count(*) AS visitors FROM (SELECT visitor_id FROM ROWS WHERE NOT own_traffic GROUP BY visitor_id)",
};
/** What a row's columns become summed over the days: the measures summed or bounded, the day and what is said of it dropped. */
const OVER_THE_DAYS: Record<string, string | null> = {ts: null, visitor_rows: null, requests: "CAST(sum(requests) AS BIGINT)", bytes: "CAST(sum(bytes) AS BIGINT)", first_ts: "min(first_ts)", last_ts: "max(last_ts)"};

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/rollups-without-days.ts <a directory bench:site kept>");
const kindFiles = await keptKindFiles(dir);
const instance = INSTANCES[1];
console.log(`# rollups summed over the days, one instance (${instance}) of ${dir}; DuckDB-WASM in Node ${process.version}, one thread; ${cpus().length} cores`);
console.log("| kind | rows, per day → summed over the days | per day → without days (CPU, least of 4) |\n|---|---|---|");

for (const [kind, question] of Object.entries(QUESTIONS)) {
  // A fresh engine per kind, as a page holds only its own kinds.
  const {db, conn} = await openWasmEngine();
  const fileList = registerKindFiles(db, kind, kindFiles.get(kind) ?? []).map((name) => `'${name}'`).join(", ");
  conn.query(`CREATE TABLE per_day AS SELECT * EXCLUDE (log_stream) FROM read_parquet([${fileList}]) WHERE log_stream = '${instance}'`);
  const columns = conn.query("DESCRIBE per_day").toArray().map((row) => String(row.toJSON().column_name));
  const summed = columns.filter((column) => OVER_THE_DAYS[column] !== null).map((column) => (column in OVER_THE_DAYS ? `${OVER_THE_DAYS[column]} AS ${column}` : column));
  conn.query(`CREATE TABLE over_the_days AS SELECT ${summed.join(", ")} FROM per_day GROUP BY ALL`);
  const rows = (table: string) => Number(conn.query(`SELECT count(*) AS n FROM ${table}`).toArray()[0].toJSON().n);
  const time = (table: string) => {
    let least = Infinity;
    for (let run = 0; run < 4; run++) {
      const started = process.cpuUsage();
      conn.query(question.replaceAll("ROWS", table));
      least = Math.min(least, cpuMs(started));
    }
    return least;
  };
  console.log(`| ${kind} | ${rows("per_day").toLocaleString("en-US")} → ${rows("over_the_days").toLocaleString("en-US")} | ${time("per_day").toFixed(0)} → ${time("over_the_days").toFixed(0)} ms |`);
}
