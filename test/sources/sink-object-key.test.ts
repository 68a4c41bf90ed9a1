// What S3 sink object names say, and which keys are not events.
import assert from "node:assert/strict";
import {test} from "node:test";
import {parseSinkObjectKey, sinkObjectStem} from "../../data-loaders/sources/sink-object-key.js";

const dir = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/";

test("a value object: topic, partition, start offset", () => {
  assert.deepEqual(parseSinkObjectKey(`${dir}cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000001000.json`, "topics/"), {
    key: `${dir}cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000001000.json`,
    topic: "cloudwatchLogsEC2.i-02e3ca004943e0f26",
    partition: 0,
    startOffset: 1000,
    compression: "none",
  });
});

test("gzip, another partition, other partitioner paths", () => {
  const gz = parseSinkObjectKey("topics/a.b-c_d.i-1/dt=2023-05-14/hour=10/a.b-c_d.i-1+1+0000000500.json.gz", "topics/");
  assert.ok("topic" in gz);
  assert.deepEqual([gz.topic, gz.partition, gz.startOffset, gz.compression], ["a.b-c_d.i-1", 1, 500, "gzip"]);
});

test("key files (BYTES or JSON, plain or gzipped) belong to the value object of the same name", () => {
  assert.deepEqual(parseSinkObjectKey(`${dir}t+0+0000000000.keys.bin`, "topics/"), {key: `${dir}t+0+0000000000.keys.bin`, keyFile: true, stem: `${dir}t+0+0000000000`, compression: "none"});
  assert.deepEqual(parseSinkObjectKey(`${dir}t+0+0000000500.keys.json.gz`, "topics/"), {key: `${dir}t+0+0000000500.keys.json.gz`, keyFile: true, stem: `${dir}t+0+0000000500`, compression: "gzip"});
  assert.equal(sinkObjectStem(`${dir}t+0+0000000500.json.gz`), `${dir}t+0+0000000500`);
  assert.equal(sinkObjectStem(`${dir}t+0+0000000500.keys.bin.gz`), `${dir}t+0+0000000500`);
});

test("header files, key files of other formats and non-JSON files are skipped with a reason", () => {
  assert.match((parseSinkObjectKey(`${dir}t+0+0000000000.keys.avro`, "topics/") as {skipped: string}).skipped, /key file not read/);
  assert.match((parseSinkObjectKey(`${dir}t+0+0000000000.headers.json`, "topics/") as {skipped: string}).skipped, /headers/);
  assert.match((parseSinkObjectKey(`${dir}t+0+0000000000.avro`, "topics/") as {skipped: string}).skipped, /not JSON/);
  assert.match((parseSinkObjectKey(`${dir}README.txt`, "topics/") as {skipped: string}).skipped, /not an S3 sink object name/);
  assert.match((parseSinkObjectKey("other/t+0+0.json", "topics/") as {skipped: string}).skipped, /prefix/);
  assert.match((parseSinkObjectKey(`${dir}`, "topics/") as {skipped: string}).skipped, /folder/);
});
