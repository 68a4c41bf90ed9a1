// Objects as strangers and broken connectors leave them: every problem is counted with its object
// and line in the rejected table, and the rest of the object still loads.
import assert from "node:assert/strict";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {CreateBucketCommand, PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {exportSiteParquet} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {syncStore, type SyncResult} from "../../data-loaders/sync.js";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET} from "../../scripts/demo.js";
import type {LocalS3} from "../../scripts/local-s3.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const topic = "cloudwatchLogsEC2.i-0bad";
const key = (offset: number, suffix = ".json") => `topics/${topic}/year=2023/${topic}+0+${String(offset).padStart(10, "0")}${suffix}`;
const line = (n: number) => `10.0.0.${n % 250} - - [14/May/2023:16:32:${String(n % 60).padStart(2, "0")} +0530] "GET /page/${n} HTTP/1.1" 200 ${n} "-" "curl/8"`;
const record = (n: number) => JSON.stringify({message: line(n)});

let s3: LocalS3;
let dir: string;
let config: WeblogConfig;
let result: SyncResult;
let rejected: {s3_key: string; line_number: number; reason: string; line: string}[];
let events: {s3_key: string; n: number}[];

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-bad-"));
  config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store")));
  const client = createS3Client(config.source);
  await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
  const put = (Key: string, Body: string | Buffer) => client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key, Body}));

  // 0: records that are not what they should be, between good ones.
  const binary = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]).toString("latin1");
  await put(key(0), [record(1), "{not json", JSON.stringify({msg: "no message"}), record(2), binary, JSON.stringify({message: line(3).replace("/page/3", "/page/3?q=" + "x".repeat(1_100_000))}), record(4)].join("\n") + "\n");
  // 10: a line whose bytes are not UTF-8.
  await put(key(10), Buffer.concat([Buffer.from(record(10) + "\n"), Buffer.from('{"message": "bad \xff\xfe bytes"}\n', "latin1"), Buffer.from(record(11) + "\n")]));
  // 20: a gzip object cut short.
  const lines = Array.from({length: 400}, (_, i) => record(100 + i));
  const gz = gzipSync(lines.join("\n") + "\n");
  await put(key(20, ".json.gz"), gz.subarray(0, Math.floor(gz.length * 0.6)));
  // 1000: an empty object; and keys that are not events at all.
  await put(key(1000), "");
  await put(`topics/${topic}/year=2023/${topic}+0+0000002000.avro`, "Obj\x01");
  await put(`topics/${topic}/year=2023/notes.txt`, "hello");

  result = await syncStore(config);
  const duckdb = await openDuckDB();
  const file = (table: "events" | "rejected") => join(dir, `${table}.parquet`);
  await exportSiteParquet(config, "events", file("events"));
  await exportSiteParquet(config, "rejected", file("rejected"));
  rejected = (await duckdb.runAndReadAll(`SELECT s3_key, line_number, reason, line FROM read_parquet(${sqlString(file("rejected"))}) ORDER BY s3_key, line_number`)).getRowObjectsJson() as typeof rejected;
  events = (await duckdb.runAndReadAll(`SELECT s3_key, bytes AS n FROM read_parquet(${sqlString(file("events"))}) ORDER BY n`)).getRowObjectsJson() as typeof events;
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

test("bad records are rejected one by one and the good ones around them load", () => {
  const inFirst = rejected.filter((r) => r.s3_key === key(0));
  assert.deepEqual(inFirst.map((r) => [r.line_number, r.reason.split(":")[0]]), [[2, "record"], [3, "record"], [5, "record"]]);
  assert.match(inFirst[0].reason, /not valid JSON/);
  assert.match(inFirst[1].reason, /no "message" field/);
  // Records 1, 2, 4 and the 1 MB line 3 are events.
  assert.deepEqual(events.filter((e) => e.s3_key === key(0)).map((e) => Number(e.n)), [1, 2, 3, 4]);
});

test("a line over 1 MB loads as an event; a rejected line is cut to 2048 characters", () => {
  assert.ok(rejected.every((r) => r.line.length <= 2048));
});

test("invalid UTF-8 rejects that line only", () => {
  const bad = rejected.filter((r) => r.s3_key === key(10));
  assert.deepEqual(bad.map((r) => [r.line_number, r.reason]), [[2, "record: not valid UTF-8"]]);
  assert.deepEqual(events.filter((e) => e.s3_key === key(10)).map((e) => Number(e.n)), [10, 11]);
});

test("a gzip object cut short: the records before the cut load, the object and its last partial line are reported", () => {
  const cut = rejected.filter((r) => r.s3_key === key(20, ".json.gz"));
  assert.equal(cut[0].line_number, 0);
  assert.match(cut[0].reason, /^object: gzip data cut short/);
  const loaded = events.filter((e) => e.s3_key === key(20, ".json.gz")).map((e) => Number(e.n));
  assert.ok(loaded.length > 100 && loaded.length < 400, `${loaded.length} records before the cut`);
  assert.deepEqual(loaded, Array.from({length: loaded.length}, (_, i) => 100 + i), "the first records, in order, none twice");
});

test("empty objects load nothing; other files are listed as skipped with a reason", () => {
  assert.equal(events.filter((e) => e.s3_key === key(1000)).length, 0);
  assert.deepEqual(result.skipped.map((s) => s.reason).sort(), ["not JSON (.avro): only the JSON output format is read", "not an S3 sink object name (<topic>+<partition>+<offset>.json)"]);
  assert.equal(result.added, 4);
});

test("every record is an event or a rejected line, nothing lost or twice", () => {
  assert.equal(result.events, events.length);
  assert.equal(result.rejected, rejected.length);
});
