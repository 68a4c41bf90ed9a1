// Per-stage cost of taking S3 sink objects into the store, without S3 or the command around it:
// the workload's objects are made in memory, then each stage of the pipeline is run alone over
// all of them and timed in CPU (the main thread's, read from /proc, and the whole process's, so
// DuckDB's threads count) as well as wall time. The table in docs/design-notes.md comes from this.
// Figures for people; nothing asserts a time. On a loaded machine read the CPU columns.
//   npx tsx bench/ingest-stages.ts [events=500000] [workload=diverse]
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {resolveConfig} from "../data-loaders/config.js";
import {openEnrichment} from "../data-loaders/enrich/enrichers.js";
import {ingestSinkObject} from "../data-loaders/ingest-object.js";
import {configuredLineParser} from "../data-loaders/parse/formats.js";
import {isParseError} from "../data-loaders/parse/log-format.js";
import {decodeSinkRecord} from "../data-loaders/records/cloudwatch.js";
import {decodeObjectText} from "../data-loaders/sources/object-text.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {closeDuckDB} from "../data-loaders/write/duckdb.js";
import {openCommitDuckDB} from "../data-loaders/store/commit-queue.js";
import {EventBatch} from "../data-loaders/write/event-batch.js";
import {writeEventsByDay} from "../data-loaders/write/parquet.js";
import {mainThreadCpuSeconds} from "./cpu-seconds.js";
import {benchObject, RECORDS_PER_OBJECT, type Workload} from "./workload.js";
import {everyInstance} from "../data-loaders/parse/instance-formats.js";

const events = Number(process.argv[2] ?? 500_000);
const workload = (process.argv[3] ?? "diverse") as Workload;

const work = await mkdtemp(join(tmpdir(), "weblog-stages-"));
try {
  const config = resolveConfig({bucket: "bench", store: join(work, "store")}, {WEBLOG_GEOIP_DIR: join(work, "geoip")}, work);
  const parser = configuredLineParser(config);
  const objects = Array.from({length: Math.ceil(events / RECORDS_PER_OBJECT)}, (_, i) => {
    const {key, body} = benchObject(i, events, 2025, workload);
    const [, topic, partition, offset] = /\/([^/]+)\+(\d+)\+(\d+)\.json$/.exec(key)!;
    return {key, bytes: new TextEncoder().encode(body), name: {key, topic, partition: Number(partition), startOffset: Number(offset)}};
  });
  console.log(`# ${events.toLocaleString("en")} events, ${workload} workload, ${objects.length} objects; µs per event (main thread CPU / process CPU / wall)`);

  const texts = stage("decode bytes to text (UTF-8 check)", () => objects.map((o) => decodeObjectText(o.bytes).pieces));
  const lines = texts.flatMap((pieces) => pieces.flatMap((piece) => piece.split("\n"))).filter((line) => line !== "");
  const records = stage("record: JSON.parse and fields", () => lines.map((line) => decodeSinkRecord(line)));
  const parsed = stage("Apache line parse", () => records.map((r) => ("error" in r ? null : parser.parse(r.message))));
  if (parsed.some((p) => p === null || isParseError(p))) throw new Error("the workload should parse whole");
  const batch = stage("whole ingestSinkObject (the three above + batch.add)", () => {
    const b = new EventBatch();
    objects.forEach((o, i) => ingestSinkObject(texts[i], o.name, everyInstance(parser), b));
    return b;
  });
  console.log(`  distinct: ${batch.clients.size} clients, ${batch.agents.size} agents, ${batch.urls.size} urls, ${batch.referrers.size} referrers`);

  const enrichment = await openEnrichment(config);
  stage("enrich distinct clients (GeoLite2) and agents, first time", () => {
    for (const ip of batch.clients.values) enrichment.geo(ip);
    for (const agent of batch.agents.values) enrichment.userAgent(agent);
  });
  // As sync opens it: one DuckDB thread (store/commit-queue.ts).
  const duckdb = await openCommitDuckDB(join(work, "tmp"));
  let file = 0;
  const statements = new Map<string, {main: number; cpu: number; wall: number; count: number}>();
  await stageAsync("DuckDB: stage, ZSTD Parquet per day", () =>
    writeEventsByDay(timedStatements(duckdb, statements), batch, {geo: enrichment.geo, userAgent: enrichment.userAgent}, async () => join(work, `day-${file++}.parquet`)),
  );
  console.log("  of which, by statement (summed over the days):");
  for (const [sql, t] of [...statements].sort((a, b) => b[1].cpu - a[1].cpu).slice(0, 8)) report(`  ${t.count}× ${sql}`, t.main, {user: t.cpu * 1e6, system: 0}, t.wall * 1000);
  closeDuckDB(duckdb);
} finally {
  await rm(work, {recursive: true, force: true});
}

/** The connection, its run and runAndReadAll timed by statement (its first 70 characters, day literals masked). */
function timedStatements(duckdb: DuckDBConnection, into: Map<string, {main: number; cpu: number; wall: number; count: number}>): DuckDBConnection {
  const timed = (method: "run" | "runAndReadAll") =>
    async (sql: string) => {
      const main = mainThreadCpuSeconds();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = await duckdb[method](sql);
      const used = process.cpuUsage(cpu);
      const key = sql.replace(/'[^']*'/g, "'…'").slice(0, 70);
      const t = into.get(key) ?? {main: 0, cpu: 0, wall: 0, count: 0};
      t.main += mainThreadCpuSeconds() - main;
      t.cpu += (used.user + used.system) / 1e6;
      t.wall += (performance.now() - started) / 1000;
      t.count++;
      into.set(key, t);
      return result;
    };
  return Object.create(duckdb, {run: {value: timed("run")}, runAndReadAll: {value: timed("runAndReadAll")}}) as DuckDBConnection;
}

function report(label: string, main: number, cpu: NodeJS.CpuUsage, wall: number): void {
  const us = (seconds: number) => ((seconds * 1e6) / events).toFixed(2).padStart(6);
  console.log(`${us(main)} / ${us((cpu.user + cpu.system) / 1e6)} / ${us(wall / 1000)}  ${label}`);
}

function stage<T>(label: string, run: () => T): T {
  const main = mainThreadCpuSeconds();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = run();
  report(label, mainThreadCpuSeconds() - main, process.cpuUsage(cpu), performance.now() - started);
  return result;
}

async function stageAsync<T>(label: string, run: () => Promise<T>): Promise<T> {
  const main = mainThreadCpuSeconds();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  report(label, mainThreadCpuSeconds() - main, process.cpuUsage(cpu), performance.now() - started);
  return result;
}
