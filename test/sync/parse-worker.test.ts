// Sync with the parse side in a worker thread (sink-object-parsing.ts) against sync as it parses
// in its main thread (ingestSinkObject, the path every other test takes), on the same bucket into
// two stores: the bundled sample and its overlapping re-delivery, the real log as the benchmarks
// ship it with an object re-delivering parts of two others, and the 25,000-client workload, each
// in several batches. Both stores must hold the same rows (every column, each day in the store's
// order), the same rejected lines and the same account of every object.
import assert from "node:assert/strict";
import {execFileSync, spawn} from "node:child_process";
import {once} from "node:events";
import {readFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {CreateBucketCommand, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {syncStore, type SyncResult} from "../../data-loaders/sync.js";
import {closeDuckDB, openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {EVENT_ORDER} from "../../data-loaders/write/parquet.js";
import {SinkObjectParser} from "../../data-loaders/sink-object-parser.js";
import {parseInWorker} from "../../data-loaders/sink-object-parsing.js";
import {demoEnvironment, DEMO_BUCKET, REWRITES_DIR, SAMPLE_DIR} from "../../scripts/demo.js";
import {LOCAL_S3_CREDENTIALS, seedBucket, startLocalS3} from "../../scripts/local-s3.js";
import {benchObject, DIVERSE_CLIENTS, RECORDS_PER_OBJECT, type Workload} from "../../bench/workload.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));

let s3: Awaited<ReturnType<typeof startLocalS3>>;
let dir: string;
let client: S3Client;

before(async () => {
  s3 = await startLocalS3({port: 0});
  dir = await mkdtemp(join(tmpdir(), "weblog-parse-worker-"));
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  client = createS3Client(loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "unused"))).source);
});

after(async () => {
  client?.destroy();
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
});

/** Two stores syncing one bucket: one parsing in a worker, one in its own thread. */
function twoStores(name: string, bucket: string) {
  const configOf = (store: string): WeblogConfig => ({...loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, `${name}-${store}`))), source: {...loadConfig(dir, demoEnvironment(s3.endpoint, dir)).source, bucket}});
  const worker = configOf("worker");
  const thread = configOf("thread");
  return {
    worker,
    thread,
    async sync(batchEvents: number): Promise<{worker: SyncResult; thread: SyncResult}> {
      const lines: string[] = [];
      const inWorker = await syncStore(worker, {client, batchEvents, parseInWorker: true, log: (line) => lines.push(line)});
      assert.ok(lines.includes("parsing in a worker thread"), `the worker parsed: ${lines.join("\n")}`);
      const inThread = await syncStore(thread, {client, batchEvents, parseInWorker: false});
      // The results say the same, but for where the work was done.
      assert.deepEqual(inWorker, inThread);
      return {worker: inWorker, thread: inThread};
    },
  };
}

/**
 * Each day's rows in the store's order (every column), the rejected lines, and the manifest's
 * account of each object. Segments are not compared one by one: a worker cuts its batches by the
 * events it parsed, duplicates included, so with duplicates the two may cut at other objects.
 */
async function storeContents(config: WeblogConfig) {
  const manifest = await readManifest(config.store);
  const duckdb = await openDuckDB();
  try {
    const rowsOf = async (files: string[], order: string) =>
      (await duckdb.runAndReadAll(`SELECT * FROM read_parquet([${files.map((f) => sqlString(join(config.store, f))).join(", ")}]) ORDER BY ${order}`)).getRowsJS();
    const days = [...new Set(segmentsOfKind(manifest, "events").map((s) => String(s.day)))].sort();
    const events = [];
    for (const day of days) {
      const files = segmentsOfKind(manifest, "events").filter((s) => s.day === day).map((s) => s.file);
      events.push({day, rows: await rowsOf(files, `${EVENT_ORDER}`)});
    }
    const rejectedFiles = segmentsOfKind(manifest, "rejected").map((s) => s.file);
    const rejected = rejectedFiles.length === 0 ? [] : await rowsOf(rejectedFiles, "s3_key, line_number, kafka_offset, reason");
    const objects = Object.fromEntries(Object.entries(manifest.objects).map(([key, {segments: _, ...object}]) => [key, object]));
    return {events, rejected, objects, rows: events.reduce((n, day) => n + day.rows.length, 0)};
  } finally {
    closeDuckDB(duckdb);
  }
}

async function assertSameStores(stores: {worker: WeblogConfig; thread: WeblogConfig}): Promise<number> {
  const [inWorker, inThread] = await Promise.all([storeContents(stores.worker), storeContents(stores.thread)]);
  assert.ok(inWorker.rows > 0);
  assert.deepStrictEqual(inWorker.objects, inThread.objects);
  assert.deepStrictEqual(inWorker.rejected, inThread.rejected);
  assert.deepStrictEqual(inWorker.events.map((d) => d.day), inThread.events.map((d) => d.day), "the same days");
  inWorker.events.forEach((day, i) => assert.deepStrictEqual(day, inThread.events[i], `day ${day.day}`));
  return inWorker.rows;
}

async function putWorkload(bucket: string, events: number, workload: Workload): Promise<void> {
  await client.send(new CreateBucketCommand({Bucket: bucket}));
  for (let i = 0; i < Math.ceil(events / RECORDS_PER_OBJECT); i++) {
    const {key, body} = benchObject(i, events, 2025, workload);
    await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: body}));
  }
}

test("the sample and its overlapping re-delivery: the same store whichever thread parses", async () => {
  await seedBucket(client, DEMO_BUCKET, SAMPLE_DIR);
  const stores = twoStores("sample", DEMO_BUCKET);
  const first = await stores.sync(400);
  assert.equal(first.worker.events, expected.events);
  assert.equal(first.worker.rejected, expected.rejected);
  await assertSameStores(stores);
  // A rewritten object and one re-delivering records other objects hold: duplicates are dropped.
  await seedBucket(client, DEMO_BUCKET, REWRITES_DIR);
  const rewrite = await stores.sync(400);
  assert.equal(rewrite.worker.duplicates, expected.rewrites.overlappingRecords);
  await assertSameStores(stores);
});

test("the real log with a re-delivery overlapping two objects: the same store whichever thread parses", async () => {
  await putWorkload("real-log", 10_000, "real");
  // Instance 0's objects are 0 (offsets 0-999) and 3 (1000-1999): one more at 500 re-delivers
  // the second half of the one and the first half of the other, as a connector restart does.
  const {key, body} = benchObject(3, 10_000, 2025, "real");
  await client.send(new PutObjectCommand({Bucket: "real-log", Key: key.replace("+0000001000.json", "+0000000500.json"), Body: body}));
  const stores = twoStores("real", "real-log");
  const {worker} = await stores.sync(3000);
  assert.equal(worker.duplicates, 1000);
  assert.equal(await assertSameStores(stores), 10_000);
});

test("the 25,000-client workload: the same store whichever thread parses", async () => {
  const events = 60_000;
  await putWorkload("diverse", events, "diverse");
  const stores = twoStores("diverse", "diverse");
  await stores.sync(25_000);
  assert.equal(await assertSameStores(stores), events);
  const duckdb = await openDuckDB();
  try {
    const files = segmentsOfKind(await readManifest(stores.worker.store), "events").map((s) => sqlString(join(stores.worker.store, s.file)));
    const [[clients]] = (await duckdb.runAndReadAll(`SELECT count(DISTINCT client_ip) FROM read_parquet([${files.join(", ")}])`)).getRowsJS();
    // Most of the workload's clients, in batches of 25,000 events.
    assert.ok(Number(clients) > DIVERSE_CLIENTS * 0.85, `${clients} clients`);
  } finally {
    closeDuckDB(duckdb);
  }
});

test("a failure on the worker's side is thrown where its object is awaited, as the same failure in this thread", async () => {
  const settings = {logFormat: "%h %Q", logFormats: [], timeZone: null};
  let inThread: Error | null = null;
  try {
    new SinkObjectParser(settings, 1000);
  } catch (error) {
    inThread = error as Error;
  }
  assert.ok(inThread !== null, "the format does not compile");
  const parsing = parseInWorker(settings, 1000);
  try {
    const {key, body} = benchObject(0, 10, 2025, "real");
    // Each job's bytes move to the worker: a job of its own each.
    const job = () => ({object: {key, topic: "t", partition: 0, startOffset: 0}, bytes: new TextEncoder().encode(body), keyBytes: null, problem: null});
    // Two objects in flight: both fail, neither as an unhandled rejection.
    const [first, second] = [parsing.parse(job()), parsing.parse(job())];
    await assert.rejects(first, {name: inThread.name, message: inThread.message});
    await assert.rejects(second, {name: inThread.name, message: inThread.message});
  } finally {
    await parsing.close();
  }
});

test("the command run from its bundle parses in the worker's bundled script", async () => {
  // The bundle as `npm ci` makes it: bin/weblog.js runs it while it is newer than its sources.
  execFileSync(process.execPath, ["--import", "tsx", join(PROJECT_DIR, "scripts/bundle-cli.ts")], {cwd: PROJECT_DIR, stdio: "ignore"});
  await seedBucket(client, "bundled-command", SAMPLE_DIR);
  const store = join(dir, "bundled-command");
  // Not spawnSync: the local S3 endpoint answers from this process's event loop.
  const child = spawn(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), "sync"], {
    cwd: dir,
    env: {...process.env, ...demoEnvironment(s3.endpoint, store), ...LOCAL_S3_CREDENTIALS, WEBLOG_CONFIG: "", WEBLOG_BUCKET: "bundled-command", WEBLOG_PARSE_WORKER: "1"},
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  const run = {status: code, stderr};
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /parsing in a worker thread/);
  const manifest = await readManifest(store);
  assert.equal(segmentsOfKind(manifest, "events").reduce((n, s) => n + s.rows, 0), expected.events);
  assert.equal(segmentsOfKind(manifest, "rejected").reduce((n, s) => n + s.rows, 0), expected.rejected);
});
