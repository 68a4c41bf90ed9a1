// The writer that hands DuckDB rows already ordered and enriched (write/event-rows.ts) against the
// one before it, kept as the reference in test/support/join-writer.ts (a join in DuckDB, sorted by
// ORDER BY): on the sample's S3 sink objects and on the real log (as the benchmarks ship it, and
// with 25,000 clients), with real GeoLite2, both must write the same days, the same rows in the
// same order and the same Parquet schema.
import assert from "node:assert/strict";
import {readdirSync, readFileSync} from "node:fs";
import {mkdir, mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join, relative, sep} from "node:path";
import {after, before, test} from "node:test";
import {gunzipSync} from "node:zlib";
import type {DuckDBConnection} from "@duckdb/node-api";
import {resolveConfig} from "../../data-loaders/config.js";
import {openEnrichment, type Enrichment} from "../../data-loaders/enrich/enrichers.js";
import {ingestSinkObject} from "../../data-loaders/ingest-object.js";
import {configuredLineParser} from "../../data-loaders/parse/formats.js";
import {decodeKeyFile} from "../../data-loaders/records/connect-key.js";
import {decodeObjectText} from "../../data-loaders/sources/object-text.js";
import {parseSinkObjectKey, sinkObjectStem} from "../../data-loaders/sources/sink-object-key.js";
import {closeDuckDB, openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";
import {writeEventsByDay, type DayFile} from "../../data-loaders/write/parquet.js";
import {benchObject, RECORDS_PER_OBJECT, type Workload} from "../../bench/workload.js";
import {writeEventsByDayWithJoin} from "../support/join-writer.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {everyInstance} from "../../data-loaders/parse/instance-formats.js";

let dir: string;
let duckdb: DuckDBConnection;
let enrichment: Enrichment;
const config = () => resolveConfig({bucket: "b", store: join(dir, "store")}, {WEBLOG_GEOIP_DIR: join(dir, "geoip")}, dir);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-event-rows-"));
  duckdb = await openDuckDB();
  enrichment = await openEnrichment(config());
});

after(async () => {
  if (duckdb) closeDuckDB(duckdb);
  if (dir) await rm(dir, {recursive: true, force: true});
});

/** The sample's S3 sink value objects, each read with its key file, into one batch. */
function sampleBatch(): EventBatch {
  const root = join(PROJECT_DIR, "sample/s3-sink");
  const files = readdirSync(root, {recursive: true, withFileTypes: true}).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const bytesOf = (file: string) => (file.endsWith(".gz") ? gunzipSync(readFileSync(file)) : readFileSync(file));
  const keyFiles = new Map<string, string>();
  const values: {file: string; key: string; topic: string; partition: number; startOffset: number}[] = [];
  for (const file of files) {
    const name = parseSinkObjectKey(relative(root, file).split(sep).join("/"), "topics/");
    if ("keyFile" in name) keyFiles.set(name.stem, file);
    else if ("topic" in name) values.push({file, ...name});
  }
  const batch = new EventBatch();
  const parser = everyInstance(configuredLineParser(config()));
  for (const {file, ...object} of values) {
    const keyFile = keyFiles.get(sinkObjectStem(object.key));
    const {pieces, invalidUtf8Lines} = decodeObjectText(bytesOf(file));
    ingestSinkObject(pieces, object, parser, batch, () => false, {problem: null, invalidUtf8Lines}, keyFile ? decodeKeyFile(bytesOf(keyFile)) : null);
  }
  return batch;
}

/** `events` lines of a benchmark workload (the real log, re-timed over 30 days) as the sink ships them. */
function workloadBatch(events: number, workload: Workload): EventBatch {
  const batch = new EventBatch();
  const parser = everyInstance(configuredLineParser(config()));
  for (let i = 0; i < Math.ceil(events / RECORDS_PER_OBJECT); i++) {
    const {key, body} = benchObject(i, events, 2025, workload);
    const name = parseSinkObjectKey(key, "topics/");
    if (!("topic" in name)) throw new Error(`not a value object: ${key}`);
    ingestSinkObject(body, name, parser, batch);
  }
  return batch;
}

async function writeBoth(label: string, batch: EventBatch, daysAtOnce = 1): Promise<{written: DayFile[]; reference: DayFile[]}> {
  const folder = async (name: string) => {
    const path = join(dir, label, name);
    await mkdir(path, {recursive: true});
    return async (day: string) => join(path, `${day}.parquet`);
  };
  const enrichers = {geo: enrichment.geo, userAgent: enrichment.userAgent};
  const written = await writeEventsByDay(duckdb, batch, enrichers, await folder("new"), {daysAtOnce});
  const reference = await writeEventsByDayWithJoin(duckdb, batch, enrichers, await folder("reference"));
  return {written, reference};
}

async function rowsOf(file: string): Promise<unknown[][]> {
  return (await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`)).getRowsJS() as unknown[][];
}

async function schemaOf(file: string): Promise<unknown[][]> {
  return (await duckdb.runAndReadAll(`SELECT name, type, logical_type FROM parquet_schema(${sqlString(file)})`)).getRowsJS() as unknown[][];
}

async function assertSameStore(label: string, batch: EventBatch, daysAtOnce = 1): Promise<void> {
  const {written, reference} = await writeBoth(label, batch, daysAtOnce);
  const summary = (days: DayFile[]) => days.map(({day, rows, minTs, maxTs, keys}) => ({day, rows, minTs, maxTs, keys: [...keys].sort()}));
  assert.deepEqual(summary(written), summary(reference));
  assert.equal(written.reduce((n, d) => n + d.rows, 0), batch.size);
  for (const [i, day] of written.entries()) {
    assert.deepEqual(await schemaOf(day.file), await schemaOf(reference[i].file), `${label} ${day.day}: schema`);
    const rows = await rowsOf(day.file);
    const expected = await rowsOf(reference[i].file);
    assert.equal(rows.length, expected.length);
    // Row by row, in order: (ts, topic, kafka_partition, kafka_offset) is unique in S3 sink data, so the order is total.
    for (let r = 0; r < rows.length; r++) assert.deepEqual(rows[r], expected[r], `${label} ${day.day}: row ${r}`);
  }
}

test("the sample's S3 sink objects: the same days, rows, order and schema as the join-and-sort writer", async () => {
  const batch = sampleBatch();
  assert.ok(batch.size > 5000);
  await assertSameStore("sample", batch);
});

test("the real log as the benchmark ships it: the same store as the join-and-sort writer", async () => {
  await assertSameStore("real", workloadBatch(20_000, "real"));
});

test("the real log with 25,000 clients, a third of them IPv6: the same store as the join-and-sort writer", async () => {
  const batch = workloadBatch(30_000, "diverse");
  // Past 255 distinct values the ENUMs of the staged text take two bytes an id.
  assert.ok(batch.clients.size > 10_000 && batch.agents.size > 255);
  await assertSameStore("diverse", batch);
});

test("days written three at once, each on a connection of its own (a sync's last batch): the same store as the join-and-sort writer", async () => {
  const batch = workloadBatch(30_000, "diverse");
  await assertSameStore("three at once", batch, 3);
  // Nothing of the batch stays in DuckDB: no table, and the rows it was read through are given up.
  const tables = await duckdb.runAndReadAll("SELECT table_name FROM duckdb_tables()");
  assert.equal(tables.currentRowCount, 0);
  await assert.rejects(duckdb.run("SELECT count(*) FROM weblog_batch_rows(1, 0, 1)"), /no batch 1 is being written/);
});

test("70,000 distinct clients (ENUM ids of four bytes) and events without a time (the undated file, last) as the join-and-sort writer writes them", async () => {
  const batch = new EventBatch();
  const parser = configuredLineParser(config());
  const clients = 70_000;
  for (let i = 0; i < clients + 500; i++) {
    const client = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const parsed = parser.parse(`${client} - - [0${1 + (i % 3)}/May/2024:10:00:${String(i % 60).padStart(2, "0")} +0000] "GET /p/${i % 40} HTTP/1.1" 200 ${i} "-" "agent ${i % 9}"`);
    assert.ok(!("error" in parsed), JSON.stringify(parsed));
    // A format without %t gives events no time: every 97th has none.
    batch.add({ingest_ts: null, log_group: "g", log_stream: "s", topic: "t", kafka_partition: 0, kafka_offset: i, s3_key: `k${i % 5}`, event_id: null}, i % 97 === 0 ? {...parsed, ts: null} : parsed);
  }
  assert.ok(batch.clients.size > 65_535);
  const {written} = await writeBoth("four-byte ids", batch);
  assert.deepEqual(written.map((d) => d.day), ["2024-05-01", "2024-05-02", "2024-05-03", "undated"]);
  await assertSameStore("four-byte ids again", batch, 2);
});

test("text the SQL of an ENUM cannot carry (a NUL character, a lone surrogate, very long values) is written as the join-and-sort writer writes it", async () => {
  const batch = new EventBatch();
  const parser = configuredLineParser(config());
  const long = "x".repeat(50_000);
  for (let i = 0; i < 200; i++) {
    const line = `203.0.113.${i % 7} - - [21/Apr/2023:00:19:${String(i % 60).padStart(2, "0")} +0000] "GET /a\u0000b/${i % 3}${i % 2 ? long : ""}${i} HTTP/1.1" 200 ${i} "http://x/\ud800${i % 4}" "agent\u0000${i % 5}${long}"`;
    const parsed = parser.parse(line);
    assert.ok(!("error" in parsed), JSON.stringify(parsed));
    batch.add({ingest_ts: null, log_group: "g", log_stream: "s", topic: "t", kafka_partition: 0, kafka_offset: i, s3_key: "k", event_id: null}, parsed);
  }
  assert.ok(batch.urls.values.some((url) => url.includes("\u0000")));
  await assertSameStore("nul", batch);
});

