// `tsx bench/parse-in-duckdb.ts [events] [workload]`: whether DuckDB's own scanner could parse the
// S3 sink records faster than the JavaScript parser (issue 13). The workload's objects (diverse by
// default, bench/workload.ts) are written to a folder under the OS temp directory (removed at the
// end), then parsed both ways and each step's CPU printed per event: in JavaScript, `JSON.parse`
// of each record and the project's compiled Combined parser on one thread; in DuckDB (its Node
// bindings, one and then two threads), `read_json` of the records, `regexp_extract` of the line's
// nine fields, then the typed columns (the time, method, path, query, numbers). The regular
// expression is simpler than the parser (no escapes decoded, no other formats), so DuckDB's
// figures are a floor.
// Figures to read; nothing asserts a time.
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {availableParallelism, tmpdir} from "node:os";
import {join} from "node:path";
import {DuckDBInstance} from "@duckdb/node-api";
import {NAMED_FORMATS} from "../data-loaders/parse/formats.js";
import {compileLogFormat, isParseError} from "../data-loaders/parse/log-format.js";
import {processTreeCpuSeconds} from "./cpu-seconds.js";
import {benchObject, RECORDS_PER_OBJECT, type Workload} from "./workload.js";

const events = Number(process.argv[2] ?? 1_000_000);
const workload = (process.argv[3] ?? "diverse") as Workload;
const dir = mkdtempSync(join(tmpdir(), "weblog-parse-in-duckdb-"));
const bodies: string[] = [];
for (let o = 0; o < Math.ceil(events / RECORDS_PER_OBJECT); o++) {
  const {body} = benchObject(o, events, 2025, workload);
  bodies.push(body);
  writeFileSync(join(dir, `object-${String(o).padStart(6, "0")}.json`), body);
}
console.log(`# parsing ${events.toLocaleString("en")} records (${workload} workload) in JavaScript and in DuckDB — node ${process.version}, ${availableParallelism()} cores`);

async function timed<T>(step: string, work: () => Promise<T> | T): Promise<T> {
  const [cpuBefore, wallBefore] = [processTreeCpuSeconds(), performance.now()];
  const result = await work();
  const cpu = processTreeCpuSeconds() - cpuBefore;
  console.log(`${step.padEnd(66)} ${((performance.now() - wallBefore) / 1000).toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU: ${((cpu * 1e6) / events).toFixed(2)} µs per event`);
  return result;
}

const parser = compileLogFormat(NAMED_FORMATS.combined);
const parsed = await timed("JavaScript, one thread: JSON.parse and the Combined parser", () => {
  let lines = 0;
  for (const body of bodies) for (const record of body.split("\n")) if (!isParseError(parser.parse(JSON.parse(record).message))) lines++;
  return lines;
});
console.log(`  ${parsed.toLocaleString("en")} lines parsed`);

// A quoted field: anything but a quote or a backslash, or a backslash and the character it escapes.
const QUOTED = String.raw`"([^"\\]*(?:\\.[^"\\]*)*)"`;
const COMBINED = String.raw`^(\S+) (\S+) (\S+) \[([^\]]+)\] ${QUOTED} (\d{3}) (\S+) ${QUOTED} ${QUOTED}$`;
for (const threads of [1, 2]) {
  const instance = await DuckDBInstance.create(":memory:", {threads: String(threads)});
  const connection = await instance.connect();
  const step = (name: string) => `DuckDB, ${threads} thread${threads > 1 ? "s" : ""}: ${name}`;
  await timed(step("read_json of the records"), () =>
    connection.run(`CREATE TABLE records AS SELECT message FROM read_json('${dir}/*.json', format = 'newline_delimited', columns = {message: 'VARCHAR'})`),
  );
  await timed(step("regexp_extract of the nine fields"), () =>
    connection.run(`CREATE TABLE fields AS SELECT regexp_extract(message, '${COMBINED}', ['client_ip', 'ident', 'auth_user', 'time', 'request', 'status', 'bytes', 'referrer', 'user_agent']) AS f FROM records`),
  );
  await timed(step("typed columns"), () =>
    connection.run(`CREATE TABLE typed AS SELECT f.client_ip, nullif(f.ident, '-') AS ident, nullif(f.auth_user, '-') AS auth_user,
      try_strptime(f.time, '%d/%b/%Y:%H:%M:%S %z') AS ts, split_part(f.request, ' ', 1) AS method,
      split_part(split_part(f.request, ' ', 2), '?', 1) AS path, nullif(split_part(split_part(f.request, ' ', 2), '?', 2), '') AS query,
      split_part(f.request, ' ', 3) AS protocol, TRY_CAST(f.status AS SMALLINT) AS status, TRY_CAST(nullif(f.bytes, '-') AS BIGINT) AS bytes,
      nullif(f.referrer, '-') AS referrer, f.user_agent FROM fields`),
  );
  const reader = await connection.runAndReadAll("SELECT count(*) FILTER (WHERE f.client_ip = '') AS unmatched FROM fields");
  console.log(`  ${String(reader.getRowObjectsJson()[0].unmatched)} records the regular expression did not match`);
  connection.closeSync();
  instance.closeSync();
}
rmSync(dir, {recursive: true, force: true});
