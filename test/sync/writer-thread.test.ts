// A sync's batches written on a writer thread (store/segment-writer.ts) give the store a sync
// writing them on its own thread gives: the same events, every column, in the same files' order,
// the same rejected lines, segments and counts. Against the real local S3 endpoint holding the
// bundled sample, in small batches so that a batch is written while the next is parsed. An object
// gone from the bucket leaves the store with a writer thread too. And a failure on the writer
// thread reaches the sync as an error saying what failed.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {DeleteObjectCommand} from "@aws-sdk/client-s3";
import {openEnrichment} from "../../data-loaders/enrich/enrichers.js";
import {loadConfig} from "../../data-loaders/config.js";
import type {ParsedLine} from "../../data-loaders/event.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {writesOnWriterThread} from "../../data-loaders/store/segment-writer.js";
import {syncStore, type SyncResult} from "../../data-loaders/sync.js";
import {openDuckDB, closeDuckDB, sqlFileList} from "../../data-loaders/write/duckdb.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, startLocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));

let s3: Awaited<ReturnType<typeof startLocalS3>>;
let dir: string;

before(async () => {
  s3 = await startLocalS3({port: 0});
  dir = await mkdtemp(join(tmpdir(), "weblog-writer-thread-"));
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
  await seedBucket(createS3Client(loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "seed"))).source), DEMO_BUCKET, SAMPLE_DIR);
});

after(async () => {
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
});

/** A sync of the sample into a store of its own, its batches written where `writesOn` says. */
async function syncSample(writesOn: "this thread" | "writer thread"): Promise<{store: string; result: SyncResult; log: string[]}> {
  const store = join(dir, writesOn.replace(" ", "-"));
  const config = loadConfig(dir, demoEnvironment(s3.endpoint, store));
  const log: string[] = [];
  // Batches of 1,000 events: several commits, each written while the next batch is parsed.
  const result = await syncStore(config, {client: createS3Client(config.source), batchEvents: 1000, writesOn, log: (line) => log.push(line)});
  return {store, result, log};
}

/** Every row of the store's segments of `kind`, every column, in each file's own order, the files by day. */
async function storeRows(store: string, kind: "events" | "rejected"): Promise<unknown[][]> {
  const segments = segmentsOfKind(await readManifest(store), kind).sort((a, b) => String(a.day).localeCompare(String(b.day)) || a.min_ts! - b.min_ts!);
  const duckdb = await openDuckDB();
  try {
    const files = sqlFileList(segments.map((segment) => join(store, segment.file)));
    const reader = await duckdb.runAndReadAll(
      `SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet(${files}, filename = true, file_row_number = true) ORDER BY list_position(${files}, filename), file_row_number`,
    );
    return reader.getRowsJS() as unknown[][];
  } finally {
    closeDuckDB(duckdb);
  }
}

test("a sync writing on a writer thread makes the store a sync writing on its own thread makes", async () => {
  const here = await syncSample("this thread");
  const there = await syncSample("writer thread");
  assert.ok(there.log.includes("writing the batches on a thread of their own"), "the writer thread was used");
  assert.ok(!here.log.includes("writing the batches on a thread of their own"));
  assert.ok(there.log.filter((line) => line.startsWith("committed ")).length > 2, "several batches");
  assert.equal(there.result.events, expected.events);
  assert.equal(there.result.rejected, expected.rejected);
  assert.deepEqual(there.result, here.result);

  const [hereManifest, thereManifest] = [await readManifest(here.store), await readManifest(there.store)];
  const shape = (manifest: typeof hereManifest) =>
    Object.values(manifest.segments)
      .map(({kind, day, rows, min_ts, max_ts}) => ({kind, day, rows, min_ts, max_ts}))
      .sort((a, b) => `${a.kind} ${a.day} ${a.min_ts} ${a.rows}`.localeCompare(`${b.kind} ${b.day} ${b.min_ts} ${b.rows}`));
  assert.deepEqual(shape(thereManifest), shape(hereManifest), "the same segments: days, rows and times");
  assert.deepEqual(Object.keys(thereManifest.objects).sort(), Object.keys(hereManifest.objects).sort());

  const events = await storeRows(there.store, "events");
  assert.equal(events.length, expected.events);
  assert.deepEqual(events, await storeRows(here.store, "events"), "every event, every column, in the same order");
  assert.deepEqual(await storeRows(there.store, "rejected"), await storeRows(here.store, "rejected"));
});

test("on a writer thread, an object gone from the bucket still leaves the store: the sync's own DuckDB, opened only then, rewrites its rows out", async () => {
  const bucket = "writer-thread-leaving";
  const config = loadConfig(dir, {...demoEnvironment(s3.endpoint, join(dir, "leaving")), WEBLOG_BUCKET: bucket});
  const client = createS3Client(config.source);
  await seedBucket(client, bucket, SAMPLE_DIR);
  await syncStore(config, {client, writesOn: "writer thread", batchEvents: 1000});
  const before = await readManifest(config.store);
  const [gone, object] = Object.entries(before.objects).find(([, o]) => o.events > 0)!;
  await client.send(new DeleteObjectCommand({Bucket: bucket, Key: gone}));
  const log: string[] = [];
  const result = await syncStore(config, {client, writesOn: "writer thread", fullListing: true, batchEvents: 1000, log: (line) => log.push(line)});
  assert.ok(log.includes("writing the batches on a thread of their own"));
  assert.equal(result.removed, 1);
  const after = await readManifest(config.store);
  assert.ok(!(gone in after.objects));
  assert.equal(segmentsOfKind(after, "events").reduce((n, segment) => n + segment.rows, 0), expected.events - object.events);
  assert.equal((await storeRows(config.store, "events")).length, expected.events - object.events);
});

test("a write that fails on the writer thread is the sync's error, and the thread still closes", async () => {
  const config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "unused")));
  // A store that is a file: the writer thread cannot make its segments' folder in it.
  const notAFolder = join(dir, "a-file");
  await writeFile(notAFolder, "");
  // GeoLite2 read once into memory the writer thread opens too, as a sync on a writer thread reads it.
  const enrichment = await openEnrichment(config, () => {}, {shared: true});
  assert.ok(enrichment.geoip.bytes?.city?.buffer instanceof SharedArrayBuffer);
  const writer = writesOnWriterThread(notAFolder, join(dir, "tmp"), enrichment);
  const batch = new EventBatch();
  batch.add(
    {s3_key: "topics/t/year=2024/t+0+0000000000.json", topic: "t", kafka_partition: 0, kafka_offset: 0, log_group: "g", log_stream: "s", ingest_ts: null, event_id: null},
    sampleLine(),
  );
  await assert.rejects(writer.write(batch, {}), /ENOTDIR|EEXIST|not a directory/);
  await writer.close();
});

/** One request line as the parser gives it. */
function sampleLine(): ParsedLine {
  return {
    ts: Date.UTC(2024, 0, 1),
    vhost: null,
    client_ip: "192.0.2.1",
    ident: null,
    auth_user: null,
    method: "GET",
    url: "/",
    path: "/",
    query: null,
    protocol: "HTTP/1.1",
    status: 200,
    bytes: 10,
    referrer: null,
    referrer_host: null,
    user_agent: "curl/8.0",
    server_port: null,
    duration_us: null,
    bytes_received: null,
    bytes_sent: null,
  };
}
