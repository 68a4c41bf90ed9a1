// The order sync takes objects in: each topic partition's in offset order, whatever S3's times
// say (of two objects holding the same records the earlier keeps them), and the partitions
// interleaved by when S3 received each object, so that a batch holds a span of time across
// instances and its events fall on few days, each day a Parquet file to write.
import assert from "node:assert/strict";
import {setTimeout as sleep} from "node:timers/promises";
import {after, before, test} from "node:test";
import {PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import type {WeblogConfig} from "../../data-loaders/config.js";
import {readManifest} from "../../data-loaders/store/manifest.js";
import {inWrittenOrder, syncStore} from "../../data-loaders/sync.js";
import {startSinkBucket, stopSinkBucket, type SinkBucket} from "../support/local-s3-folder.js";

/** An object of topic `topic`, partition `partition` at `startOffset`, received by S3 at `lastModified`. */
function object(topic: string, partition: number, startOffset: number, lastModified: number | null) {
  return {key: `topics/${topic}/${topic}+${partition}+${String(startOffset).padStart(10, "0")}.json`, topic, partition, startOffset, lastModified};
}

const names = (objects: readonly {topic: string; partition: number; startOffset: number}[]) => objects.map((o) => `${o.topic}+${o.partition}+${o.startOffset}`);

test("partitions interleaved by the time S3 received each object, each partition's offsets still in order", () => {
  const objects = [
    object("b", 0, 0, 1_000),
    object("a", 0, 10, 3_000),
    object("a", 0, 0, 2_000),
    object("b", 0, 10, 4_000),
    object("a", 1, 0, 2_500),
    object("c", 0, 0, 5_000),
  ];
  assert.deepEqual(names(inWrittenOrder(objects)), ["b+0+0", "a+0+0", "a+1+0", "a+0+10", "b+0+10", "c+0+0"]);
});

test("an object S3 received later than the next one of its partition (rewritten) still comes before it, in its place in time", () => {
  // a+0+0 was written again after a+0+10: the partition keeps offset order, and takes its two
  // places in time (b's object between them stays between them).
  const objects = [object("a", 0, 0, 9_000), object("a", 0, 10, 2_000), object("b", 0, 0, 5_000)];
  const ordered = inWrittenOrder(objects);
  assert.deepEqual(names(ordered), ["a+0+0", "b+0+0", "a+0+10"]);
  // The objects themselves, not copies: the caller's are taken in.
  assert.ok(ordered.every((o) => objects.includes(o)));
});

test("objects received in the same moment (S3 keeps whole seconds), or without a time, keep offset order", () => {
  const same = [object("b", 0, 0, 7_000), object("a", 1, 0, 7_000), object("a", 0, 5, 7_000), object("a", 0, 0, 7_000)];
  assert.deepEqual(names(inWrittenOrder(same)), ["a+0+0", "a+0+5", "a+1+0", "b+0+0"]);
  const untimed = [object("b", 0, 0, null), object("a", 0, 3, null), object("a", 0, 1, null)];
  assert.deepEqual(names(inWrittenOrder(untimed)), ["a+0+1", "a+0+3", "b+0+0"]);
  assert.deepEqual(inWrittenOrder([]), []);
});

const BUCKET = "written-order";
const INSTANCES = ["i-0a", "i-0b", "i-0c"];
const DAYS = 6;
let client: S3Client;
let config: WeblogConfig;
let bucket: SinkBucket | undefined;

before(async () => {
  bucket = await startSinkBucket("weblog-written-order-", BUCKET);
  ({config, client} = bucket);
});

after(() => stopSinkBucket(bucket));

test("a sync of three instances' objects, written day by day, writes each batch's day once: one file a day, not one per instance's batch", async () => {
  // As the sink writes them: every instance's object of the day, then the next day's.
  for (let day = 0; day < DAYS; day++) {
    for (const instance of INSTANCES) {
      const topic = `cloudwatchLogsEC2.${instance}`;
      const body = [0, 1]
        .map((i) => JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: instance, message: `192.0.2.${i + 1} - - [0${day + 1}/Jan/2025:10:00:0${i} +0000] "GET /${instance} HTTP/1.1" 200 10 "-" "curl/8.4.0"`}))
        .join("\n");
      await client.send(new PutObjectCommand({Bucket: BUCKET, Key: `topics/${topic}/year=2025/${topic}+0+${String(day * 2).padStart(10, "0")}.json`, Body: body}));
      // Each object its own moment in S3's listing.
      await sleep(3);
    }
  }
  // A batch of three objects: one day's, across the instances. In offset order a batch would be
  // three days of one instance, and each day written once per instance: 18 files.
  const result = await syncStore(config, {client, batchEvents: INSTANCES.length * 2});
  assert.equal(result.events, DAYS * INSTANCES.length * 2);
  const manifest = await readManifest(config.store);
  const days = Object.values(manifest.segments).filter((s) => s.kind === "events").map((s) => s.day);
  assert.deepEqual(days.sort(), Array.from({length: DAYS}, (_, day) => `2025-01-0${day + 1}`));
  assert.equal(Object.keys(manifest.objects).length, DAYS * INSTANCES.length);
});
