// The S3 sink's Kafka key files, through the local S3 endpoint and syncStore: the CloudWatch
// source puts log group, stream and time in the record key, and the sink writes the keys beside
// the values (.keys.bin, .keys.bin.gz, .keys.json). Each event gets them from its key; a key file
// that does not match is reported per object and the events still load; a key file landing after
// its value object is taken in on the next sync, without counting any event twice.
import assert from "node:assert/strict";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import type {WeblogConfig} from "../../data-loaders/config.js";
import {connectKeyText} from "../../data-loaders/records/connect-key.js";
import {REWRITE_WINDOW} from "../../data-loaders/sources/incremental-listing.js";
import {readManifest} from "../../data-loaders/store/manifest.js";
import {syncStore} from "../../data-loaders/sync.js";
import {openDuckDB, sqlFileList} from "../../data-loaders/write/duckdb.js";
import {startSinkBucket, stopSinkBucket, type SinkBucket} from "../support/local-s3-folder.js";

const BUCKET = "keys";
const GROUP = "cloudwatchLogsEC2";
const STREAM = "i-0keys";
const TOPIC = `${GROUP}.${STREAM}`;
/** CloudWatch's time of record n: an hour after Apache's, so it cannot be mistaken for it. */
const cloudwatchTime = (n: number) => Date.UTC(2025, 0, 1, 11, 0, 0) + n;

let client: S3Client;
let config: WeblogConfig;
let bucket: SinkBucket | undefined;

before(async () => {
  bucket = await startSinkBucket("weblog-keys-", BUCKET);
  ({config, client} = bucket);
});

after(() => stopSinkBucket(bucket));

function keyOf(partition: number, offset: number, suffix: string, topic = TOPIC): string {
  return `topics/${topic}/year=2025/${topic}+${partition}+${String(offset).padStart(10, "0")}${suffix}`;
}

/** Values as the CloudWatch source writes them: the log line alone, a JSON string. */
function values(from: number, count: number): string {
  return Array.from({length: count}, (_, i) => JSON.stringify(`192.0.2.1 - - [01/Jan/2025:10:00:00 +0000] "GET /n/${from + i} HTTP/1.1" 200 ${from + i} "-" "curl/8"`)).join("\n") + "\n";
}

function structKeys(from: number, count: number): string {
  return Array.from({length: count}, (_, i) => connectKeyText(GROUP, STREAM, cloudwatchTime(from + i))).join("\n") + "\n";
}

function jsonKeys(from: number, count: number): string {
  return Array.from({length: count}, (_, i) => JSON.stringify({logGroupName: GROUP, logStreamName: STREAM, timestamp: cloudwatchTime(from + i)})).join("\n") + "\n";
}

async function put(Key: string, Body: string | Buffer): Promise<void> {
  await client.send(new PutObjectCommand({Bucket: BUCKET, Key, Body}));
}

/** Events of the store: [n (the bytes field), ingest_ts epoch ms or null, log_stream, kafka_offset]. */
async function events(): Promise<[number, number | null, string, number][]> {
  const manifest = await readManifest(config.store);
  const files = Object.values(manifest.segments).filter((s) => s.kind === "events").map((s) => join(config.store, s.file));
  const duckdb = await openDuckDB();
  const reader = await duckdb.runAndReadAll(`SELECT bytes, epoch_ms(ingest_ts), log_stream, kafka_offset FROM read_parquet(${sqlFileList(files)}) WHERE topic = '${TOPIC}' ORDER BY bytes`);
  return reader.getRowsJS().map(([n, ts, stream, offset]) => [Number(n), ts === null ? null : Number(ts), String(stream), Number(offset)]);
}

test("key files give each event its CloudWatch time: Struct text plain and gzipped, JSON keys; mismatches are reported and the events still load", async () => {
  await put(keyOf(0, 0, ".json"), values(0, 5));
  await put(keyOf(0, 0, ".keys.bin"), structKeys(0, 5));
  await put(keyOf(0, 5, ".json.gz"), gzipSync(values(5, 5)));
  await put(keyOf(0, 5, ".keys.bin.gz"), gzipSync(structKeys(5, 5)));
  await put(keyOf(0, 10, ".json"), values(10, 5));
  await put(keyOf(0, 10, ".keys.json"), jsonKeys(10, 5));
  // Two keys short: the last two records have no CloudWatch time.
  await put(keyOf(0, 15, ".json"), values(15, 5));
  await put(keyOf(0, 15, ".keys.bin"), structKeys(15, 3));
  // A key that does not decode.
  await put(keyOf(0, 20, ".json"), values(20, 2));
  await put(keyOf(0, 20, ".keys.bin"), structKeys(20, 1) + "i-0keys\n");
  // No key file at all (yet).
  await put(keyOf(0, 22, ".json"), values(22, 3));
  // Headers are not events and stay skipped.
  await put(keyOf(0, 0, ".headers.json"), "[]\n");

  const result = await syncStore(config, {client});
  assert.equal(result.added, 6);
  assert.equal(result.events, 25, "every record loads, whatever its key");
  assert.deepEqual(result.skipped.map((s) => [s.key, s.reason]), [[keyOf(0, 0, ".headers.json"), "Kafka headers file"]]);

  const rows = await events();
  assert.equal(rows.length, 25);
  const withTime = rows.filter(([, ts]) => ts !== null).map(([n, ts]) => [n, ts]);
  const expectedWithTime = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20].map((n) => [n, cloudwatchTime(n)]);
  assert.deepEqual(withTime, expectedWithTime, "key n pairs with value n, in every key format");
  assert.ok(rows.every(([, , stream]) => stream === STREAM));

  const manifest = await readManifest(config.store);
  assert.equal(manifest.key_mismatches?.objects, 3);
  const problems = Object.fromEntries(manifest.key_mismatches!.examples.map((e) => [e.key, e]));
  assert.match(problems[keyOf(0, 15, ".json")].problem, /3 keys for 5 records \(shorter/);
  assert.match(problems[keyOf(0, 20, ".json")].problem, /1 keys do not decode/);
  assert.match(problems[keyOf(0, 20, ".json")].examples[0], /^line 2: .*i-0keys/);
  assert.match(problems[keyOf(0, 22, ".json")].problem, /no key file: 3 events have no CloudWatch time/);
});

test("a key file that lands after its value object is taken in by the next (tail) sync, no event counted twice", async () => {
  await put(keyOf(0, 22, ".keys.bin"), structKeys(22, 3));
  const result = await syncStore(config, {client, fullListing: false});
  assert.equal(result.fullListing, false);
  assert.equal(result.replaced, 1);
  assert.equal(result.added, 0);
  const rows = await events();
  assert.equal(rows.length, 25);
  assert.equal(new Set(rows.map(([, , , offset]) => offset)).size, 25);
  assert.deepEqual(rows.filter(([n]) => n >= 22).map(([n, ts]) => [n, ts]), [22, 23, 24].map((n) => [n, cloudwatchTime(n)]));
  const manifest = await readManifest(config.store);
  assert.equal(manifest.key_mismatches?.objects, 2);
  assert.equal(manifest.objects[keyOf(0, 22, ".json")].key_file?.key, keyOf(0, 22, ".keys.bin"));

  const again = await syncStore(config, {client, fullListing: false});
  assert.equal(again.changed, false, "nothing new: nothing read again");
});

test("the tail listing sees a key file landing for the object it starts after", async () => {
  // A partition longer than the rewrite window: its listing starts after an object it already holds.
  const topic = `${GROUP}.i-0long`;
  const count = REWRITE_WINDOW + 2;
  for (let n = 0; n < count; n++) await put(keyOf(0, n * 2, ".json", topic), values(100 + n * 2, 2));
  await syncStore(config, {client, fullListing: true});
  // The object the tail listing starts after: its value is not listed, its key file is.
  const startAfter = count - 1 - REWRITE_WINDOW;
  await put(keyOf(0, startAfter * 2, ".keys.bin", topic), structKeys(100 + startAfter * 2, 2));
  const result = await syncStore(config, {client, fullListing: false});
  assert.equal(result.fullListing, false);
  assert.equal(result.replaced, 1);
  const manifest = await readManifest(config.store);
  assert.equal(manifest.objects[keyOf(0, startAfter * 2, ".json", topic)].key_file?.key, keyOf(0, startAfter * 2, ".keys.bin", topic));
  const stored = Object.values(manifest.objects).filter((o) => o.topic === topic);
  assert.equal(stored.reduce((n, o) => n + o.events, 0), count * 2);
});
