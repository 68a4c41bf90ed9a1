// The Parquet writer against real DuckDB: what goes in comes out, column for column, nulls
// included, sorted by time, enriched once per distinct client and agent.
import assert from "node:assert/strict";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, test} from "node:test";
import {EVENT_COLUMNS, type EventOrigin, type GeoFields, type ParsedLine, type UserAgentFields} from "../../data-loaders/event.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";
import {writeEventsByDay, writeRejectedParquet, type Enrichers} from "../../data-loaders/write/parquet.js";

const BASE = Date.UTC(2023, 4, 17, 10, 0, 0);

// Every folder a test wrote into, removed when the file's tests are done.
const folders: string[] = [];
after(() => Promise.all(folders.map((dir) => rm(dir, {recursive: true, force: true}))));

async function outputFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "weblog-parquet-"));
  folders.push(dir);
  return dir;
}

/** Writes the batch as sync does, a file per day into `dir`; a glob of the files, in day order. */
async function writeEvents(duckdb: DuckDBConnection, batch: EventBatch, enrichers: Enrichers, dir: string): Promise<string> {
  await writeEventsByDay(duckdb, batch, enrichers, async (day) => join(dir, `${day}.parquet`));
  return join(dir, "*.parquet");
}

function line(i: number, overrides: Partial<ParsedLine> = {}): ParsedLine {
  return {
    ts: BASE + i * 1000,
    vhost: null,
    client_ip: `10.0.${i % 7}.${i % 251}`,
    ident: null,
    auth_user: i % 5 === 0 ? "alice" : null,
    method: i % 3 === 0 ? "POST" : "GET",
    url: `/page/${i % 13}?q=${i % 2}`,
    path: `/page/${i % 13}`,
    query: `q=${i % 2}`,
    protocol: "HTTP/1.1",
    status: i % 11 === 0 ? 404 : 200,
    bytes: i % 4 === 0 ? null : i * 10,
    referrer: i % 6 === 0 ? "https://Example.com/from" : null,
    referrer_host: i % 6 === 0 ? "example.com" : null,
    user_agent: i % 9 === 0 ? null : `agent-${i % 17}`,
    server_port: null,
    duration_us: i % 2 === 0 ? i * 100 : null,
    bytes_received: null,
    bytes_sent: null,
    ...overrides,
  };
}

function origin(i: number): EventOrigin {
  return {
    ingest_ts: BASE + i * 1000 + 1500,
    log_group: "cloudwatchLogsEC2",
    log_stream: i < 3000 ? "i-aaa" : "i-bbb",
    topic: "cloudwatchLogsEC2.i-aaa",
    kafka_partition: i % 2,
    kafka_offset: 1000 + i,
    s3_key: `topics/x/object-${Math.floor(i / 1000)}.json`,
    // Events of some formats carry CloudWatch's own id, others none.
    event_id: i % 3 === 0 ? null : `3195310660696698337880902507980421114328961542429822${String(i).padStart(4, "0")}`,
  };
}

function recordingEnrichers() {
  const geoCalls = new Map<string, number>();
  const agentCalls = new Map<string | null, number>();
  const enrichers: Enrichers = {
    geo(ip): GeoFields {
      geoCalls.set(ip, (geoCalls.get(ip) ?? 0) + 1);
      const known = ip.startsWith("10.0.1.");
      return {country_code: known ? "IN" : null, country: known ? "India" : null, subdivision: null, city: known ? "Mumbai" : null, latitude: known ? 19.07 : null, longitude: known ? 72.87 : null, time_zone: known ? "Asia/Kolkata" : null, asn: known ? 64512 : null, as_org: known ? "Example AS" : null};
    },
    userAgent(agent): UserAgentFields {
      agentCalls.set(agent, (agentCalls.get(agent) ?? 0) + 1);
      return agent === null
        ? {browser: null, browser_version: null, os: null, device_type: "bot", is_bot: true, bot_name: "No user agent"}
        : {browser: `Browser ${agent}`, browser_version: "1", os: "Linux", device_type: "desktop", is_bot: false, bot_name: null};
    },
  };
  return {enrichers, geoCalls, agentCalls};
}

async function writeSample(count: number, shuffle = true) {
  const batch = new EventBatch();
  const order = Array.from({length: count}, (_, i) => i);
  // Out of time order on purpose: the writer sorts.
  if (shuffle) order.sort((a, b) => ((a * 7919) % count) - ((b * 7919) % count));
  for (const i of order) batch.add(origin(i), line(i));
  const dir = await outputFolder();
  const duckdb = await openDuckDB();
  const recorded = recordingEnrichers();
  const file = await writeEvents(duckdb, batch, recorded.enrichers, dir);
  const rows = (await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
  return {rows, file, duckdb, ...recorded};
}

test("every event comes back with every column, in time order", async () => {
  const count = 5000; // more than two DuckDB vectors, so null masks cross chunk boundaries
  const {rows, duckdb, file} = await writeSample(count);
  assert.equal(rows.length, count);
  const columns = (await duckdb.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
  assert.deepEqual(columns.map((c) => c.column_name), EVENT_COLUMNS.map((c) => c.name));
  assert.deepEqual(columns.map((c) => c.column_type), EVENT_COLUMNS.map((c) => c.type));
  for (let i = 0; i < count; i++) {
    const row = rows[i];
    const expected = {...origin(i), ...line(i)};
    assert.equal((row.ts as Date).getTime(), expected.ts, `ts of event ${i}`);
    assert.equal((row.ingest_ts as Date).getTime(), expected.ingest_ts);
    assert.equal(row.kafka_offset, BigInt(expected.kafka_offset!));
    assert.equal(row.kafka_partition, expected.kafka_partition);
    assert.equal(row.log_stream, expected.log_stream);
    assert.equal(row.s3_key, expected.s3_key);
    assert.equal(row.event_id, expected.event_id);
    assert.equal(row.client_ip, expected.client_ip);
    assert.equal(row.auth_user, expected.auth_user);
    assert.equal(row.method, expected.method);
    assert.equal(row.url, expected.url);
    assert.equal(row.path, expected.path);
    assert.equal(row.query, expected.query);
    assert.equal(row.status, expected.status);
    assert.equal(row.bytes, expected.bytes === null ? null : BigInt(expected.bytes));
    assert.equal(row.duration_us, expected.duration_us === null ? null : BigInt(expected.duration_us));
    assert.equal(row.referrer, expected.referrer);
    assert.equal(row.referrer_host, expected.referrer_host);
    assert.equal(row.user_agent, expected.user_agent);
  }
});

test("enrichment runs once per distinct client and agent, and reaches every row", async () => {
  const {rows, geoCalls, agentCalls} = await writeSample(3000);
  assert.ok([...geoCalls.values()].every((n) => n === 1));
  assert.ok([...agentCalls.values()].every((n) => n === 1));
  assert.equal(geoCalls.size, new Set(rows.map((r) => r.client_ip)).size);
  for (const row of rows) {
    const known = String(row.client_ip).startsWith("10.0.1.");
    assert.equal(row.country_code, known ? "IN" : null);
    assert.equal(row.asn, known ? 64512 : null);
    if (row.user_agent === null) {
      assert.equal(row.is_bot, true);
      assert.equal(row.bot_name, "No user agent");
    } else {
      assert.equal(row.browser, `Browser ${row.user_agent}`);
      assert.equal(row.is_bot, false);
    }
  }
});

test("an event without a time of its own keeps ts null: CloudWatch's clock stays in ingest_ts", async () => {
  const batch = new EventBatch();
  batch.add(origin(1), line(1, {ts: null}));
  const dir = await outputFolder();
  const duckdb = await openDuckDB();
  const file = await writeEvents(duckdb, batch, recordingEnrichers().enrichers, dir);
  const [row] = (await duckdb.runAndReadAll(`SELECT ts, ingest_ts FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
  assert.equal(row.ts, null);
  assert.equal((row.ingest_ts as Date).getTime(), origin(1).ingest_ts);
});

test("rejected lines are written with object, offset, line number and reason", async () => {
  const dir = await outputFolder();
  const duckdb = await openDuckDB();
  const file = join(dir, "rejected.parquet");
  await writeRejectedParquet(duckdb, [
    {s3_key: "k2", topic: "t", kafka_partition: 0, kafka_offset: 7, line_number: 3, reason: "line: bad", line: "garbage ' with quote"},
    {s3_key: "k1", topic: "t", kafka_partition: null, kafka_offset: null, line_number: 1, reason: "record: not JSON", line: "{"},
    {s3_key: "k3", topic: null, kafka_partition: null, kafka_offset: null, line_number: 2, reason: "line: bad", line: "x", event_id: "31953106606966983378809025079804211143289615424298221568"},
  ], file);
  const rows = (await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
  assert.deepEqual(rows, [
    {s3_key: "k1", topic: "t", kafka_partition: null, kafka_offset: null, line_number: 1, reason: "record: not JSON", line: "{", event_id: null},
    {s3_key: "k2", topic: "t", kafka_partition: 0, kafka_offset: 7n, line_number: 3, reason: "line: bad", line: "garbage ' with quote", event_id: null},
    {s3_key: "k3", topic: null, kafka_partition: null, kafka_offset: null, line_number: 2, reason: "line: bad", line: "x", event_id: "31953106606966983378809025079804211143289615424298221568"},
  ]);
});
