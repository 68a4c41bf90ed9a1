// `weblog sync` with the firehose source format, against the real local S3 endpoint holding the
// bundled Firehose sample: every event stored once (a Firehose re-delivery, in the same sync or a
// later one, is counted as duplicates by its event id), the CONTROL_MESSAGE skipped and counted,
// bad documents and a cut-short gzip object on the rejected table, and a later sync reads only
// the new objects. Expected counts come from sample/expected-sources.json, made by the generator.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {readFileSync} from "node:fs";
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {gzipSync, gunzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {exportSiteParquet} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest} from "../../data-loaders/store/manifest.js";
import {syncStore, type SyncResult} from "../../data-loaders/sync.js";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, DEMO_SOURCES} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected-sources.json"), "utf8")).firehose;

let s3: LocalS3;
let dir: string;
let config: WeblogConfig;
let client: ReturnType<typeof createS3Client>;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-firehose-"));
  config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store"), "firehose"));
  client = createS3Client(config.source);
  await seedBucket(client, DEMO_BUCKET, DEMO_SOURCES.firehose.dir);
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

const put = (key: string, body: Buffer | string) => client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: body}));

async function storeQuery(sql: (events: string, rejected: string) => string): Promise<unknown[][]> {
  const events = join(dir, "events.parquet");
  const rejected = join(dir, "rejected.parquet");
  await exportSiteParquet(config, "events", events);
  await exportSiteParquet(config, "rejected", rejected);
  const duckdb = await openDuckDB();
  return (await duckdb.runAndReadAll(sql(`read_parquet(${sqlString(events)})`, `read_parquet(${sqlString(rejected)})`))).getRowsJS() as unknown[][];
}

let first: SyncResult;

test("the first sync stores every event once, counting the re-delivered object's events as duplicates", async () => {
  first = await syncStore(config, {client});
  assert.equal(first.listed, expected.objects);
  assert.equal(first.added, expected.objects);
  assert.equal(first.events, expected.events);
  assert.equal(first.rejected, expected.rejected);
  assert.equal(first.duplicates, expected.redelivered.events);
  assert.equal(first.controlMessages, expected.controlMessages);
  assert.deepEqual(first.skipped, []);

  const [[events, ids, withIngest, kafka]] = await storeQuery(
    (e) => `SELECT count(*), count(DISTINCT event_id), count(ingest_ts), count(topic) + count(kafka_partition) + count(kafka_offset) FROM ${e}`,
  );
  assert.equal(Number(events), expected.events);
  assert.equal(Number(ids), expected.events, "event_id identifies each event");
  assert.equal(Number(withIngest), expected.events, "ingest_ts is CloudWatch's timestamp");
  assert.equal(Number(kafka), 0, "no Kafka coordinates on this path");
  const perStream = await storeQuery((e) => `SELECT log_group, log_stream, count(*) FROM ${e} GROUP BY ALL ORDER BY log_stream`);
  const want = expected.instances.map((i: {log_stream: string; events: number}) => ["cloudwatchLogsEC2", i.log_stream, i.events]).sort((a: string[], b: string[]) => a[1].localeCompare(b[1]));
  assert.deepEqual(perStream.map(([g, s, n]) => [g, s, Number(n)]), want);
  const manifest = await readManifest(config.store);
  assert.equal(manifest.source_format, "firehose");
  assert.equal(manifest.objects[expected.redelivered.redeliveredKey].duplicates, expected.redelivered.events);
  assert.equal(manifest.objects[expected.redelivered.redeliveredKey].events, 0);
});

test("the Data quality page's loader counts the CONTROL_MESSAGE documents from the store, and the objects holding them", async () => {
  const manifest = await readManifest(config.store);
  const holding = Object.values(manifest.objects).filter((object) => (object.control_messages ?? 0) > 0);
  assert.equal(
    holding.reduce((sum, object) => sum + object.control_messages!, 0),
    expected.controlMessages,
  );
  // The loader as Framework runs it: a process of its own, configured by the environment. It runs
  // in the test's folder so no weblog.config of the project's is read; tsx is named by its full
  // address because that folder (under the system's temporary directory) has no node_modules above it.
  const run = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), join(PROJECT_DIR, "src/data/control-messages.json.ts")], {
    cwd: dir,
    env: {...process.env, ...demoEnvironment(s3.endpoint, config.store, "firehose"), WEBLOG_CONFIG: ""},
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {documents: expected.controlMessages, objects: holding.length});
});

test("a sync with nothing new lists only the tail and reads nothing", async () => {
  const again = await syncStore(config, {client});
  assert.equal(again.fullListing, false);
  assert.equal(again.added, 0);
  assert.equal(again.changed, false);
  assert.ok(again.listed < expected.objects, `${again.listed} keys listed of ${expected.objects}`);
});

test("a later re-delivery of stored documents is counted once; only the new objects are read", async () => {
  // Firehose retried an object already taken in, into a new object a day after the sample's last.
  const stored = await readFile(join(DEMO_SOURCES.firehose.dir, expected.redelivered.originalKey));
  const retryKey = "2023/05/18/09/weblog-cloudwatch-1-2023-05-18-09-00-00-6b0f4a51-1d2e-4b8a-9c3d-2e5f6a7b8c9d";
  // And one new document with two new events.
  const newEvents = JSON.stringify({
    messageType: "DATA_MESSAGE",
    owner: "111111111111",
    logGroup: "cloudwatchLogsEC2",
    logStream: "i-0new",
    subscriptionFilters: ["f"],
    logEvents: [1, 2].map((n) => ({id: `99000000000000000000000000000000000000000000000000000${n}`, timestamp: Date.parse("2023-05-18T09:00:00Z"), message: `198.51.100.${n} - - [18/May/2023:14:30:00 +0530] "GET /new/${n} HTTP/1.1" 200 ${n} "-" "curl/8"`})),
  });
  const newKey = "2023/05/18/09/weblog-cloudwatch-1-2023-05-18-09-10-00-7c1f5b62-2e3f-4c9b-8d4e-3f6a7b8c9d0e";
  await put(retryKey, stored);
  await put(newKey, gzipSync(newEvents));
  const result = await syncStore(config, {client});
  assert.equal(result.fullListing, false);
  assert.equal(result.added, 2, "only the two new objects are read");
  assert.equal(result.events, 2);
  assert.equal(result.duplicates, expected.redelivered.events);
  const [[events, ids]] = await storeQuery((e) => `SELECT count(*), count(DISTINCT event_id) FROM ${e}`);
  assert.equal(Number(events), expected.events + 2);
  assert.equal(Number(ids), expected.events + 2);
});

test("a bad document and a cut-short gzip object are on the rejected table; the rest of each loads", async () => {
  const document = (ids: number[]) =>
    JSON.stringify({
      messageType: "DATA_MESSAGE",
      logGroup: "cloudwatchLogsEC2",
      logStream: "i-0bad",
      logEvents: ids.map((n) => ({id: `98${String(n).padStart(54, "0")}`, timestamp: Date.parse("2023-05-18T10:00:00Z") + n, message: `198.51.100.9 - - [18/May/2023:15:30:00 +0530] "GET /b/${n} HTTP/1.1" 200 ${n} "-" "curl/8"`})),
    });
  const badKey = "2023/05/18/10/weblog-cloudwatch-1-2023-05-18-10-00-00-8d2a6c73-3f4a-4dab-9e5f-4a7b8c9d0e1f";
  await put(badKey, gzipSync(document([1]) + '{"messageType":"DATA_MESSAGE","logEvents":[{"id":"x"' + "}}garbage" + document([2])));
  const cutKey = "2023/05/18/10/weblog-cloudwatch-1-2023-05-18-10-05-00-9e3b7d84-4a5b-4ebc-8f6a-5b8c9d0e1f2a";
  const many = Array.from({length: 200}, (_, i) => document([100 + i])).join("");
  const gz = gzipSync(many);
  await put(cutKey, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const result = await syncStore(config, {client});
  assert.equal(result.added, 2);

  const rejected = await storeQuery((_, r) => `SELECT s3_key, line_number, reason FROM ${r} WHERE s3_key IN (${sqlString(badKey)}, ${sqlString(cutKey)}) ORDER BY s3_key, line_number`);
  const bad = rejected.filter(([key]) => key === badKey).map(([, n, reason]) => [Number(n), String(reason)]);
  assert.equal(bad.length, 2);
  assert.equal(bad[0][0], 2);
  assert.match(String(bad[0][1]), /^document: not valid JSON/);
  assert.match(String(bad[1][1]), /^document: not a JSON document/);
  const cut = rejected.filter(([key]) => key === cutKey).map(([, n, reason]) => [Number(n), String(reason)]);
  assert.equal(cut[0][0], 0);
  assert.match(String(cut[0][1]), /^object: gzip data cut short/);
  assert.match(String(cut[cut.length - 1][1]), /cut short \(at character/);

  const loaded = await storeQuery((e) => `SELECT s3_key, count(*) FROM ${e} WHERE s3_key IN (${sqlString(badKey)}, ${sqlString(cutKey)}) GROUP BY s3_key`);
  const byKey = new Map(loaded.map(([key, n]) => [key, Number(n)]));
  assert.equal(byKey.get(badKey), 2, "the documents around the bad one load");
  const before = gunzipSync(gz.subarray(0, Math.floor(gz.length * 0.6)), {finishFlush: 2}).toString();
  const whole = before.split("}]}").length - 1;
  assert.equal(byKey.get(cutKey), whole, "every whole document before the cut loads");
  assert.equal(result.events, 2 + whole);
});

test("a line that does not parse, delivered again in a later sync, is reported once", async () => {
  const document = gzipSync(JSON.stringify({messageType: "DATA_MESSAGE", logGroup: "cloudwatchLogsEC2", logStream: "i-0bad", logEvents: [{id: "97000000000000000000000000000000000000000000000000000001", timestamp: Date.parse("2023-05-18T11:00:00Z"), message: "[Thu May 18 16:30:00 2023] [core:error] not an access-log line"}]}));
  await put("2023/05/18/11/weblog-cloudwatch-1-2023-05-18-11-00-00-0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", document);
  const firstTime = await syncStore(config, {client});
  assert.deepEqual([firstTime.events, firstTime.rejected, firstTime.duplicates], [0, 1, 0]);
  await put("2023/05/18/11/weblog-cloudwatch-1-2023-05-18-11-06-00-1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", document);
  const again = await syncStore(config, {client});
  assert.deepEqual([again.added, again.events, again.rejected, again.duplicates], [1, 0, 0, 1]);
  const [[rows]] = await storeQuery((_, r) => `SELECT count(*) FROM ${r} WHERE event_id = '97000000000000000000000000000000000000000000000000000001'`);
  assert.equal(Number(rows), 1);
});

test("an object gzipped twice (Firehose's own compression on top of CloudWatch's) is read", async () => {
  const document = JSON.stringify({messageType: "DATA_MESSAGE", logGroup: "cloudwatchLogsEC2", logStream: "i-0twice", logEvents: [{id: "96000000000000000000000000000000000000000000000000000001", timestamp: Date.parse("2023-05-18T12:00:00Z"), message: '198.51.100.7 - - [18/May/2023:17:30:00 +0530] "GET /twice HTTP/1.1" 200 7 "-" "curl/8"'}]});
  await put("2023/05/18/12/weblog-cloudwatch-1-2023-05-18-12-00-00-2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f", gzipSync(gzipSync(document)));
  const result = await syncStore(config, {client});
  assert.deepEqual([result.added, result.events, result.rejected], [1, 1, 0]);
});

test("a store of one format refuses another", async () => {
  const sinkConfig = loadConfig(dir, demoEnvironment(s3.endpoint, config.store, "s3-sink"));
  await assert.rejects(syncStore(sinkConfig, {client}), /holds events of the firehose source format, and the configured format is s3-sink/);
});
