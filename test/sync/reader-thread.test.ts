// A sync's objects read on a thread of their own (reader-thread.ts) give what reading them
// on the parsing thread gives: the same bytes (gunzipped, a cut gzip stream's problem said), null
// for an object gone, the same error for a bucket that cannot be read; memory the caller is done
// with goes back to be read into again; an object parsed there gives the batch parsing it here
// gives; and a sync of the sample read (and half parsed) that way stores what the sample holds. Against the real local S3 endpoint.
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import {readFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {CreateBucketCommand, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {loadConfig} from "../../data-loaders/config.js";
import {readsOnThisThread, type ObjectReads} from "../../data-loaders/sources/object-reads.js";
import {startReaderThread, type ReaderParsing, type ReaderThread} from "../../data-loaders/reader-thread.js";
import {addParsedSinkObject, ingestSinkObject} from "../../data-loaders/ingest-object.js";
import {configuredInstanceParsers} from "../../data-loaders/parse/instance-formats.js";
import {connectKeyText, decodeKeyFile} from "../../data-loaders/records/connect-key.js";
import {decodeObjectText} from "../../data-loaders/sources/object-text.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";
import {batchContents} from "../support/batch-contents.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {READER_THREAD_OBJECTS, syncStore} from "../../data-loaders/sync.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {LOCAL_S3_CREDENTIALS, seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {localBucketOf} from "../support/local-s3-objects.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const PARSING: ReaderParsing = {logFormat: "combined", logFormats: [], timeZone: null};
const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));
const lines = Array.from({length: 5000}, (_, i) => JSON.stringify(`203.0.113.${i % 250} - - [01/Jan/2025:00:00:${String(i % 60).padStart(2, "0")} +0000] "GET /${i} HTTP/1.1" 200 ${i}`)).join("\n") + "\n";
const whole = gzipSync(lines);
const objects: Record<string, Buffer> = {
  "plain.json": Buffer.from(lines),
  "small.json": Buffer.from('"one line"\n'),
  "whole.json.gz": whole,
  "cut.json.gz": whole.subarray(0, Math.floor(whole.length / 2)),
  "empty.json": Buffer.alloc(0),
  "plain.keys.json": Buffer.from(Array.from({length: 5000}, (_, i) => connectKeyText("g", "s", 1735689600000 + i)).join("\n") + "\n"),
};

let s3: LocalS3;
let source: {region: string; endpoint: string; forcePathStyle: boolean};
let here: ObjectReads;
let reader: ReaderThread;
/** Each object's ETag, as a listing gives it. */
let etags: Record<string, string>;

before(async () => {
  let client: S3Client;
  ({s3, source, client, etags} = await localBucketOf("b", objects));
  here = readsOnThisThread(client);
  reader = startReaderThread(source, PARSING);
});

after(async () => {
  await reader?.close();
  await s3?.stop();
});

test("the reader thread gives each object's content as this thread's reads do, many at once", async () => {
  const keys = Object.keys(objects);
  const [ours, theirs] = await Promise.all([Promise.all(keys.map((key) => here.read("b", key, key.endsWith(".gz") ? "gzip" : "none", etags[key]))), Promise.all(keys.map((key) => reader.read("b", key, key.endsWith(".gz") ? "gzip" : "none", etags[key])))]);
  keys.forEach((key, i) => {
    assert.ok(ours[i] !== null && theirs[i] !== null, key);
    assert.ok(Buffer.isBuffer(theirs[i]!.bytes), `${key}: a Buffer, as the parser takes`);
    assert.ok(theirs[i]!.bytes.equals(ours[i]!.bytes), `${key}: the same bytes`);
    assert.equal(theirs[i]!.problem, ours[i]!.problem, key);
  });
  assert.equal(theirs[0]!.bytes.toString(), lines);
  assert.equal(theirs[2]!.bytes.toString(), lines);
  assert.match(theirs[3]!.problem ?? "", /^gzip data cut short/);
});

test("an object gone is null, and an endpoint that cannot be reached fails with this thread's message", async () => {
  assert.equal(await reader.read("b", "gone.json", "none", '"0"'), null);
  const unreachable = {...source, endpoint: "http://127.0.0.1:1"};
  const elsewhere = startReaderThread(unreachable, PARSING);
  try {
    const failureHere = await readsOnThisThread(createS3Client(unreachable)).read("b", "x.json", "none", '"0"').then(() => null, (error: Error) => error);
    const failureThere = await elsewhere.read("b", "x.json", "none", '"0"').then(() => null, (error: Error) => error);
    assert.ok(failureHere !== null && failureThere !== null);
    assert.equal(failureThere.name, "S3AccessError");
    assert.equal(failureThere.message, failureHere.message);
    assert.match(failureThere.message, /^reading s3:\/\/b\/x\.json: cannot reach /);
  } finally {
    await elsewhere.close();
  }
});

test("bytes the caller is done with go back to the reader thread, and each later read's bytes are still its own", async () => {
  const reads = startReaderThread(source, PARSING);
  try {
    const first = (await reads.read("b", "plain.json", "none", etags["plain.json"]))!;
    assert.equal(first.bytes.toString(), lines);
    reads.done(first);
    reads.done(first);
    // Sent with the next request: this thread holds none of that memory any more.
    const second = (await reads.read("b", "small.json", "none", etags["small.json"]))!;
    assert.equal(first.bytes.buffer.byteLength, 0, "the first read's memory moved back");
    assert.equal(second.bytes.toString(), '"one line"\n');
    reads.done(second);
    for (let round = 0; round < 3; round++) {
      const [plain, whole] = await Promise.all([reads.read("b", "plain.json", "none", etags["plain.json"]), reads.read("b", "whole.json.gz", "gzip", etags["whole.json.gz"])]);
      assert.equal(plain!.bytes.toString(), lines);
      assert.equal(whole!.bytes.toString(), lines);
      reads.done(plain!);
      reads.done(whole!);
    }
  } finally {
    await reads.close();
  }
});

test("an object read and parsed on the reader thread gives the batch that parsing it here gives; one gone is null", async () => {
  const parsers = configuredInstanceParsers(PARSING);
  for (const [key, keyFile] of [["whole.json.gz", "plain.keys.json"], ["cut.json.gz", null], ["plain.json", null]] as const) {
    const object = {key, topic: "g.s", partition: 0, startOffset: 100, compression: key.endsWith(".gz") ? ("gzip" as const) : ("none" as const), etag: etags[key]};
    const keys = keyFile === null ? null : {key: keyFile, compression: "none" as const, etag: etags[keyFile]};
    const received = await reader.readParsed("b", object, keys);
    assert.ok(received !== null, key);
    const there = new EventBatch();
    const countsThere = addParsedSinkObject(received, object, there, () => false);

    const content = (await here.read("b", key, object.compression, etags[key]))!;
    const {pieces, invalidUtf8Lines} = decodeObjectText(content.bytes);
    const keysHere = keyFile === null ? null : decodeKeyFile((await here.read("b", keyFile, "none", etags[keyFile]))!.bytes);
    const thisThread = new EventBatch();
    const countsHere = ingestSinkObject(pieces, object, parsers, thisThread, undefined, {problem: content.problem, invalidUtf8Lines}, keysHere);
    assert.deepEqual({counts: countsThere, ...batchContents(there)}, {counts: countsHere, ...batchContents(thisThread)}, key);
    assert.equal(received.parsed.keyFile, keyFile !== null);
    assert.equal(received.parsed.problem, content.problem);
    assert.ok(countsHere.events > 0, `${key}: events parsed`);
  }
  assert.equal(await reader.readParsed("b", {key: "gone.json", topic: "g.s", partition: 0, startOffset: 0, compression: "none", etag: '"0"'}, null), null);
});

test("after close, a read fails at once", async () => {
  const closing = startReaderThread(source, PARSING);
  assert.equal((await closing.read("b", "small.json", "none", etags["small.json"]))!.bytes.toString(), '"one line"\n');
  await closing.close();
  await assert.rejects(closing.read("b", "small.json", "none", etags["small.json"]), /the S3 reader thread was closed/);
});

test("a sync of the sample read on the reader thread stores every event and rejected line once", async () => {
  const dir = await mkdtemp(join(tmpdir(), "weblog-object-reads-"));
  try {
    const config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store")));
    await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
    const result = await syncStore(config, {readsOn: "reader thread"});
    assert.equal(result.events, expected.events);
    assert.equal(result.rejected, expected.rejected);
    const manifest = await readManifest(config.store);
    const rows = (kind: "events" | "rejected") => segmentsOfKind(manifest, kind).reduce((n, s) => n + s.rows, 0);
    assert.deepEqual([rows("events"), rows("rejected")], [expected.events, expected.rejected]);
    assert.equal(Object.values(manifest.objects).filter((o) => o.key_file).length, expected.keyFiles);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test("`weblog sync` of READER_THREAD_OBJECTS objects reads them on the reader thread (the bundled command's) and stores every event", async () => {
  const dir = await mkdtemp(join(tmpdir(), "weblog-object-reads-cli-"));
  try {
    const bucket = "many-objects";
    const client = createS3Client(source);
    await client.send(new CreateBucketCommand({Bucket: bucket}));
    const topic = "cloudwatchLogsEC2.i-0reader00000001";
    const perObject = 3;
    const puts = Array.from({length: READER_THREAD_OBJECTS}, (_, n) => {
      const body = Array.from({length: perObject}, (_, i) => JSON.stringify(`203.0.113.${n % 250} - - [01/Jan/2025:10:${String(n % 60).padStart(2, "0")}:0${i} +0000] "GET /p${n}/${i} HTTP/1.1" 200 12 "-" "curl/8.0"`)).join("\n") + "\n";
      const Key = `topics/${topic}/year=2025/${topic}+0+${String(n * perObject).padStart(10, "0")}.json`;
      return () => client.send(new PutObjectCommand({Bucket: bucket, Key, Body: body}));
    });
    for (let i = 0; i < puts.length; i += 32) await Promise.all(puts.slice(i, i + 32).map((put) => put()));
    const store = join(dir, "store");
    const env = {...process.env, ...demoEnvironment(s3.endpoint, store), ...LOCAL_S3_CREDENTIALS, WEBLOG_BUCKET: bucket};
    const child = spawn(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), "sync"], {cwd: dir, env, stdio: ["ignore", "ignore", "pipe"]});
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /reading the objects on a thread of their own/);
    const manifest = await readManifest(store);
    assert.equal(Object.keys(manifest.objects).length, READER_THREAD_OBJECTS);
    assert.equal(segmentsOfKind(manifest, "events").reduce((n, s) => n + s.rows, 0), READER_THREAD_OBJECTS * perObject);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});
