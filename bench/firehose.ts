// `npx tsx bench/firehose.ts`: what counting Firehose re-deliveries once costs, for people to
// read (nothing asserts a time). BENCH_EVENTS (default 1,000,000) real Combined lines as a
// subscription filter → Firehose writes them (1000 events an object, 100 per document), on the
// local S3 endpoint (in this process), then:
//   - ingest: the whole workload in one sync, events/s, and the same events as S3 sink objects
//     (bench/workload.ts) into another store, for a figure that does not depend on the load;
//   - incremental: one new object, then one re-delivered object (its 1000 events already stored:
//     the commit's anti-join against the same days' event ids finds them), each one sync;
//   - the alternative not taken: the heap a Set of every stored event id would hold.
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {CreateBucketCommand, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {resolveConfig} from "../data-loaders/config.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {syncStore} from "../data-loaders/sync.js";
import {LOCAL_S3_CREDENTIALS, startLocalS3} from "../scripts/local-s3.js";
import {benchLine, INSTANCES, uploadWorkload} from "./workload.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
if (!(EVENTS > 0 && EVENTS <= 1_000_000)) throw new Error("BENCH_EVENTS must be between 1 and 1,000,000");
const PER_OBJECT = 1000;
const PER_DOCUMENT = 100;
const START = Date.UTC(2025, 0, 1);
const SPAN_MS = 30 * 86_400_000;
const BUCKET = "bench-firehose";

const eventId = (i: number) => `3${String(i).padStart(55, "0")}`;
const timeOf = (i: number) => START + Math.floor((i * SPAN_MS) / EVENTS);

/** Object `o` of the workload: its key (in its hour folder) and gzip body. */
function firehoseObject(o: number, retry = false): {key: string; body: Buffer} {
  const first = o * PER_OBJECT;
  const documents: string[] = [];
  for (let d = first; d < Math.min(first + PER_OBJECT, EVENTS); d += PER_DOCUMENT) {
    const logEvents = [];
    for (let i = d; i < Math.min(d + PER_DOCUMENT, EVENTS, first + PER_OBJECT); i++) logEvents.push({id: eventId(i), timestamp: timeOf(i), message: benchLine(i, EVENTS)});
    documents.push(JSON.stringify({messageType: "DATA_MESSAGE", owner: "111111111111", logGroup: "cloudwatchLogsEC2", logStream: INSTANCES[o % INSTANCES.length], subscriptionFilters: ["bench"], logEvents}));
  }
  const t = new Date(timeOf(first) + (retry ? SPAN_MS : 0));
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = [t.getUTCFullYear(), two(t.getUTCMonth() + 1), two(t.getUTCDate()), two(t.getUTCHours()), two(t.getUTCMinutes()), two(t.getUTCSeconds())];
  const uuid = `${String(o).padStart(8, "0")}-0000-4000-8000-${retry ? "1" : "0"}${String(o).padStart(11, "0")}`;
  return {key: `${stamp.slice(0, 4).join("/")}/bench-1-${stamp.join("-")}-${uuid}`, body: gzipSync(documents.join(""))};
}

async function upload(client: S3Client, objects: {key: string; body: Buffer}[]): Promise<void> {
  for (let i = 0; i < objects.length; i += 16) {
    await Promise.all(objects.slice(i, i + 16).map(({key, body}) => client.send(new PutObjectCommand({Bucket: BUCKET, Key: key, Body: body}))));
  }
}

Object.assign(process.env, LOCAL_S3_CREDENTIALS);
const work = await mkdtemp(join(tmpdir(), "weblog-bench-firehose-"));
const s3 = await startLocalS3();
try {
  const objectCount = Math.ceil(EVENTS / PER_OBJECT);
  console.log(`# Firehose path: ${EVENTS.toLocaleString("en")} events in ${objectCount} objects, 30 days (local S3 endpoint in this process)`);
  const config = resolveConfig({format: "firehose", bucket: BUCKET, endpoint: s3.endpoint, store: join(work, "store")}, {WEBLOG_GEOIP_DIR: join(work, "geoip")}, work);
  const client = createS3Client(config.source);
  await client.send(new CreateBucketCommand({Bucket: BUCKET}));
  let started = performance.now();
  for (let o = 0; o < objectCount; o += 100) await upload(client, Array.from({length: Math.min(100, objectCount - o)}, (_, j) => firehoseObject(o + j)));
  console.log(`upload (not counted): ${seconds(started)} s`);

  started = performance.now();
  const ingest = await syncStore(config, {client});
  const ingestSeconds = (performance.now() - started) / 1000;
  console.log(`ingest: ${Math.round(ingest.events / ingestSeconds).toLocaleString("en")} events/s (${ingestSeconds.toFixed(1)} s for ${ingest.events.toLocaleString("en")} events, ${ingest.duplicates} duplicates)`);
  if (process.env.BENCH_COMPARE_SINK !== "0") {
    const sinkBucket = "bench-sink";
    const sinkConfig = resolveConfig({bucket: sinkBucket, endpoint: s3.endpoint, store: join(work, "sink-store")}, {WEBLOG_GEOIP_DIR: join(work, "geoip")}, work);
    await client.send(new CreateBucketCommand({Bucket: sinkBucket}));
    await uploadWorkload(client, sinkBucket, EVENTS);
    started = performance.now();
    const sink = await syncStore(sinkConfig, {client});
    const sinkSeconds = (performance.now() - started) / 1000;
    console.log(`the same events as S3 sink objects, same endpoint, just after: ${Math.round(sink.events / sinkSeconds).toLocaleString("en")} events/s (${sinkSeconds.toFixed(1)} s): the Firehose path takes ${(ingestSeconds / sinkSeconds).toFixed(2)}× as long`);
  }

  // A new object: the anti-join runs against its day's stored ids and finds none.
  const fresh = firehoseObject(objectCount - 1, true);
  fresh.body = gzipSync(JSON.stringify({messageType: "DATA_MESSAGE", logGroup: "cloudwatchLogsEC2", logStream: INSTANCES[0], logEvents: Array.from({length: PER_OBJECT}, (_, i) => ({id: `4${String(i).padStart(55, "0")}`, timestamp: timeOf(EVENTS - 1), message: benchLine(i, EVENTS)}))}));
  await upload(client, [fresh]);
  started = performance.now();
  const added = await syncStore(config, {client});
  console.log(`incremental, one new object of ${PER_OBJECT} events: ${seconds(started)} s (${added.events} events stored)`);

  // A Firehose retry of an object from the middle of the month: every event already stored.
  const retried = firehoseObject(Math.floor(objectCount / 2));
  retried.key = firehoseObject(objectCount - 1, true).key.replace(/-1(\d{11})$/, "-2$1");
  await upload(client, [retried]);
  started = performance.now();
  const redelivered = await syncStore(config, {client});
  console.log(`incremental, one re-delivered object of ${PER_OBJECT} events: ${seconds(started)} s (${redelivered.events} stored, ${redelivered.duplicates} counted as duplicates)`);

  // The alternative: every stored id in memory.
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const ids = new Set<string>();
  for (let i = 0; i < EVENTS; i++) ids.add(eventId(i));
  globalThis.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  console.log(`a Set of ${ids.size.toLocaleString("en")} stored event ids would hold ${((heapAfter - heapBefore) / 1e6).toFixed(0)} MB of heap for as long as sync or watch runs${globalThis.gc ? "" : " (run with node --expose-gc for a steadier figure)"}`);
} finally {
  await s3.stop();
  await rm(work, {recursive: true, force: true});
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}
