// Listing and reading against the real local S3 endpoint (scripts/local-s3.ts).
import assert from "node:assert/strict";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import {CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {DirectGetPlans} from "../../data-loaders/sources/direct-get.js";
import {listPagesBySdk, listPagesDirectly, type ListPages} from "../../data-loaders/sources/list-pages.js";
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

/** The two ways a listing's pages are read: through the SDK, and by a signed GET a page (the SDK's for what that cannot read). */
const bothWays = (of: S3Client): [string, ListPages][] => [
  ["through the SDK", listPagesBySdk(of)],
  ["directly", listPagesDirectly(of, s3.endpoint)],
];

/** A client of the local endpoint that counts the listings its SDK sends. */
function countingClient(): {client: S3Client; sdkListings: () => number} {
  let count = 0;
  const counting = createS3Client({bucket: "b", prefix: "topics/", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true});
  counting.middlewareStack.add((next, context) => async (args) => {
    if (context.commandName === "ListObjectsV2Command") count++;
    return next(args);
  }, {step: "initialize", name: "countListings"});
  return {client: counting, sdkListings: () => count};
}

test("listing pages past 1,000 keys and yields each key exactly once", async () => {
  const keys: string[] = [];
  for (let i = 0; i < 1203; i++) keys.push(key(i % 2, i * 10));
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((Key) => client.send(new PutObjectCommand({Bucket: "b", Key, Body: "{}\n"}))));
  }
  await client.send(new PutObjectCommand({Bucket: "b", Key: key(0, 0, ".keys.bin"), Body: "k\n"}));
  const listings = [];
  for (const [way, listPage] of bothWays(client)) {
    const listed = [];
    for await (const object of listSinkObjects(listPage, {bucket: "b", prefix: "topics/"})) listed.push(object);
    const values = listed.filter((o) => "startOffset" in o.sink);
    assert.equal(values.length, 1203, way);
    assert.equal(new Set(values.map((o) => o.key)).size, 1203, way);
    assert.deepEqual(listed.filter((o) => "keyFile" in o.sink).map((o) => o.key), [key(0, 0, ".keys.bin")], way);
    assert.deepEqual(new Set(values.map((o) => ("partition" in o.sink ? o.sink.partition : -1))), new Set([0, 1]), way);
    assert.ok(values.every((o) => o.etag.length > 0 && o.size === 3 && o.lastModified instanceof Date), way);
    listings.push(listed);
  }
  assert.deepEqual(listings[1], listings[0], "the same objects, ETags, sizes and times either way");
  // Read directly indeed: the SDK was asked for none of the pages.
  const {client: counting, sdkListings} = countingClient();
  for await (const _ of listSinkObjects(listPagesDirectly(counting, s3.endpoint), {bucket: "b", prefix: "topics/"}));
  assert.equal(sdkListings(), 0);
  counting.destroy();
});

test("keys with spaces, escapes, plus signs and letters beyond ASCII list the same directly as through the SDK, from a start and under a delimiter", async () => {
  const odd = ["odd/a b.json", "odd/a&b<c>'d\"e.json", "odd/a+b=c?d#e%20.json", "odd/été/ü.json", "odd/x/😀.json", "odd/~!*()$,;:@.json"];
  await Promise.all(odd.map((Key) => client.send(new PutObjectCommand({Bucket: "b", Key, Body: "{}\n"}))));
  const requests: ListRequestShape[] = [
    {prefix: "odd/"},
    {prefix: "odd/", startAfter: "odd/a b.json"},
    {prefix: "odd/", delimiter: "/"},
    {prefix: "odd/a+b", delimiter: "/"},
    {prefix: "odd/été/"},
  ];
  const {client: counting, sdkListings} = countingClient();
  for (const request of requests) {
    const sdk = await listPagesBySdk(client)({bucket: "b", ...request});
    const direct = await listPagesDirectly(counting, s3.endpoint)({bucket: "b", ...request});
    assert.deepEqual(direct, sdk, JSON.stringify(request));
    assert.ok(sdk.objects.length + sdk.folders.length > 0, JSON.stringify(request));
  }
  assert.equal(sdkListings(), 0, "every page read directly");
  counting.destroy();
});

type ListRequestShape = {prefix: string; startAfter?: string; continuationToken?: string; delimiter?: string};

test("a page asked for directly carries the query the SDK's ListObjectsV2 sends", async () => {
  const asked: Record<string, string>[] = [];
  const watched = createS3Client({bucket: "b", prefix: "topics/", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true});
  watched.middlewareStack.add((next) => async (args) => {
    asked.push({...((args.request as {query: Record<string, string>}).query ?? {})});
    return next(args);
  }, {step: "finalizeRequest", name: "watchQuery"});
  const request = {prefix: "topics/a b&c+d/é", startAfter: "topics/a+0", continuationToken: "1ueGcx+LPRx1/Tr=", delimiter: "/"};
  await watched.send(new ListObjectsV2Command({Bucket: "b", Prefix: request.prefix, StartAfter: request.startAfter, ContinuationToken: request.continuationToken, Delimiter: request.delimiter})).catch(() => {});
  const plan = await new DirectGetPlans(watched, s3.endpoint).planBucket("b", {"list-type": "2", prefix: request.prefix, "start-after": request.startAfter, "continuation-token": request.continuationToken, delimiter: request.delimiter});
  assert.deepEqual(Object.fromEntries(new URL(plan!.url).searchParams), asked[0]);
  watched.destroy();
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

test("a missing bucket is named in the error, with where it was looked for, whichever way the listing is read", async () => {
  const {client: counting, sdkListings} = countingClient();
  for (const [way, listPage] of bothWays(counting)) {
    const listing = listSinkObjects(listPage, {bucket: "no-such-bucket", prefix: "topics/"});
    await assert.rejects(listing.next(), (error: Error) => {
      assert.match(error.message, /no-such-bucket/, way);
      assert.match(error.message, /does not exist at http:\/\/127\.0\.0\.1:\d+/, way);
      return true;
    });
  }
  // The direct read's 404 is asked again of the SDK, whose message this is.
  assert.equal(sdkListings(), 2);
  counting.destroy();
});

test("an endpoint nobody listens on is named in the error, whichever way the listing is read", async () => {
  const dead = createS3Client({bucket: "b", prefix: "topics/", region: "us-east-1", endpoint: "http://127.0.0.1:9", forcePathStyle: true});
  for (const [way, listPage] of [["through the SDK", listPagesBySdk(dead)], ["directly", listPagesDirectly(dead, "http://127.0.0.1:9")]] as const) {
    await assert.rejects(listSinkObjects(listPage, {bucket: "b", prefix: "topics/"}).next(), /cannot reach http:\/\/127\.0\.0\.1:9/, way);
  }
});
