// `weblog publish` against the local S3 endpoint, through a proxy that counts the writes: the
// store synced from the bundled sample is published as Hive-partitioned Parquet, read back the
// way Athena or Spark would find it (DuckDB, hive_partitioning), published again with nothing
// changed (no write at all), after a sync that adds a day (only that day written), and after the
// day leaves the bucket (its partition deleted). The command itself is run as a user runs it,
// for the table definitions and for each error a user can meet.
import assert from "node:assert/strict";
import {execFile} from "node:child_process";
import {mkdir, mkdtemp, rm, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {after, before, test} from "node:test";
import {CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {EVENT_COLUMNS} from "../../data-loaders/event.js";
import {publishStore, publishTarget, type PublishTarget} from "../../data-loaders/publish/publish-store.js";
import {daysOf} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../../data-loaders/store/manifest.js";
import {syncStore} from "../../data-loaders/sync.js";
import {openDuckDB, sqlFileList, sqlString} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {sampleLogLines} from "../support/sample-log-lines.js";
import {startS3Proxy, type S3Proxy} from "../support/s3-proxy.js";

const PUBLISH_BUCKET = "lake";
const PUBLISH_PREFIX = "weblog/events/";

let s3: LocalS3;
let proxy: S3Proxy;
let proxyEndpoint: string;
/** Requests the proxy passed on, by method. */
let requests: Record<string, number> = {};
/** When set, the proxy answers requests of this method with 403 AccessDenied. */
let denyMethod: string | null = null;
let dir: string;
let env: Record<string, string>;
let config: WeblogConfig;
let source: S3Client;
let lake: S3Client;
let target: PublishTarget;

before(async () => {
  s3 = await startLocalS3();
  proxy = await startS3Proxy(s3.endpoint, (req) => {
    if (req.method === denyMethod) return {status: 403, code: "AccessDenied"};
    requests[req.method!] = (requests[req.method!] ?? 0) + 1;
    return null;
  });
  proxyEndpoint = proxy.endpoint;

  dir = await mkdtemp(join(tmpdir(), "weblog-publish-"));
  // Sync reads the sample straight from the endpoint; publish writes through the counting proxy.
  env = {
    ...demoEnvironment(s3.endpoint, join(dir, "store")),
    WEBLOG_PUBLISH_BUCKET: PUBLISH_BUCKET,
    WEBLOG_PUBLISH_PREFIX: PUBLISH_PREFIX,
    WEBLOG_PUBLISH_ENDPOINT: proxyEndpoint,
  };
  Object.assign(process.env, env);
  config = loadConfig(dir, env);
  source = createS3Client(config.source);
  lake = createS3Client({...config.publish, endpoint: s3.endpoint});
  await seedBucket(source, DEMO_BUCKET, SAMPLE_DIR);
  await lake.send(new CreateBucketCommand({Bucket: PUBLISH_BUCKET}));
  await syncStore(config, {client: source});
  target = publishTarget(config);
});

after(async () => {
  proxy?.close();
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
});

function publish() {
  requests = {};
  return publishStore(config, target, {client: createS3Client(config.publish)});
}

/** Every object under the publish prefix: key → ETag and time written. */
async function listLake(prefix = PUBLISH_PREFIX): Promise<Map<string, string>> {
  const page = await lake.send(new ListObjectsV2Command({Bucket: PUBLISH_BUCKET, Prefix: prefix}));
  assert.notEqual(page.IsTruncated, true);
  return new Map((page.Contents ?? []).map((o) => [o.Key!, `${o.ETag} ${o.LastModified?.toISOString()}`]));
}

/** Downloads the published objects into a fresh folder, their keys as paths, as a reader of the layout sees them. */
async function downloadLake(): Promise<string> {
  const root = await mkdtemp(join(dir, "download-"));
  for (const key of (await listLake()).keys()) {
    const object = await lake.send(new GetObjectCommand({Bucket: PUBLISH_BUCKET, Key: key}));
    await mkdir(dirname(join(root, key)), {recursive: true});
    await writeFile(join(root, key), await object.Body!.transformToByteArray());
  }
  return join(root, PUBLISH_PREFIX);
}

async function query(sql: string): Promise<unknown[][]> {
  return (await (await openDuckDB()).runAndReadAll(sql)).getRowsJS() as unknown[][];
}

/** The published layout as Athena or Spark reads it: every Parquet file under the location, `day` from the path. */
const hiveTable = (location: string) => `read_parquet(${sqlString(join(location, "**/*.parquet"))}, hive_partitioning = true, hive_types = {'day': VARCHAR})`;

/** The store's events, each with its UTC day (or "undated"), straight from its segments. */
async function storeTable(): Promise<string> {
  const files = segmentsOfKind(await readManifest(config.store), "events").map((s) => join(config.store, s.file));
  return `(SELECT *, coalesce(strftime(ts, '%Y-%m-%d'), 'undated') AS day FROM read_parquet(${sqlFileList(files)}, hive_partitioning = false))`;
}

/** Per day: rows, distinct event ids, bytes, first and last time, clients: enough to tell two tables apart. */
const perDay = (table: string) =>
  `SELECT day, count(*), count(DISTINCT (topic, kafka_partition, kafka_offset)), sum(bytes), min(ts), max(ts), count(DISTINCT client_ip), count(*) FILTER (is_bot)
   FROM ${table} GROUP BY day ORDER BY day`;

let firstKeys: Map<string, string>;

test("the first publish writes one file per day under day=YYYY-MM-DD/, which reads back with hive_partitioning as the store", async () => {
  const days = daysOf(await readManifest(config.store));
  assert.ok(days.length >= 2, `${days.length} days in the store`);
  const result = await publish();
  assert.deepEqual(result.uploaded.map((u) => u.day), days.map((d) => d.day));
  assert.equal(requests.PUT, days.length, "one PUT per day");
  assert.equal(requests.DELETE, undefined);

  firstKeys = await listLake();
  assert.equal(firstKeys.size, days.length);
  for (const key of firstKeys.keys()) assert.match(key, /^weblog\/events\/day=\d{4}-\d{2}-\d{2}\/events-[0-9a-f]{16}\.parquet$/);

  const location = await downloadLake();
  const published = await query(perDay(hiveTable(location)));
  assert.deepEqual(published, await query(perDay(await storeTable())));
  assert.deepEqual(
    published.map(([day, rows]) => [day, Number(rows)]),
    days.map((d) => [d.day, d.events]),
  );
  const [[rows, wrongDay]] = await query(`SELECT count(*), count(*) FILTER (strftime(ts, '%Y-%m-%d') <> day) FROM ${hiveTable(location)}`);
  assert.equal(Number(rows), days.reduce((n, d) => n + d.events, 0));
  assert.equal(Number(wrongDay), 0, "each partition holds its own day");
});

test("each published file has exactly the contract's columns and types, in order, sorted by time", async () => {
  const location = await downloadLake();
  const [file] = (await query(`SELECT file FROM glob(${sqlString(join(location, "**/*.parquet"))}) LIMIT 1`)) as string[][];
  const columns = await query(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file[0])}, hive_partitioning = false)`);
  assert.deepEqual(
    columns.map(([name, type]) => [name, type]),
    EVENT_COLUMNS.map((c) => [c.name, c.type]),
  );
  const [[unsorted]] = await query(`SELECT count(*) FILTER (ts < previous) FROM (SELECT ts, lag(ts) OVER () AS previous FROM read_parquet(${sqlString(file[0])}))`);
  assert.equal(Number(unsorted), 0);
});

test("publishing again with nothing changed writes nothing", async () => {
  const result = await publish();
  assert.equal(result.uploaded.length, 0);
  assert.equal(result.unchanged, firstKeys.size);
  assert.equal(requests.PUT, undefined, "no PUT");
  assert.equal(requests.DELETE, undefined, "no DELETE");
  assert.deepEqual(await listLake(), firstKeys, "every object as it was: same keys, ETags and times");
});

/** A new S3 sink object whose real sample lines are moved to one new day, 2024-01-01. */
const NEW_DAY = "2024-01-01";
const NEW_DAY_KEY = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2024/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000100000.json";
const NEW_DAY_LINES = sampleLogLines()
  .slice(0, 25)
  .map((line) => line.replace(/\[\d{2}\/\w{3}\/\d{4}:/, "[01/Jan/2024:"));

test("after a sync that adds a day, only that day is uploaded; the other days' files stay as they were", async () => {
  const body = NEW_DAY_LINES.map((line) => JSON.stringify(line)).join("\n") + "\n";
  await source.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: NEW_DAY_KEY, Body: body}));
  await syncStore(config, {client: source});

  const result = await publish();
  assert.deepEqual(result.uploaded.map((u) => [u.day, u.events]), [[NEW_DAY, NEW_DAY_LINES.length]]);
  assert.equal(requests.PUT, 1);
  assert.equal(requests.DELETE, undefined);
  const now = await listLake();
  for (const [key, version] of firstKeys) assert.equal(now.get(key), version, key);
  assert.equal(now.size, firstKeys.size + 1);

  const location = await downloadLake();
  const [[rows]] = await query(`SELECT count(*) FROM ${hiveTable(location)} WHERE day = ${sqlString(NEW_DAY)}`);
  assert.equal(Number(rows), NEW_DAY_LINES.length);
});

test("a day whose rows change is replaced: its new file uploaded, its old one gone, nothing else touched", async () => {
  // The same object rewritten with fewer records (a connector restart): the day's rows change.
  const fewer = NEW_DAY_LINES.slice(0, 10);
  await source.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: NEW_DAY_KEY, Body: fewer.map((l) => JSON.stringify(l)).join("\n") + "\n"}));
  await syncStore(config, {client: source, fullListing: true});
  const before = await listLake();
  const oldKey = [...before.keys()].find((key) => key.includes(`day=${NEW_DAY}/`))!;

  const result = await publish();
  assert.deepEqual(result.uploaded.map((u) => [u.day, u.events]), [[NEW_DAY, fewer.length]]);
  assert.equal(requests.PUT, 1);
  assert.equal(requests.DELETE, 1);
  const now = await listLake();
  assert.equal(now.has(oldKey), false, "the old file is gone");
  const newKey = result.uploaded[0].key;
  assert.ok(now.has(newKey));
  assert.notEqual(newKey, oldKey, "the new version has a new name: readers never see a file change under them");
  for (const [key, version] of firstKeys) assert.equal(now.get(key), version, key);

  const [[rows]] = await query(`SELECT count(*) FROM ${hiveTable(await downloadLake())} WHERE day = ${sqlString(NEW_DAY)}`);
  assert.equal(Number(rows), fewer.length);
});

test("a second file of a day (a publish killed between its PUT and DELETE) is deleted; keys that are not day files are left alone", async () => {
  const [someKey] = firstKeys.keys();
  const stray = someKey.replace(/events-[0-9a-f]{16}/, "events-0000000000000000");
  await lake.send(new PutObjectCommand({Bucket: PUBLISH_BUCKET, Key: stray, Body: "left over"}));
  const foreign = `${PUBLISH_PREFIX}_SUCCESS`;
  await lake.send(new PutObjectCommand({Bucket: PUBLISH_BUCKET, Key: foreign, Body: "", ContentLength: 0}));

  const result = await publish();
  assert.equal(result.uploaded.length, 0);
  assert.equal(result.deletedFiles, 1);
  assert.equal(requests.PUT, undefined);
  const now = await listLake();
  assert.equal(now.has(stray), false);
  assert.equal(now.has(someKey), true);
  assert.equal(now.has(foreign), true);
  await lake.send(new DeleteObjectCommand({Bucket: PUBLISH_BUCKET, Key: foreign}));
});

test("a day that leaves the store leaves the bucket", async () => {
  await source.send(new DeleteObjectCommand({Bucket: DEMO_BUCKET, Key: NEW_DAY_KEY}));
  await syncStore(config, {client: source, fullListing: true});
  assert.equal(daysOf(await readManifest(config.store)).some((d) => d.day === NEW_DAY), false, "the sync removed the day");

  const result = await publish();
  assert.deepEqual(result.removed, [NEW_DAY]);
  assert.equal(result.uploaded.length, 0);
  assert.equal(requests.PUT, undefined);
  assert.equal(requests.DELETE, 1);
  assert.deepEqual(await listLake(), firstKeys, "back to the first publish exactly");
});

/**
 * `npx weblog publish` as a user runs it, in the project, with the test's endpoint and store.
 * Asynchronous: the proxy it talks to runs in this process.
 */
function weblogPublish(args: string[], extraEnv: Record<string, string> = {}): Promise<{status: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PROJECT_DIR, "bin/weblog.js"), "publish", ...args],
      // Node's own warnings (the AWS SDK's about Node 20) would be lines of stderr that are not ours.
      {cwd: PROJECT_DIR, encoding: "utf8", env: {...process.env, WEBLOG_CONFIG: "", NODE_NO_WARNINGS: "1", ...env, ...extraEnv}},
      (error, stdout, stderr) => resolve({status: error ? Number(error.code) : 0, stdout, stderr}),
    );
  });
}

/** The column lines of a CREATE TABLE statement: [name, type]. */
function declaredColumns(statement: string): string[][] {
  const body = statement.slice(statement.indexOf("(") + 1, statement.indexOf("\n)"));
  return body.split(",\n").map((line) => line.trim().match(/^`(\w+)` (\w+)$/)!.slice(1));
}

test("the command publishes, says what it did on stderr, and prints the Athena/Glue and Databricks DDL with every column of the contract", async () => {
  const run = await weblogPublish([]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /publish: 0 days uploaded, \d+ unchanged; 0 older files deleted; s3:\/\/lake\/weblog\/events\//);

  const [athena, databricks] = run.stdout.split("-- Databricks (Spark SQL)");
  assert.match(athena, /^-- Athena \/ AWS Glue\nCREATE EXTERNAL TABLE IF NOT EXISTS `weblog_events` \(/);
  const hive: Record<string, string> = {TIMESTAMP: "timestamp", VARCHAR: "string", INTEGER: "int", SMALLINT: "smallint", BIGINT: "bigint", DOUBLE: "double", BOOLEAN: "boolean"};
  assert.deepEqual(declaredColumns(athena), EVENT_COLUMNS.map((c) => [c.name, hive[c.type]]));
  assert.match(athena, /\nPARTITIONED BY \(`day` string\)\nSTORED AS PARQUET\nLOCATION 's3:\/\/lake\/weblog\/events\/';\n/);
  assert.match(athena, /MSCK REPAIR TABLE `weblog_events`;/);
  const firstDay = daysOf(await readManifest(config.store)).find((d) => d.day !== "undated")!.day;
  assert.ok(athena.includes(`'projection.day.range'='${firstDay},NOW'`), "partition projection from the first published day");

  assert.match(databricks, /\nCREATE TABLE IF NOT EXISTS `weblog_events` \(/);
  // Spark SQL's names are Hive's, in capitals; the partition column is declared with the others.
  assert.deepEqual(declaredColumns(databricks), [...EVENT_COLUMNS.map((c) => [c.name, hive[c.type].toUpperCase()]), ["day", "STRING"]]);
  assert.match(databricks, /\)\nUSING parquet\nPARTITIONED BY \(`day`\)\nLOCATION 's3:\/\/lake\/weblog\/events\/';/);
});

test("--bucket, --prefix and --table choose where and what is named", async () => {
  const run = await weblogPublish(["--prefix", "other/place", "--table", "logs.access"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /publish: \d+ days uploaded, 0 unchanged/);
  assert.match(run.stdout, /CREATE EXTERNAL TABLE IF NOT EXISTS `logs`\.`access`/);
  assert.match(run.stdout, /LOCATION 's3:\/\/lake\/other\/place\/'/);
});

test("errors a user can meet are one clear line each, with a non-zero exit", async () => {
  const noBucket = await weblogPublish([], {WEBLOG_PUBLISH_BUCKET: ""});
  assert.equal(noBucket.status, 1);
  assert.equal(noBucket.stderr.trim().split("\n").length, 1, noBucket.stderr);
  assert.match(noBucket.stderr, /^weblog publish: no bucket to publish to: give --bucket, or set "publish"/);

  const empty = join(dir, "empty-store");
  await mkdir(empty);
  const emptyStore = await weblogPublish([], {WEBLOG_STORE: empty});
  assert.equal(emptyStore.status, 1);
  assert.equal(emptyStore.stderr.trim().split("\n").length, 1, emptyStore.stderr);
  assert.match(emptyStore.stderr, /^weblog publish: the store .*empty-store holds no events: run `npx weblog sync` first/);

  denyMethod = "PUT";
  try {
    const denied = await weblogPublish(["--prefix", "denied"]);
    assert.equal(denied.status, 1);
    assert.equal(denied.stderr.trim().split("\n").length, 1, denied.stderr);
    assert.match(denied.stderr, /^weblog publish: uploading s3:\/\/lake\/denied\/day=[\d-]+\/events-[0-9a-f]{16}\.parquet: access denied: .*s3:PutObject/);
  } finally {
    denyMethod = null;
  }
  assert.equal((await listLake("denied/")).size, 0, "nothing half-published");

  const inside = await weblogPublish(["--bucket", DEMO_BUCKET, "--prefix", "topics/published"]);
  assert.equal(inside.status, 1);
  assert.match(inside.stderr, /^weblog publish: the publish prefix s3:\/\/s3sink-3\/topics\/published\/ is inside the source prefix/);
});
