// Events with no time at all (a log format without %t, and no Kafka key file to give the
// CloudWatch time) are stored undated; the site counts them on every page that counts requests.
// The Data quality page counts the lines parsed from the hourly rollups: they must hold these too.
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {CreateBucketCommand, PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {openSiteDatabase} from "../../data-loaders/site-database.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind, UNDATED} from "../../data-loaders/store/manifest.js";
import {syncStore} from "../../data-loaders/sync.js";
import {demoEnvironment, DEMO_BUCKET} from "../../scripts/demo.js";
import type {LocalS3} from "../../scripts/local-s3.js";
import * as dataQuality from "../../src/queries/data-quality.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const TOPIC = "timeless.i-0aaaabbbbcccc0001";
const LINES = ["203.0.113.5 - - \"GET / HTTP/1.1\" 200 512", "203.0.113.6 - - \"GET /a.css HTTP/1.1\" 304 -", "2001:db8::7 - - \"GET /missing HTTP/1.1\" 404 90"];
let s3: LocalS3;
let dir: string;
let config: WeblogConfig;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-undated-"));
  config = loadConfig(dir, {
    ...demoEnvironment(s3.endpoint, join(dir, "store")),
    WEBLOG_LOG_FORMATS: JSON.stringify([{logGroup: "timeless", format: '%h %l %u "%r" %>s %b'}]),
  });
  const client = createS3Client(config.source);
  await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
  // The S3 sink's value is the line alone, as a JSON string; no key file beside it.
  const body = LINES.map((line) => JSON.stringify(line)).join("\n") + "\n";
  await client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: `topics/${TOPIC}/year=2025/${TOPIC}+0+0000000000.json`, Body: body}));
  await syncStore(config, {log: () => {}});
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

test("lines with no time are stored undated, and the Data quality page's count of lines parsed includes them", async () => {
  const segments = segmentsOfKind(await readManifest(config.store), "events");
  assert.deepEqual(
    segments.map((s) => [s.day, s.rows]),
    [[UNDATED, LINES.length]],
  );
  const site = await openSiteDatabase(config);
  try {
    assert.deepEqual(await site.rows("SELECT count(*) AS parsed, count(ts) AS timed FROM events"), [{parsed: LINES.length, timed: 0}]);
    assert.deepEqual(await site.rows(dataQuality.totals.sql, [...dataQuality.totals.params]), [{rejected: 0, parsed: LINES.length}]);
  } finally {
    site.close();
  }
});
