// Sync with the parse side in a worker thread (sink-object-parsing.ts) against sync parsing in its
// own thread, on the same bucket into two stores: the bundled sample and its overlapping
// re-delivery, the real log as the benchmarks ship it with an object re-delivering parts of two
// others, and the 25,000-client workload, each in several batches. Both stores must hold the same
// segments (every column of every row, in file order), the same rejected lines and the same
// account of every object.
import assert from "node:assert/strict";
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

/** Every segment's rows in file order (segments by day, then by their first row), the rejected lines, and the manifest's account of each object. */
async function storeContents(config: WeblogConfig) {
  const manifest = await readManifest(config.store);
  const duckdb = await openDuckDB();
  try {
    const rowsOf = async (file: string) => (await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(join(config.store, file))})`)).getRowsJS();
    const events = await Promise.all(segmentsOfKind(manifest, "events").map(async (s) => ({day: s.day, rows: await rowsOf(s.file)})));
    const rejected = await Promise.all(segmentsOfKind(manifest, "rejected").map(async (s) => ({rows: await rowsOf(s.file)})));
    const firstRow = (s: {rows: unknown[][]}) => JSON.stringify(s.rows[0], (_, v) => (typeof v === "bigint" ? String(v) : v));
    events.sort((a, b) => String(a.day).localeCompare(String(b.day)) || firstRow(a).localeCompare(firstRow(b)));
    rejected.sort((a, b) => firstRow(a).localeCompare(firstRow(b)));
    const objects = Object.fromEntries(Object.entries(manifest.objects).map(([key, {segments, ...object}]) => [key, {...object, segments: segments.length}]));
    return {events, rejected, objects, rows: events.reduce((n, s) => n + s.rows.length, 0)};
  } finally {
    closeDuckDB(duckdb);
  }
}

async function assertSameStores(stores: {worker: WeblogConfig; thread: WeblogConfig}): Promise<number> {
  const [inWorker, inThread] = await Promise.all([storeContents(stores.worker), storeContents(stores.thread)]);
  assert.ok(inWorker.rows > 0);
  assert.deepStrictEqual(inWorker.objects, inThread.objects);
  assert.deepStrictEqual(inWorker.rejected, inThread.rejected);
  assert.equal(inWorker.events.length, inThread.events.length, "as many segments");
  inWorker.events.forEach((segment, i) => assert.deepStrictEqual(segment, inThread.events[i], `segment ${i} (${segment.day})`));
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
