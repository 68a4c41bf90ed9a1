// Sync through a proxy that injects the failures real S3 produces: throttling (503 SlowDown) and
// internal errors (500) are retried until they pass; access denied and a vanished object stop the
// sync with a message naming what to check, and what was committed before stays.
import assert from "node:assert/strict";
import type {IncomingMessage} from "node:http";
import {readFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {loadConfig} from "../../data-loaders/config.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {syncStore} from "../../data-loaders/sync.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {LOCAL_S3_CREDENTIALS, seedBucket, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startS3Proxy, type S3Fault, type S3Proxy} from "../support/s3-proxy.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));

/** Answers with an S3 error, or null to pass the request through. */
type Fault = (req: IncomingMessage) => S3Fault | null;

let s3: LocalS3;
let proxy: S3Proxy;
let proxyEndpoint: string;
let fault: Fault = () => null;
let injected = 0;
let dir: string;

before(async () => {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  s3 = await startLocalS3();
  proxy = await startS3Proxy(s3.endpoint, (req) => {
    const error = fault(req);
    if (error) injected++;
    return error;
  });
  proxyEndpoint = proxy.endpoint;
  dir = await mkdtemp(join(tmpdir(), "weblog-faults-"));
  const direct = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "unused")));
  await seedBucket(createS3Client(direct.source), DEMO_BUCKET, SAMPLE_DIR);
});

after(async () => {
  proxy?.close();
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
});

const configFor = (store: string) => loadConfig(dir, demoEnvironment(proxyEndpoint, join(dir, store)));
const isList = (req: IncomingMessage) => req.method === "GET" && /[?&]list-type=2/.test(req.url ?? "");
const isGet = (req: IncomingMessage) => req.method === "GET" && !isList(req);

test("throttling and internal errors are retried until the sync completes", {timeout: 120_000}, async () => {
  const seen = new Map<string, number>();
  injected = 0;
  // Every request fails twice (503, then 500) before it is let through.
  fault = (req) => {
    const key = `${req.method} ${req.url}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n === 1) return {status: 503, code: "SlowDown"};
    if (n === 2) return {status: 500, code: "InternalError"};
    return null;
  };
  const result = await syncStore(configFor("retried"));
  fault = () => null;
  assert.equal(result.events, expected.events);
  assert.equal(result.rejected, expected.rejected);
  assert.ok(injected >= 2 * (expected.valueObjects + 1), `${injected} failures injected`);
});

test("access denied stops the sync with a message about credentials, and writes nothing", async () => {
  fault = (req) => (isList(req) ? {status: 403, code: "AccessDenied"} : null);
  await assert.rejects(syncStore(configFor("denied")), (error: Error) => {
    assert.match(error.message, /listing s3:\/\/s3sink-3\/topics\/: access denied/);
    assert.match(error.message, /credentials/);
    return true;
  });
  fault = () => null;
  assert.deepEqual((await readManifest(join(dir, "denied"))).objects, {});
});

test("an object deleted between listing and reading is skipped with a warning; the rest loads", async () => {
  const victim = "cloudwatchLogsEC2.i-0b7d5c1e9a4f3e812+0+0000001500.json";
  fault = (req) => (isGet(req) && decodeURIComponent(req.url ?? "").includes(victim) ? {status: 404, code: "NoSuchKey"} : null);
  const warnings: string[] = [];
  const result = await syncStore(configFor("vanished"), {log: (message) => warnings.push(message)});
  fault = () => null;
  assert.ok(warnings.some((w) => w.includes(victim) && /deleted before it could be read/.test(w)), warnings.join("\n"));
  assert.deepEqual(result.skipped.filter((s) => s.key.endsWith(victim)).map((s) => s.reason), ["deleted between listing and reading"]);
  assert.equal(result.added, expected.valueObjects - 1);
  const manifest = await readManifest(join(dir, "vanished"));
  assert.equal(Object.keys(manifest.objects).some((key) => key.endsWith(victim)), false, "not recorded: it is taken in once it can be read");
  // Back again (the 404 was transient): the next sync takes it in.
  const again = await syncStore(configFor("vanished"));
  assert.equal(again.added, 1);
  const events = segmentsOfKind(await readManifest(join(dir, "vanished")), "events").reduce((n, s) => n + s.rows, 0);
  assert.equal(events, expected.events);
});
