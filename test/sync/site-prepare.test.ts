// The site's data made beside `observable build` (data-loaders/site-prepare.ts): what `weblog
// build` makes ahead is what the loaders would make, each loader ships it once (waiting while it
// is being made) and then makes its own again, and a file made for rows the store no longer holds
// is never shipped; a day's events are made again from the file kept for it. The sample synced from a local S3 endpoint into a store; the site's own
// loaders run as Framework runs them (`node --import tsx`, in a copy of the project).
import assert from "node:assert/strict";
import {execFile, spawn} from "node:child_process";
import {existsSync} from "node:fs";
import {mkdtemp, readdir, readFile, rm, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {setTimeout as sleep} from "node:timers/promises";
import {promisify} from "node:util";
import {after, before, test} from "node:test";
import {PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {exportSiteParquet, PREPARED_DIR, storedDays} from "../../data-loaders/site-data.js";
import {exportDayEvents, KEPT_DAYS_DIR} from "../../data-loaders/site-day-events.js";
import {dayEventsPath, FIRST_VIEWS_PATH, frameworkCacheFile, refreshSiteData} from "../../data-loaders/site-loaders.js";
import {prepareSiteData, preparedPaths, takePreparedIntoFrameworkCache} from "../../data-loaders/site-prepare.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {lockStore} from "../../data-loaders/store/lock.js";
import {syncStore} from "../../data-loaders/sync.js";
import {sqlString, withDuckDB} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {apacheTime} from "../../scripts/sample-lines.js";
import {copyProject} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

let s3: LocalS3;
let dir: string;
let project: string;
let config: WeblogConfig;
let env: NodeJS.ProcessEnv;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-site-prepare-"));
  project = await copyProject(join(dir, "project"));
  env = {...process.env, ...demoEnvironment(s3.endpoint, join(dir, "store")), WEBLOG_TIMINGS: "1"};
  config = loadConfig(project, env);
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
  await syncStore(config);
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

/** Runs one of the site's loaders as Framework does; its stdout, and its stderr's timing steps (build-timings.ts). */
async function runLoader(loader: string, args: string[] = []): Promise<{output: Buffer; steps: string[]}> {
  const child = spawn(process.execPath, ["--import", "tsx", join("src/data", loader), ...args], {cwd: project, env, stdio: ["ignore", "pipe", "pipe"]});
  const output: Buffer[] = [];
  let messages = "";
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (messages += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  assert.equal(code, 0, messages);
  return {output: Buffer.concat(output), steps: [...messages.matchAll(/weblog-timing (\S+)/g)].map((m) => m[1])};
}

const dayLoader = (day: string) => runLoader("events/[day].parquet.ts", ["--day", day]);
const firstViewsLoader = () => runLoader("first-view.tar.ts");
const preparedFiles = async () => (await readdir(join(config.store, PREPARED_DIR))).filter((name) => name !== "lock" && !name.startsWith("lock."));

/**
 * Each page's shipped answers in a first views archive, by file, each answer's rows sorted: rows
 * that tie in a query's ORDER BY (an hour's status classes) come in either order.
 */
async function answersIn(archive: Buffer): Promise<Record<string, unknown>> {
  const into = await mkdtemp(join(dir, "views-"));
  await writeFile(join(into, "views.tar"), archive);
  await promisify(execFile)("tar", ["-xf", "views.tar"], {cwd: into});
  const byFile: Record<string, unknown> = {};
  for (const file of (await readdir(into, {recursive: true})).filter((f) => f.endsWith(".json")).sort()) {
    const {answers} = JSON.parse(await readFile(join(into, file), "utf8")) as {answers: Record<string, {rows: unknown[]}>};
    // Sorted by their text with fractions cut to six digits (see sameAnswers).
    const key = (row: unknown) => JSON.stringify(row, (_, value) => (typeof value === "number" && !Number.isInteger(value) ? value.toPrecision(6) : value));
    for (const answer of Object.values(answers)) answer.rows = [...answer.rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    byFile[file] = answers;
  }
  return byFile;
}

/**
 * Two sets of answers the same, fractions within a billionth: sums of fractions (a city's mean
 * latitude) differ in their last bits with the order DuckDB's threads add them in.
 */
function sameAnswers(actual: unknown, expected: unknown, path = ""): void {
  if (typeof actual === "number" && typeof expected === "number") {
    assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${path}: ${actual} against ${expected}`);
  } else if (actual !== null && expected !== null && typeof actual === "object" && typeof expected === "object") {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), path);
    for (const k of Object.keys(expected)) sameAnswers((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}/${k}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

/** A Parquet file's rows, each as text, sorted: two files hold the same rows when these are equal. */
async function rowsOf(parquet: Buffer): Promise<string[]> {
  const file = join(dir, `rows-${Math.random().toString(36).slice(2)}.parquet`);
  await writeFile(file, parquet);
  return withDuckDB({}, async (duckdb) => (await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson().map((row) => JSON.stringify(row)).sort());
}

test("what is made beside the build is what the loaders make themselves, and each loader ships it once", async () => {
  const refresh = await refreshSiteData(project, config);
  await prepareSiteData(project, config, refresh, {env, onMessages: () => {}});
  const days = (await storedDays(config)).map((d) => d.day);
  assert.ok(days.length > 1, days.join(" "));
  // A first build makes every day, and the first views.
  const made = await preparedFiles();
  assert.deepEqual(made.filter((name) => name.startsWith("events.")).map((name) => name.split(".")[1]).sort(), days);
  assert.equal(made.filter((name) => name.startsWith("first-views.")).length, 1);

  const [day] = days;
  const preparedDay = await readFile(join(config.store, PREPARED_DIR, made.find((name) => name.startsWith(`events.${day}.`))!));
  const shipped = await dayLoader(day);
  assert.ok(shipped.output.equals(preparedDay), "the day's loader ships the file made for it");
  assert.deepEqual(shipped.steps, [], "and makes none of its own");
  assert.ok(!(await preparedFiles()).some((name) => name.startsWith(`events.${day}.`)), "taken once");
  const again = await dayLoader(day);
  assert.deepEqual(again.steps, ["events-export"], "with nothing made for it, the loader exports the day itself");
  assert.deepEqual(await rowsOf(shipped.output), await rowsOf(again.output));

  const preparedViews = await readFile(join(config.store, PREPARED_DIR, made.find((name) => name.startsWith("first-views."))!));
  const views = await firstViewsLoader();
  assert.ok(views.output.equals(preparedViews), "the first views' loader ships the archive made for it");
  assert.ok(!views.steps.includes("first-views"));
  const viewsAgain = await firstViewsLoader();
  assert.ok(viewsAgain.steps.includes("first-views"), "with none made, it answers the pages' queries itself");
  // The same answers (each row once, in either order where they tie; fractions to a billionth).
  sameAnswers(await answersIn(viewsAgain.output), await answersIn(views.output));
});

test("a loader asked while the work is still being made waits for it, and makes nothing itself", async () => {
  const [day] = (await storedDays(config)).map((d) => d.day);
  const refresh = {...(await refreshSiteData(project, config)), days: [day], firstViewsChanged: true};
  const lock = join(config.store, PREPARED_DIR, "lock");
  const making = prepareSiteData(project, config, refresh, {env, onMessages: () => {}});
  while (!existsSync(lock)) await sleep(5);
  // Both asked at once, as soon as the work has begun: the store's lock holds the day's loader, the work's own the first views'.
  const [shippedDay, shippedViews] = await Promise.all([dayLoader(day), firstViewsLoader(), making]);
  assert.deepEqual(shippedDay.steps, []);
  assert.ok(!shippedViews.steps.includes("first-views"));
  assert.deepEqual(await preparedFiles(), [], "everything made was taken");
  assert.equal((await rowsOf(shippedDay.output)).length, (await storedDays(config)).find((d) => d.day === day)!.events);
  assert.ok(shippedViews.output.length > 0);
});

test("a file made for rows the store no longer holds is not shipped", async () => {
  const days = await storedDays(config);
  const day = days[days.length - 1];
  await prepareSiteData(project, config, {...(await refreshSiteData(project, config)), days: [day.day], firstViewsChanged: true}, {env, onMessages: () => {}});
  // A sync in between: one more request on that day.
  const line = `198.51.100.9 - - [${apacheTime(Date.parse(`${day.day}T12:00:00Z`))}] "GET /after-the-build/ HTTP/1.1" 200 512 "-" "curl/8.5.0"`;
  const key = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000200000.json";
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: JSON.stringify(line) + "\n"}));
  await syncStore(config);
  await refreshSiteData(project, config);

  const shipped = await dayLoader(day.day);
  assert.deepEqual(shipped.steps, ["events-export"], "the day's loader exports the day as it is now");
  assert.equal((await rowsOf(shipped.output)).length, day.events + 1);
  const views = await firstViewsLoader();
  assert.ok(views.steps.includes("first-views"), "the first views are answered again");
  assert.equal((await preparedFiles()).length, 2, "the stale files stay until the next build's work clears them");
});

test("a first views' loader that fails fails the work with its exit code, the days' events made all the same", async () => {
  const broken = await copyProject(join(dir, "broken-project"));
  // A copy of the loader that fails at once.
  await rm(join(broken, "src/data/first-view.tar.ts"));
  await writeFile(join(broken, "src/data/first-view.tar.ts"), "process.exit(3);\n");
  const refresh = await refreshSiteData(broken, config);
  assert.ok(refresh.days.length > 0 && refresh.firstViewsChanged);
  await assert.rejects(prepareSiteData(broken, config, refresh, {env, onMessages: () => {}}), /first-view\.tar\.ts exited with 3/);
  // The days' events were made all the same, for their loaders to take.
  assert.equal((await preparedFiles()).filter((name) => name.startsWith("events.")).length, refresh.days.length);
});

test("a day made again from the file kept for it and the rows added since is the day made from every row, row for row in the same order", async () => {
  const days = await storedDays(config);
  const day = days[days.length - 1].day;
  const keptDir = join(config.store, KEPT_DAYS_DIR);
  const made = join(dir, "day-made.parquet");
  await withStoreLock(() => exportDayEvents(config, day, made));
  // Only the store's latest days keep theirs.
  const latest = days.filter((d) => /^\d{4}-/.test(d.day)).slice(-2).map((d) => d.day);
  assert.ok((await readdir(keptDir)).every((name) => latest.includes(name.slice(0, 10))), (await readdir(keptDir)).join(" "));
  assert.ok(existsSync(join(keptDir, `${day}.json`)));

  // Two more requests on that day, in an object of their own: one among the day's others in time
  // (the kept rows after it are sorted again with the added ones), one after them all.
  const lines = [`${day}T12:00:00Z`, `${day}T23:59:58Z`].map((time, i) => `198.51.100.${20 + i} - - [${apacheTime(Date.parse(time))}] "GET /kept-${i}/ HTTP/1.1" 200 ${100 + i} "-" "curl/8.5.0"`);
  const key = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000300000.json";
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: lines.map((line) => JSON.stringify(line)).join("\n") + "\n"}));
  await syncStore(config);

  const fromKept = join(dir, "day-from-kept.parquet");
  assert.equal(await withStoreLock(() => exportDayEvents(config, day, fromKept)), true, "made from the kept file");
  const fromSegments = join(dir, "day-from-segments.parquet");
  await exportSiteParquet(config, "events", fromSegments, {day});
  const inOrder = await rowsInFileOrder(fromKept);
  assert.equal(inOrder.length, (await storedDays(config)).find((d) => d.day === day)!.events);
  const added = inOrder.findIndex((row) => row.includes("/kept-0/"));
  assert.ok(added > 0 && added < inOrder.length - 2, "the added request among the day's others");
  assert.deepEqual(inOrder, await rowsInFileOrder(fromSegments), "the same rows in the same order as from every segment");

  // A kept file made under other rules (another signature) is not used.
  const record = join(keptDir, `${day}.json`);
  await writeFile(record, JSON.stringify({...JSON.parse(await readFile(record, "utf8")), signature: "other rules"}));
  assert.equal(await withStoreLock(() => exportDayEvents(config, day, join(dir, "day-again.parquet"))), false);
  assert.ok((await readFile(join(dir, "day-again.parquet"))).equals(await readFile(fromSegments)));
});

/** A Parquet file's rows in the file's order, each as JSON. */
async function rowsInFileOrder(file: string): Promise<string[]> {
  return withDuckDB({}, async (duckdb) => (await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson().map((row) => JSON.stringify(row)));
}

/** Runs `work` holding the store's lock, as the build's work does. */
async function withStoreLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = await lockStore(config.store);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

test("what was made is put in Framework's cache as its loaders' outputs, only while it is for the rows as they are", async () => {
  const days = await storedDays(config);
  const day = days[days.length - 1];
  const refresh = {...(await refreshSiteData(project, config)), days: [day.day], firstViewsChanged: true};
  await prepareSiteData(project, config, refresh, {env, onMessages: () => {}});
  const cachedDay = frameworkCacheFile(project, dayEventsPath(day.day));
  await rm(cachedDay, {force: true});
  await takePreparedIntoFrameworkCache(project, config, refresh);
  assert.equal((await rowsOf(await readFile(cachedDay))).length, day.events);
  assert.ok((await readFile(frameworkCacheFile(project, FIRST_VIEWS_PATH))).length > 0);
  assert.deepEqual(await preparedFiles(), [], "taken, as a loader takes it");
  assert.ok(preparedPaths(refresh)(`/data/events/${day.day}.parquet`) && preparedPaths(refresh)("/data/first-view/index.json"));
  assert.ok(!preparedPaths(refresh)(`/data/events/${days[0].day}.parquet`) || days.length === 1);

  // Made, then a sync: the day's file is for rows the store no longer holds, and stays out of the cache.
  await prepareSiteData(project, config, {...refresh, firstViewsChanged: false}, {env, onMessages: () => {}});
  const line = `198.51.100.30 - - [${apacheTime(Date.parse(`${day.day}T12:30:00Z`))}] "GET /after-made/ HTTP/1.1" 200 64 "-" "curl/8.5.0"`;
  const key = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000400000.json";
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: JSON.stringify(line) + "\n"}));
  await syncStore(config);
  await rm(cachedDay, {force: true});
  await takePreparedIntoFrameworkCache(project, config, {...refresh, firstViewsChanged: false});
  assert.ok(!existsSync(cachedDay));
});
