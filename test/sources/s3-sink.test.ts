// Listing and reading against the real local S3 endpoint (scripts/local-s3.ts).
import assert from "node:assert/strict";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {CreateBucketCommand, PutObjectCommand} from "@aws-sdk/client-s3";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {listSinkObjects, readSinkObject} from "../../data-loaders/sources/s3-sink.js";
import {LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";

let s3: LocalS3;
let client: ReturnType<typeof createS3Client>;
const topic = "cloudwatchLogsEC2.i-0test";
const key = (partition: number, offset: number, suffix = ".json") => `topics/${topic}/year=2023/${topic}+${partition}+${String(offset).padStart(10, "0")}${suffix}`;

before(async () => {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  s3 = await startLocalS3();
  client = createS3Client({bucket: "b", prefix: "topics/", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true});
  await client.send(new CreateBucketCommand({Bucket: "b"}));
});

after(() => s3?.stop());

test("listing pages past 1,000 keys and yields each key exactly once", async () => {
  const keys: string[] = [];
  for (let i = 0; i < 1203; i++) keys.push(key(i % 2, i * 10));
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({Bucket: "b", Key, Body: "{}\n"}))));
  }
  await client.send(new PutObjectCommand({Bucket: "b", Key: key(0, 0, ".keys.bin"), Body: "k\n"}));
  const listed = [];
  for await (const object of listSinkObjects(client, {bucket: "b", prefix: "topics/"})) listed.push(object);
  const values = listed.filter((o) => "startOffset" in o.sink);
  assert.equal(values.length, 1203);
  assert.equal(new Set(values.map((o) => o.key)).size, 1203);
  assert.deepEqual(listed.filter((o) => "keyFile" in o.sink).map((o) => o.key), [key(0, 0, ".keys.bin")]);
  assert.deepEqual(new Set(values.map((o) => ("partition" in o.sink ? o.sink.partition : -1))), new Set([0, 1]));
  assert.ok(values.every((o) => o.etag.length > 0 && o.size === 3));
});

test("gzip objects are gunzipped, whatever their name says", async () => {
  const text = '"line one"\n"line two"\n';
  await client.send(new PutObjectCommand({Bucket: "b", Key: "gz/a.json.gz", Body: gzipSync(text)}));
  await client.send(new PutObjectCommand({Bucket: "b", Key: "gz/b.json", Body: gzipSync(text)}));
  await client.send(new PutObjectCommand({Bucket: "b", Key: "gz/c.json.gz", Body: text}));
  assert.deepEqual(await readSinkObject(client, "b", "gz/a.json.gz", "gzip"), {bytes: Buffer.from(text), problem: null});
  assert.deepEqual(await readSinkObject(client, "b", "gz/b.json", "none"), {bytes: Buffer.from(text), problem: null});
  // Named .gz but plain: read as it is.
  assert.deepEqual(await readSinkObject(client, "b", "gz/c.json.gz", "gzip"), {bytes: Buffer.from(text), problem: null});
});

test("a gzip object cut short gives the records before the cut, and says so", async () => {
  const lines = Array.from({length: 2000}, (_, i) => JSON.stringify(`line ${i} ${"x".repeat(i % 50)}`));
  const whole = gzipSync(lines.join("\n") + "\n");
  await client.send(new PutObjectCommand({Bucket: "b", Key: "gz/cut.json.gz", Body: whole.subarray(0, Math.floor(whole.length / 2))}));
  const body = await readSinkObject(client, "b", "gz/cut.json.gz", "gzip");
  assert.match(body.problem ?? "", /gzip data cut short/);
  const read = body.bytes.toString().split("\n");
  assert.ok(read.length > 100 && read.length < 2000, `${read.length} lines before the cut`);
  assert.deepEqual(read.slice(0, -1), lines.slice(0, read.length - 1));
});

test("a missing bucket is named in the error, with where it was looked for", async () => {
  const listing = listSinkObjects(client, {bucket: "no-such-bucket", prefix: "topics/"});
  await assert.rejects(listing.next(), (error: Error) => {
    assert.match(error.message, /no-such-bucket/);
    assert.match(error.message, /does not exist at http:\/\/127\.0\.0\.1:\d+/);
    return true;
  });
});

test("an endpoint nobody listens on is named in the error", async () => {
  const dead = createS3Client({bucket: "b", prefix: "topics/", region: "us-east-1", endpoint: "http://127.0.0.1:9", forcePathStyle: true});
  await assert.rejects(listSinkObjects(dead, {bucket: "b", prefix: "topics/"}).next(), /cannot reach http:\/\/127\.0\.0\.1:9/);
});
