// `weblog sync` with the export-task source format, against the real local S3 endpoint holding
// the bundled export: exact counts from sample/expected-sources.json, the write-test object
// listed and skipped, the log group from the configuration, a second export task taken in as
// new objects while the first is not read again, and a bad line on the rejected table.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {exportSiteParquet} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {syncStore} from "../../data-loaders/sync.js";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, DEMO_SOURCES} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const sources = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected-sources.json"), "utf8"));
const expected = sources.exportTask;

let s3: LocalS3;
let dir: string;
let config: WeblogConfig;
let client: ReturnType<typeof createS3Client>;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-export-"));
  config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store"), "export-task"));
  client = createS3Client(config.source);
  await seedBucket(client, DEMO_BUCKET, DEMO_SOURCES["export-task"].dir);
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

async function storeQuery(sql: (events: string, rejected: string) => string): Promise<unknown[][]> {
  const events = join(dir, "events.parquet");
  const rejected = join(dir, "rejected.parquet");
  await exportSiteParquet(config, "events", events);
  await exportSiteParquet(config, "rejected", rejected);
  const duckdb = await openDuckDB();
  return (await duckdb.runAndReadAll(sql(`read_parquet(${sqlString(events)})`, `read_parquet(${sqlString(rejected)})`))).getRowsJS() as unknown[][];
}

test("an export task's objects load with exact counts; the write test is listed and skipped", async () => {
  const result = await syncStore(config, {client});
  assert.equal(config.source.prefix, "exportedlogs/");
  assert.equal(result.added, expected.objects);
  assert.equal(result.events, expected.events);
  assert.equal(result.rejected, expected.rejected);
  assert.equal(result.duplicates, 0);
  assert.deepEqual(result.skipped.map((s) => s.key), expected.skipped);
  assert.match(result.skipped[0].reason, /export write test/);

  const perStream = await storeQuery((e) => `SELECT log_group, log_stream, count(*), count(ingest_ts), count(event_id) + count(topic) + count(kafka_offset) FROM ${e} GROUP BY ALL ORDER BY log_stream`);
  const want = expected.instances
    .map((i: {log_stream: string; events: number}) => [sources.logGroup, i.log_stream, i.events, i.events, 0])
    .sort((a: string[], b: string[]) => a[1].localeCompare(b[1]));
  assert.deepEqual(perStream.map((row) => [row[0], row[1], ...row.slice(2).map(Number)]), want);
  const [[rejectedRows]] = await storeQuery((_, r) => `SELECT count(*) FROM ${r}`);
  assert.equal(Number(rejectedRows), expected.rejected);
});

test("a second export task is new objects: they are read, the first task's are not read again", async () => {
  const key = `exportedlogs/7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f/i-0second/000000.gz`;
  const lines = [
    `2023-05-18T09:00:00.000Z 198.51.100.1 - - [18/May/2023:14:30:00 +0530] "GET /second HTTP/1.1" 200 5 "-" "curl/8"`,
    `not a timestamped line`,
    `2023-05-18T09:00:01.500Z 198.51.100.2 - - [18/May/2023:14:30:01 +0530] "GET /second HTTP/1.1" 200 6 "-" "curl/8"`,
  ];
  await client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: gzipSync(lines.join("\n") + "\n")}));
  const result = await syncStore(config, {client});
  assert.equal(result.added, 1);
  assert.equal(result.unchanged, expected.objects);
  assert.equal(result.events, 2);
  assert.equal(result.rejected, 1);
  const rejected = await storeQuery((_, r) => `SELECT line_number, reason FROM ${r} WHERE s3_key = ${sqlString(key)}`);
  assert.deepEqual(rejected.map(([n, reason]) => [Number(n), reason]), [[2, "line: no ISO-8601 UTC timestamp before the message"]]);
  const [[ingest]] = await storeQuery((e) => `SELECT epoch_ms(max(ingest_ts)) FROM ${e} WHERE s3_key = ${sqlString(key)}`);
  assert.equal(Number(ingest), Date.parse("2023-05-18T09:00:01.500Z"));
});

test("without a configured log group, log_group is null", async () => {
  const env = demoEnvironment(s3.endpoint, join(dir, "store-no-group"), "export-task");
  delete env.WEBLOG_LOG_GROUP;
  const noGroup = loadConfig(dir, env);
  const result = await syncStore(noGroup, {client});
  assert.equal(result.events, expected.events + 2);
  const file = join(dir, "no-group.parquet");
  await exportSiteParquet(noGroup, "events", file);
  const duckdb = await openDuckDB();
  const [[groups]] = (await duckdb.runAndReadAll(`SELECT count(log_group) FROM read_parquet(${sqlString(file)})`)).getRowsJS();
  assert.equal(Number(groups), 0);
});
