// `weblog sync` against the real local S3 endpoint holding the bundled sample: every record ends
// up once, as an event or a rejected line; key files are read with their values; connector rewrites replace rows
// instead of adding them. Expected counts come from sample/expected.json, which the sample
// generator computed from the lines it wrote, not from this pipeline.
import assert from "node:assert/strict";
import {existsSync, readFileSync} from "node:fs";
import {mkdir, mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {exportSiteParquet} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {syncStore, type SyncResult} from "../../data-loaders/sync.js";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, REWRITES_DIR, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, startLocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));

let s3: Awaited<ReturnType<typeof startLocalS3>>;
let dir: string;
let config: WeblogConfig;
let client: ReturnType<typeof createS3Client>;

before(async () => {
  s3 = await startLocalS3({port: 0});
  dir = await mkdtemp(join(tmpdir(), "weblog-sync-"));
  config = loadConfig(dir, {...demoEnvironment(s3.endpoint, join(dir, "store"))});
  client = createS3Client(config.source);
  // The SDK reads credentials from the environment; the local endpoint accepts any.
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
  await seedBucket(client, DEMO_BUCKET, SAMPLE_DIR);
});

after(async () => {
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
});

async function storeQuery(sql: (events: string, rejected: string) => string): Promise<unknown[][]> {
  const events = join(dir, "events.parquet");
  const rejected = join(dir, "rejected.parquet");
  await exportSiteParquet(config, "events", events);
  await exportSiteParquet(config, "rejected", rejected);
  const duckdb = await openDuckDB();
  const reader = await duckdb.runAndReadAll(sql(`read_parquet(${sqlString(events)})`, `read_parquet(${sqlString(rejected)})`));
  return reader.getRowsJS() as unknown[][];
}

let first: SyncResult;

test("the first sync takes in every record once, as an event or a rejected line", async () => {
  first = await syncStore(config, {client});
  assert.equal(first.listed, expected.valueObjects);
  assert.equal(first.added, expected.valueObjects);
  assert.equal(first.events, expected.events);
  assert.equal(first.rejected, expected.rejected);
  assert.equal(first.duplicates, 0);
  assert.equal(first.events + first.rejected, expected.records);

  const [[events, distinctIds, streams]] = await storeQuery(
    (e) => `SELECT count(*), count(DISTINCT (topic, kafka_partition, kafka_offset)), count(DISTINCT log_stream) FROM ${e}`,
  );
  assert.equal(Number(events), expected.events);
  assert.equal(Number(distinctIds), expected.events, "(topic, partition, offset) identifies each event");
  assert.equal(Number(streams), expected.instances.length);
});

test("key files are read beside their values, never as events: every event with a CloudWatch time has it from its key or its value", async () => {
  assert.deepEqual(first.skipped, [], "every key under the prefix is a value object or its key file");
  const [[withTime, fromJsonKeys]] = await storeQuery(
    (e) => `SELECT count(ingest_ts), count(ingest_ts) FILTER (s3_key = ${sqlString(expected.jsonKeyFile)}) FROM ${e}`,
  );
  assert.equal(Number(withTime), expected.eventsWithIngestTs);
  assert.ok(Number(fromJsonKeys) > 0, "the JSON key file's times");
});

test("a key file shorter than its values is kept in the manifest for the Data quality page, and its events still load", async () => {
  const manifest = await readManifest(config.store);
  assert.deepEqual(manifest.skipped_keys, []);
  assert.equal(manifest.key_mismatches?.objects, expected.keyMismatches.length);
  assert.deepEqual(
    manifest.key_mismatches?.examples.map((e) => [e.key, e.problem]),
    expected.keyMismatches.map((m: {key: string; keys: number; records: number}) => [m.key, `${m.keys} keys for ${m.records} records (shorter than its values)`]),
  );
});

test("each instance's events carry its log group and stream, whatever the record shape", async () => {
  const rows = await storeQuery((e) => `SELECT log_stream, any_value(log_group), count(*) FROM ${e} GROUP BY ALL ORDER BY 1`);
  const byStream = Object.fromEntries(rows.map(([stream, group, n]) => [stream, {group, n: Number(n)}]));
  for (const instance of expected.instances) {
    assert.deepEqual(byStream[instance.log_stream], {group: instance.log_group, n: instance.events}, instance.log_stream);
  }
});

test("each instance's lines are read with its own format (logFormats): %D gives durations, vhost_combined the vhost", async () => {
  const {durationInstance, vhostInstance, vhosts} = expected.perf;
  const [[withDuration, durationStreams, fromDurationInstance]] = await storeQuery(
    (e) => `SELECT count(duration_us), count(DISTINCT log_stream) FILTER (duration_us IS NOT NULL), count(*) FILTER (log_stream = ${sqlString(durationInstance.log_stream)} AND duration_us > 0) FROM ${e}`,
  );
  assert.equal(Number(withDuration), durationInstance.events, "every line of the %D instance, and only those, has a duration");
  assert.equal(Number(durationStreams), 1);
  assert.equal(Number(fromDurationInstance), durationInstance.events);
  const rows = await storeQuery((e) => `SELECT vhost, count(*), count(*) FILTER (log_stream = ${sqlString(vhostInstance.log_stream)}) FROM ${e} WHERE vhost IS NOT NULL GROUP BY vhost ORDER BY 2 DESC, 1`);
  assert.deepEqual(rows.map(([vhost, n, mine]) => ({value: vhost, count: Number(n), fromInstance: Number(mine)})), vhosts.map((v: {value: string; count: number}) => ({...v, fromInstance: v.count})));
  // No line of these two instances is rejected: each was read with its own format.
  const [[rejectedOfThem]] = await storeQuery((_, r) => `SELECT count(*) FROM ${r} WHERE s3_key LIKE ${sqlString(`%${durationInstance.log_stream}%`)} OR s3_key LIKE ${sqlString(`%${vhostInstance.log_stream}%`)}`);
  assert.equal(Number(rejectedOfThem), 0);
});

test("the gz objects and the second partition arrive", async () => {
  const rows = await storeQuery((e) => `SELECT count(*) FILTER (s3_key LIKE '%.json.gz'), count(*) FILTER (kafka_partition = 1) FROM ${e}`);
  const [[gz, partition1]] = rows;
  assert.equal(Number(gz), expected.instances[2].events);
  assert.ok(Number(partition1) > 0);
});

test("a hand-made line comes through parsed, offset-corrected and enriched", async () => {
  // 205.210.31.24 - - [14/May/2023:16:32:17 +0530] "GET / HTTP/1.1" 200 10586 "-" "Expanse, a Palo Alto Networks company, …"
  const rows = await storeQuery(
    (e) => `SELECT strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), method, url, status, bytes, is_bot, bot_name FROM ${e} WHERE client_ip = '205.210.31.24' ORDER BY ts`,
  );
  assert.deepEqual(rows[0], ["2023-05-14T11:02:17Z", "GET", "/", 200, 10586n, true, "Expanse"]);
  assert.equal(rows.length, 2);
});

test("rejected lines keep their object, line number and reason", async () => {
  const rows = await storeQuery((_, r) => `SELECT s3_key, line_number, reason, line FROM ${r} ORDER BY s3_key, line_number`);
  assert.equal(rows.length, expected.rejected);
  const truncatedRecord = rows.find(([, , reason]) => String(reason).startsWith("record:"));
  assert.ok(truncatedRecord, "the record cut short is rejected as a record");
  assert.match(String(truncatedRecord[0]), /i-0b7d5c1e9a4f3e812\+0\+0000000500\.json$/);
  assert.equal(truncatedRecord[1], 8);
  const errorLog = rows.find(([, , , line]) => String(line).includes("AH00489"));
  assert.ok(errorLog, "an error-log line shipped by mistake is kept");
  assert.match(String(errorLog[2]), /^line: /);
});

test("a second sync with nothing new changes nothing", async () => {
  const again = await syncStore(config, {client});
  assert.equal(again.unchanged, expected.valueObjects);
  assert.equal(again.added + again.replaced, 0);
  assert.equal(again.changed, false);
});

test("connector rewrites replace rows and are never counted twice", async () => {
  await seedBucket(client, DEMO_BUCKET, REWRITES_DIR);
  const rewrite = await syncStore(config, {client});
  assert.equal(rewrite.replaced, 1);
  assert.equal(rewrite.added, 1);
  assert.equal(rewrite.duplicates, expected.rewrites.overlappingRecords);

  const [[events, distinctIds, replacedRows, lateIngest]] = await storeQuery(
    (e) => `SELECT count(*), count(DISTINCT (topic, kafka_partition, kafka_offset)),
              count(*) FILTER (s3_key = ${sqlString(expected.rewrites.replacedKey)}),
              count(*) FILTER (s3_key = ${sqlString(expected.rewrites.replacedKey)} AND epoch_ms(ingest_ts) - epoch_ms(ts) = 900)
            FROM ${e}`,
  );
  assert.equal(Number(events), expected.events);
  assert.equal(Number(distinctIds), expected.events);
  assert.equal(Number(replacedRows), expected.rewrites.replacedRecords);
  // The rewritten object's records carry new ingestion times: its rows were replaced, not kept.
  assert.equal(Number(lateIngest), expected.rewrites.replacedRecords);
});

test("every day file holds only its own day, sorted by time", async () => {
  const manifest = await readManifest(config.store);
  const events = segmentsOfKind(manifest, "events");
  assert.ok(events.length >= 2, `${events.length} day segments`);
  const duckdb = await openDuckDB();
  for (const segment of events) {
    const file = sqlString(join(config.store, segment.file));
    const [[rows, otherDays, unsorted]] = (
      await duckdb.runAndReadAll(
        `SELECT count(*), count(*) FILTER (strftime(ts, '%Y-%m-%d') <> ${sqlString(segment.day!)}), count(*) FILTER (ts < previous)
         FROM (SELECT ts, lag(ts) OVER () AS previous FROM read_parquet(${file}))`,
      )
    ).getRowsJS();
    assert.deepEqual([Number(rows), Number(otherDays), Number(unsorted)], [segment.rows, 0, 0], segment.file);
  }
});

test("a store written by the first version is taken in again from the bucket, with a line saying so", async () => {
  const store = join(dir, "old-store");
  await mkdir(join(store, "segments"), {recursive: true});
  await writeFile(join(store, "manifest.json"), JSON.stringify({version: 1, objects: {}, segments: {}}));
  await writeFile(join(store, "segments/old.events.parquet"), "not read");
  const old = loadConfig(dir, {...demoEnvironment(s3.endpoint, store)});
  await assert.rejects(exportSiteParquet(old, "events", join(dir, "x.parquet")), /earlier Weblog Workbook.*weblog sync/);
  const lines: string[] = [];
  const result = await syncStore(old, {client, log: (line) => lines.push(line)});
  assert.equal(result.events, expected.events);
  assert.ok(lines.some((line) => line.includes("taking the bucket in again")), lines.join("\n"));
  assert.equal((await readManifest(store)).version, 3);
  assert.equal(existsSync(join(store, "segments")), false);
});
