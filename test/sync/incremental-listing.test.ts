// A poll costs what it takes in, not what the history holds. Between full listings sync lists only
// the tail of each topic folder: what it lists and asks S3 for stays the same however long the
// history, and new objects, new topics and rewrites of the latest objects are still all taken in
// (a rewrite of an old object waits for the next full listing, or `--full`). And a busy day's
// small segments are merged among themselves, not into the day's history.
import assert from "node:assert/strict";
import {after, before, test} from "node:test";
import {PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import type {WeblogConfig} from "../../data-loaders/config.js";
import {listingStarts, REWRITE_WINDOW, topicFolder} from "../../data-loaders/sources/incremental-listing.js";
import {COMPACT_ABOVE_SEGMENTS, compactStore, mergeCandidates} from "../../data-loaders/store/compact.js";
import {readManifest, segmentsAddedSince, writeManifest, type Segment} from "../../data-loaders/store/manifest.js";
import {syncStore} from "../../data-loaders/sync.js";
import {startSinkBucket, stopSinkBucket, type SinkBucket} from "../support/local-s3-folder.js";

const BUCKET = "listing";
let client: S3Client;
let config: WeblogConfig;
let bucket: SinkBucket | undefined;
let listRequests = 0;

before(async () => {
  bucket = await startSinkBucket("weblog-listing-", BUCKET);
  ({config, client} = bucket);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ListObjectsV2Command") listRequests++;
      return next(args);
    },
    {step: "initialize"},
  );
});

after(() => stopSinkBucket(bucket));

function keyOf(instance: string, partition: number, offset: number): string {
  const topic = `cloudwatchLogsEC2.${instance}`;
  return `topics/${topic}/year=2025/${topic}+${partition}+${String(offset).padStart(10, "0")}.json`;
}

/** An S3 sink object of two records at `offset`; `path` tells the rows of different puts apart. */
async function put(instance: string, partition: number, offset: number, path = "/"): Promise<void> {
  const body = [0, 1]
    .map((i) => JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: instance, message: `192.0.2.${i + 1} - - [01/Jan/2025:10:00:0${i} +0000] "GET ${path} HTTP/1.1" 200 10 "-" "curl/8.4.0"`}))
    .join("\n");
  await client.send(new PutObjectCommand({Bucket: BUCKET, Key: keyOf(instance, partition, offset), Body: body}));
}

/** `count` more objects in each partition: instance a has partitions 0 and 1, b and c one each. */
async function addHistory(from: number, count: number): Promise<void> {
  const puts: Promise<void>[] = [];
  for (let n = from; n < from + count; n++) {
    for (const [instance, partition] of [["i-a", 0], ["i-a", 1], ["i-b", 0], ["i-c", 0]] as const) puts.push(put(instance, partition, n * 2));
    // The connector can store Kafka headers beside the values: i-c's headers, one file per object, not read.
    const headers = keyOf("i-c", 0, n * 2).replace(/\.json$/, ".headers.json");
    puts.push(client.send(new PutObjectCommand({Bucket: BUCKET, Key: headers, Body: "[]\n[]"})).then(() => {}));
  }
  await Promise.all(puts);
}

async function sync(options: {fullListing?: boolean} = {}) {
  listRequests = 0;
  const result = await syncStore(config, {client, ...options});
  return {...result, listRequests};
}

test("a topic folder is cut from a key under any prefix", () => {
  const key = keyOf("i-a", 0, 40);
  assert.equal(topicFolder(key, "cloudwatchLogsEC2.i-a", "topics/"), "topics/cloudwatchLogsEC2.i-a/");
  assert.equal(topicFolder(key, "cloudwatchLogsEC2.i-a", ""), "topics/cloudwatchLogsEC2.i-a/");
  // A prefix deeper than the topic folder is the folder itself.
  assert.equal(topicFolder(key, "cloudwatchLogsEC2.i-a", "topics/cloudwatchLogsEC2.i-a/year=2025/"), "topics/cloudwatchLogsEC2.i-a/year=2025/");
  // A layout without a folder named after the topic: the prefix, listed as one folder.
  assert.equal(topicFolder("logs/t+0+0000000000.json", "t", "logs/"), "logs/");
});

test("each folder is listed from before its partitions' last objects, or whole while they are few", () => {
  const known = (partition: number, count: number) => Array.from({length: count}, (_, n) => ({key: keyOf("i-a", partition, n), topic: "cloudwatchLogsEC2.i-a", partition}));
  const folder = "topics/cloudwatchLogsEC2.i-a/";
  const starts = (...partitions: [number, string | null][]) => new Map([[folder, new Map(partitions.map(([p, start]) => [`cloudwatchLogsEC2.i-a+${p}`, start]))]]);
  assert.deepEqual(listingStarts(known(0, REWRITE_WINDOW), "topics/"), starts([0, null]));
  assert.deepEqual(listingStarts(known(0, 30), "topics/"), starts([0, keyOf("i-a", 0, 30 - 1 - REWRITE_WINDOW)]));
  assert.deepEqual(listingStarts([...known(0, 30), ...known(1, 5)], "topics/"), starts([0, keyOf("i-a", 0, 30 - 1 - REWRITE_WINDOW)], [1, null]));
});

test("between full listings a poll lists only the tail, and still takes in new objects, new topics and rewrites of the latest", async () => {
  await addHistory(0, 40);
  const first = await sync();
  assert.equal(first.fullListing, true, "an empty store lists everything");
  assert.equal(first.added, 160);

  // Nothing new: the tail of each of the four partitions is listed again, nothing more.
  const idle = await sync();
  assert.equal(idle.fullListing, false);
  assert.equal(idle.changed, false);
  const tail = 4 * REWRITE_WINDOW;
  assert.equal(idle.listed, tail);

  // Twice the history: the same listing, the same requests.
  await addHistory(40, 40);
  await sync({fullListing: true});
  const idleLater = await sync();
  assert.equal(idleLater.listed, tail);
  assert.equal(idleLater.skipped.length, idle.skipped.length, "header files too");
  assert.equal(idleLater.listRequests, idle.listRequests);

  await put("i-a", 1, 160); // next object of a known partition
  await put("i-d", 0, 0); // an instance never seen: a new topic folder
  await put("i-b", 0, 158, "/rewritten-latest"); // the latest object of i-b, rewritten after a connector restart
  await put("i-c", 0, 0, "/rewritten-oldest"); // an old one, outside the window
  const poll = await sync();
  assert.equal(poll.fullListing, false);
  assert.equal(poll.added, 2);
  assert.equal(poll.replaced, 1);
  assert.equal(poll.events, 6);
  const manifest = await readManifest(config.store);
  assert.ok(manifest.objects[keyOf("i-a", 1, 160)] && manifest.objects[keyOf("i-d", 0, 0)]);

  // The full listing finds the old rewrite; its rows replace the old ones.
  const full = await sync({fullListing: true});
  assert.equal(full.fullListing, true);
  assert.deepEqual([full.added, full.replaced, full.events], [0, 1, 2]);
  assert.equal(full.listed, 4 * 80 + 2);
  assert.equal(full.skipped.length, 80);
  // What the full listing did not read is recorded whole; a poll, which sees only the tail, leaves it.
  const recorded = (await readManifest(config.store)).skipped_keys ?? [];
  assert.equal(recorded.reduce((n, r) => n + r.count, 0), 80);
  assert.ok(recorded.every((r) => r.examples.length === Math.min(10, r.count)));
  await sync();
  assert.deepEqual((await readManifest(config.store)).skipped_keys, recorded);
});

test("sync lists everything again once the last full listing is older than fullListingMinutes", async () => {
  const recent = await sync();
  assert.equal(recent.fullListing, false);
  const manifest = await readManifest(config.store);
  await writeManifest(config.store, {...manifest, listed_fully_at: Date.now() - config.fullListingMinutes * 60_000 - 1});
  const due = await sync();
  assert.equal(due.fullListing, true);
  assert.equal(due.changed, false);
  assert.ok((await readManifest(config.store)).listed_fully_at! > Date.now() - 60_000, "the full listing is recorded");
  assert.equal((await sync()).fullListing, false);
});

test("a busy day's new segments are merged among themselves, leaving its history as it is", async () => {
  await compactStore(config.store);
  const daySegments = async () => Object.entries((await readManifest(config.store)).segments).filter(([, s]) => s.day === "2025-01-01");
  const [[history, {rows: historyRows}], ...others] = await daySegments();
  assert.equal(others.length, 0, "one segment for the day after compaction");

  // An object every few seconds: each sync adds a small segment, until the day has one too many.
  for (let n = 0; n < COMPACT_ABOVE_SEGMENTS; n++) {
    await put("i-e", 0, n * 2, `/busy/${n}`);
    await sync();
  }
  const after = await daySegments();
  // The last sync's own segment is left apart, merged at the next sync (compact.ts: mergeable).
  assert.equal(after.length, 3, "the history, the earlier syncs' new rows as one segment, the last sync's");
  assert.ok(after.some(([id]) => id === history), "the history was not rewritten");
  const merged = after.filter(([id, s]) => id !== history && s.merged_from !== undefined);
  assert.equal(merged.length, 1);
  assert.equal(merged[0][1].merged_from!.length, COMPACT_ABOVE_SEGMENTS - 1, "it records what it was merged from");
  assert.equal(after.reduce((sum, [, s]) => sum + s.rows, 0), historyRows + 2 * COMPACT_ABOVE_SEGMENTS);
});

test("the segments added since a file was made: merged ones count as the file's when all they were merged from were", () => {
  const segment = (merged_from?: string[]): Segment => ({kind: "events", day: "2025-01-01", file: "", rows: 1, min_ts: 0, max_ts: 0, ...(merged_from ? {merged_from} : {})});
  const segments = {a: segment(), b: segment(), c: segment(), m: segment(["b", "c"]), n: segment(), x: segment(["c", "n"]), y: segment(["p", "q"])};
  assert.deepEqual(segmentsAddedSince(["a", "b"], ["a", "b", "n"], segments), ["n"]);
  assert.deepEqual(segmentsAddedSince(["a", "b", "c"], ["a", "m", "n"], segments), ["n"], "b and c merged into m");
  assert.deepEqual(segmentsAddedSince(["a"], ["a", "y"], segments), ["y"], "merged from segments all new");
  assert.equal(segmentsAddedSince(["a", "b", "c"], ["a", "b", "x"], segments), null, "x holds c and new rows");
  assert.equal(segmentsAddedSince(["a", "b"], ["a", "n"], segments), null, "b is gone");
  assert.equal(segmentsAddedSince(["a", "b", "c"], ["a", "m", "c"], segments), null, "c counted twice");
});

test("merging picks the smallest segments, as many as hold no more than the next one, or all when they are alike", () => {
  let n = 0;
  const segment = (rows: number): [string, Segment] => [`${rows}:${n++}`, {kind: "events", day: "2025-01-01", file: "", rows, min_ts: 0, max_ts: 0}];
  const picked = (...sizes: number[]) => mergeCandidates(sizes.map(segment)).map(([id]) => Number(id.split(":")[0])).sort((a, b) => a - b);
  // The history and what came since: only what came since.
  assert.deepEqual(picked(330_000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000), [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
  // A history in three batches of a first sync, and six new objects: the six.
  assert.deepEqual(picked(110_000, 110_000, 110_000, 1000, 1000, 1000, 1000, 1000, 1000), [1000, 1000, 1000, 1000, 1000, 1000]);
  // Those merged once already join the next merge while they are smaller than the history.
  assert.deepEqual(picked(110_000, 110_000, 110_000, 8000, 1000, 1000, 1000, 1000, 1000), [1000, 1000, 1000, 1000, 1000, 8000]);
  // Segments of like size: all of them.
  assert.deepEqual(picked(100, 100, 100, 100), [100, 100, 100, 100]);
});
