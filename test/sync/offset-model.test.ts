// Exactly once, against a model. The bucket is modelled as a Map of object key → the lines it
// holds; whatever the order of deliveries, overlapping re-deliveries, rewrites (longer, shorter,
// other content) and deletions, every (topic, partition, offset) the bucket holds must be in the
// store once, as an event or a rejected line, with the content of an object holding it.
// Thousands of random sequences run against the ledger (store/offset-ledger.ts) driven as sync
// drives it; 120 steps run end to end, through the local S3 endpoint and syncStore (a step is a
// real sync, 0.3 s on the shared 2-core machine when it is quiet: that bounds their number).
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {resolveConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {openEnrichment, type Enrichment} from "../../data-loaders/enrich/enrichers.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest} from "../../data-loaders/store/manifest.js";
import {inRuns, OffsetLedger, type OffsetRun} from "../../data-loaders/store/offset-ledger.js";
import {syncStore} from "../../data-loaders/sync.js";
import {openDuckDB, sqlFileList} from "../../data-loaders/write/duckdb.js";
import type {LocalS3} from "../../scripts/local-s3.js";
import type {DuckDBConnection} from "@duckdb/node-api";
import {seededRandom} from "../../src/components/seeded-random.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const TOPIC = "cloudwatchLogsEC2.i-0model";
const PARTITIONS = [0, 1];

/** One object of the modelled bucket: its first offset, and a version telling its writes apart. */
interface ModelObject {
  partition: number;
  start: number;
  records: number;
  version: number;
}
type Bucket = Map<string, ModelObject>;

function keyOf(partition: number, start: number, gzip = false): string {
  return `topics/${TOPIC}/year=2025/${TOPIC}+${partition}+${String(start).padStart(10, "0")}.json${gzip ? ".gz" : ""}`;
}

/** What line `offset` of an object holds: the offset and the write it came from; every ninth is not a log line. */
function contentOf(offset: number, version: number): string {
  return (offset + version) % 9 === 0 ? `garbage o${offset} v${version}` : `/o${offset}/v${version}`;
}

function lineOf(offset: number, version: number): string {
  const content = contentOf(offset, version);
  if (content.startsWith("garbage")) return JSON.stringify(content);
  return JSON.stringify(`192.0.2.${offset % 250} - - [01/Jan/2025:10:00:00 +0000] "GET ${content} HTTP/1.1" 200 ${offset} "-" "curl/8.4.0"`);
}


/** One random change to the bucket: a delivery (maybe overlapping, maybe under a name already there), a rewrite or a deletion. */
type Step = {put: string; object: ModelObject} | {delete: string};

function randomStep(bucket: Bucket, random: () => number, version: number, maxOffset: number, maxRecords: number): Step {
  const keys = [...bucket.keys()];
  const pick = random();
  if (keys.length > 0 && pick < 0.2) return {delete: keys[Math.floor(random() * keys.length)]};
  if (keys.length > 0 && pick < 0.5) {
    // A connector restart rewrites an object under its name: longer, shorter or other content.
    const key = keys[Math.floor(random() * keys.length)];
    const old = bucket.get(key)!;
    return {put: key, object: {...old, records: 1 + Math.floor(random() * maxRecords), version}};
  }
  const partition = PARTITIONS[Math.floor(random() * PARTITIONS.length)];
  const start = Math.floor(random() * maxOffset);
  return {put: keyOf(partition, start), object: {partition, start, records: 1 + Math.floor(random() * maxRecords), version}};
}

function applyStep(bucket: Bucket, step: Step): void {
  if ("delete" in step) bucket.delete(step.delete);
  else bucket.set(step.put, step.object);
}

/** Per partition, offset → the contents the bucket's objects hold there. */
function expectedOffsets(bucket: Bucket): Map<number, Map<number, Set<string>>> {
  const expected = new Map(PARTITIONS.map((p) => [p, new Map<number, Set<string>>()]));
  for (const o of bucket.values()) {
    const offsets = expected.get(o.partition)!;
    for (let offset = o.start; offset < o.start + o.records; offset++) {
      const contents = offsets.get(offset) ?? new Set<string>();
      contents.add(contentOf(offset, o.version));
      offsets.set(offset, contents);
    }
  }
  return expected;
}

/** Compares what the store holds, [partition, offset, content] rows, with the model; returns what differs. */
function differences(bucket: Bucket, stored: readonly [number, number, string][]): string[] {
  const expected = expectedOffsets(bucket);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [partition, offset, content] of stored) {
    const id = `${partition}/${offset}`;
    if (seen.has(id)) problems.push(`offset ${id} stored twice`);
    seen.add(id);
    const contents = expected.get(partition)?.get(offset);
    if (!contents) problems.push(`offset ${id} stored but no object holds it`);
    else if (!contents.has(content)) problems.push(`offset ${id} holds ${content}, not one of ${[...contents].join(", ")}`);
  }
  for (const [partition, offsets] of expected) for (const offset of offsets.keys()) if (!seen.has(`${partition}/${offset}`)) problems.push(`offset ${partition}/${offset} missing`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The ledger against the model: sync's order of work, without S3 or Parquet.

/** The ledger's side of a sync: objects gone released, changed ones taken in offset order, then backfills until no hole is left. */
function ledgerSync(ledger: OffsetLedger, ledgerEtags: Map<string, number>, bucket: Bucket, stored: Map<string, Map<number, string>>): void {
  for (const key of [...ledgerEtags.keys()]) {
    if (bucket.has(key)) continue;
    const partition = Number(key.split("+")[1]);
    ledger.release(key, TOPIC, partition);
    ledgerEtags.delete(key);
    stored.delete(key);
  }
  const changed = [...bucket].filter(([key, o]) => ledgerEtags.get(key) !== o.version).sort(([ka, a], [kb, b]) => a.partition - b.partition || a.start - b.start || ka.localeCompare(kb));
  for (const [key, o] of changed) {
    ledger.release(key, TOPIC, o.partition);
    const isStored = ledger.isStored(TOPIC, o.partition, o.start);
    const runs: OffsetRun[] = [];
    const rows = new Map<number, string>();
    for (let offset = o.start; offset < o.start + o.records; offset++) {
      if (isStored(offset)) continue;
      rows.set(offset, contentOf(offset, o.version));
      if (runs.length > 0 && runs[runs.length - 1][1] === offset) runs[runs.length - 1][1]++;
      else runs.push([offset, offset + 1]);
    }
    ledger.record(key, TOPIC, o.partition, o.start, o.records, runs);
    ledgerEtags.set(key, o.version);
    stored.set(key, rows);
  }
  for (const {key, partition, take} of ledger.backfills()) {
    const o = bucket.get(key)!;
    const wanted = inRuns(take);
    const runs: OffsetRun[] = [];
    for (let offset = o.start; offset < o.start + o.records; offset++) {
      if (!wanted(offset)) continue;
      stored.get(key)!.set(offset, contentOf(offset, o.version));
      if (runs.length > 0 && runs[runs.length - 1][1] === offset) runs[runs.length - 1][1]++;
      else runs.push([offset, offset + 1]);
    }
    ledger.grow(key, TOPIC, partition, runs);
  }
  assert.deepEqual(ledger.backfills(), [], "one round of backfill fills every hole when nothing is deleted meanwhile");
}

function runLedgerSequence(seed: number, steps: number): void {
  const random = seededRandom(seed);
  const bucket: Bucket = new Map();
  const ledger = new OffsetLedger();
  const etags = new Map<string, number>();
  const stored = new Map<string, Map<number, string>>();
  for (let step = 0; step < steps; step++) {
    // Sometimes several changes land between two syncs.
    const changes = 1 + Math.floor(random() * 3);
    for (let c = 0; c < changes; c++) applyStep(bucket, randomStep(bucket, random, step * 3 + c + 1, 30, 12));
    ledgerSync(ledger, etags, bucket, stored);
    const rows: [number, number, string][] = [];
    for (const [key, offsets] of stored) for (const [offset, content] of offsets) rows.push([bucket.get(key)!.partition, offset, content]);
    // What the ledger says each object stores is what was taken from it.
    for (const partition of PARTITIONS) {
      for (const [key, runs] of ledger.storedBy(TOPIC, partition)) {
        const offsets = [...stored.get(key)!.keys()].sort((a, b) => a - b);
        assert.deepEqual(runs.flatMap(([s, e]) => Array.from({length: e - s}, (_, i) => s + i)), offsets, `seed ${seed} step ${step}: ${key}`);
      }
    }
    const problems = differences(bucket, rows);
    assert.deepEqual(problems, [], `seed ${seed}, step ${step}`);
  }
}

test("the ledger keeps every offset once through 5,000 random sequences of deliveries, rewrites and deletions", () => {
  for (let seed = 1; seed <= 5000; seed++) runLedgerSequence(seed, 12);
});

test("the ledger refuses an offset stored from two objects", () => {
  const ledger = new OffsetLedger();
  ledger.record("a", TOPIC, 0, 0, 10, [[0, 10]]);
  assert.throws(() => ledger.record("b", TOPIC, 0, 5, 10, [[5, 15]]), /overlap/);
  assert.throws(
    () => new OffsetLedger([["a", {topic: TOPIC, kafka_partition: 0, start_offset: 0, records: 5, stored: [[0, 5]]}], ["b", {topic: TOPIC, kafka_partition: 0, start_offset: 3, records: 5, stored: [[3, 8]]}]]),
    /stored from both/,
  );
});

// ---------------------------------------------------------------------------------------------
// End to end: the local S3 endpoint, syncStore and the store's Parquet segments.

let s3: LocalS3;
let dir: string;
let client: S3Client;
let enrichment: Enrichment;
let duckdb: DuckDBConnection;
let storeNumber = 0;
/** Syncs per end-to-end sequence, each after one or two changes to the bucket. */
const STEPS_PER_SEED = 10;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-offsets-"));
  const config = configFor("unused", "unused");
  client = createS3Client(config.source);
  enrichment = await openEnrichment(config, () => {});
  duckdb = await openDuckDB();
});

after(async () => {
  client?.destroy();
  await stopLocalS3AndFolder(s3, dir);
});

function configFor(bucket: string, store: string): WeblogConfig {
  return resolveConfig({bucket, endpoint: s3.endpoint, store: join(dir, store)}, {WEBLOG_GEOIP_DIR: join(dir, "geoip")}, dir);
}

/** A fresh bucket and store. */
async function newWorld(): Promise<{bucket: string; config: WeblogConfig}> {
  const bucket = `model-${++storeNumber}`;
  await client.send(new CreateBucketCommand({Bucket: bucket}));
  return {bucket, config: configFor(bucket, `store-${storeNumber}`)};
}

async function putObject(bucket: string, key: string, o: ModelObject): Promise<void> {
  const body = Array.from({length: o.records}, (_, i) => lineOf(o.start + i, o.version)).join("\n") + "\n";
  await client.send(new PutObjectCommand({Bucket: bucket, Key: key, Body: body}));
}

async function applyToS3(bucket: string, step: Step): Promise<void> {
  if ("delete" in step) await client.send(new DeleteObjectCommand({Bucket: bucket, Key: step.delete}));
  else await putObject(bucket, step.put, step.object);
}

/** Every row of the store as [partition, offset, content]: events by their URL, rejected lines by their text. */
async function storedRows(config: WeblogConfig): Promise<[number, number, string][]> {
  const manifest = await readManifest(config.store);
  const files = (kind: "events" | "rejected") => Object.values(manifest.segments).filter((s) => s.kind === kind).map((s) => join(config.store, s.file));
  const rows: [number, number, string][] = [];
  const events = files("events");
  if (events.length > 0) {
    const reader = await duckdb.runAndReadAll(`SELECT kafka_partition, kafka_offset, url FROM read_parquet(${sqlFileList(events)})`);
    for (const [p, o, url] of reader.getRowsJS()) rows.push([Number(p), Number(o), String(url)]);
  }
  const rejected = files("rejected");
  if (rejected.length > 0) {
    const reader = await duckdb.runAndReadAll(`SELECT kafka_partition, kafka_offset, line FROM read_parquet(${sqlFileList(rejected)}) WHERE kafka_offset IS NOT NULL`);
    for (const [p, o, line] of reader.getRowsJS()) rows.push([Number(p), Number(o), String(line)]);
  }
  return rows;
}

/** `readsOn`: on the reader thread, every other object taken in is parsed there and its duplicates dropped here. */
async function sync(config: WeblogConfig, fullListing = true, readsOn: "this thread" | "reader thread" = "this thread") {
  return syncStore(config, {client, fullListing, enrichment: async () => enrichment, concurrency: 4, readsOn});
}

test("a restart rewriting an object shorter, after an overlapping re-delivery, loses nothing (issue 10)", async () => {
  const {bucket, config} = await newWorld();
  const bucketModel: Bucket = new Map();
  const a = keyOf(0, 0);
  const o = keyOf(0, 250);
  for (const step of [
    {put: a, object: {partition: 0, start: 0, records: 500, version: 1}},
    {put: o, object: {partition: 0, start: 250, records: 500, version: 2}},
    {put: a, object: {partition: 0, start: 0, records: 300, version: 3}},
  ] satisfies Step[]) {
    applyStep(bucketModel, step);
    await applyToS3(bucket, step);
    await sync(config);
  }
  const rows = await storedRows(config);
  assert.equal(rows.length, 750);
  assert.equal(new Set(rows.map(([p, offset]) => `${p}/${offset}`)).size, 750);
  assert.deepEqual(differences(bucketModel, rows), []);
  const manifest = await readManifest(config.store);
  assert.deepEqual(manifest.objects[a].stored, [[0, 300]]);
  assert.deepEqual(manifest.objects[o].stored, [[300, 750]], "O now stores what A no longer holds");
});

test("an object deleted from the bucket leaves the store, and its offsets come back from another object holding them", async () => {
  const {bucket, config} = await newWorld();
  const bucketModel: Bucket = new Map();
  for (const step of [
    {put: keyOf(0, 0), object: {partition: 0, start: 0, records: 10, version: 1}},
    {put: keyOf(0, 5), object: {partition: 0, start: 5, records: 10, version: 2}},
    {put: keyOf(1, 0), object: {partition: 1, start: 0, records: 4, version: 3}},
  ] satisfies Step[]) {
    applyStep(bucketModel, step);
    await applyToS3(bucket, step);
  }
  await sync(config);
  for (const step of [{delete: keyOf(0, 0)}, {delete: keyOf(1, 0)}] satisfies Step[]) {
    applyStep(bucketModel, step);
    await applyToS3(bucket, step);
  }
  const result = await sync(config);
  assert.equal(result.removed, 2);
  assert.equal(result.backfilled, 1);
  assert.deepEqual(differences(bucketModel, await storedRows(config)), []);
  assert.equal((await storedRows(config)).length, 10);
});

test("120 random steps through S3 and syncStore keep every offset once, with the content of an object holding it (half the seeds read and half parsed on the reader thread)", async () => {
  let steps = 0;
  // Seeds that once found a defect stay here as fixed cases.
  const seeds = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112];
  for (const seed of seeds) {
    const random = seededRandom(seed);
    const {bucket, config} = await newWorld();
    const model: Bucket = new Map();
    let deletedSinceFullListing = false;
    for (let step = 0; step < STEPS_PER_SEED; step++) {
      const changes = 1 + Math.floor(random() * 2);
      for (let c = 0; c < changes; c++) {
        const change = randomStep(model, random, step * 2 + c + 1, 40, 15);
        applyStep(model, change);
        await applyToS3(bucket, change);
        if ("delete" in change) deletedSinceFullListing = true;
      }
      // Deletions are seen only by a full listing; with no deletion pending the tail listing must do as well.
      const full = deletedSinceFullListing || random() < 0.5;
      await sync(config, full, seed % 2 === 0 ? "reader thread" : "this thread");
      if (full) deletedSinceFullListing = false;
      assert.deepEqual(differences(model, await storedRows(config)), [], `seed ${seed}, step ${step}`);
      steps++;
    }
  }
  assert.equal(steps, seeds.length * STEPS_PER_SEED);
});
