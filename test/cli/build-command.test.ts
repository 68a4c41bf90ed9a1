// `weblog build`, what `npm run build` runs, as a user runs it: in a copy of the project, against
// the sample in a local S3 endpoint, it syncs, builds dist/ with every day's events and every
// page's first view, the site's data made beside Framework and each file taken by its loader; run
// again after one more object, it ships that object's day again, the days index and the rejected
// lines with it, and nothing is left behind.
import assert from "node:assert/strict";
import {execFile} from "node:child_process";
import {existsSync, readFileSync} from "node:fs";
import {appendFile, cp, readdir, readFile} from "node:fs/promises";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {PutObjectCommand} from "@aws-sdk/client-s3";
import {DATA_ONLY_BUILD} from "../../data-loaders/cli/build.js";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {PREPARED_DIR, storedDays} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {sqlString, withDuckDB} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {apacheTime} from "../../scripts/sample-lines.js";
import {copyProject, PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

let s3: LocalS3;
let dir: string;
let project: string;
let env: NodeJS.ProcessEnv;
let config: WeblogConfig;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-build-command-"));
  project = await copyProject(join(dir, "project"));
  env = {...process.env, ...demoEnvironment(s3.endpoint, join(dir, "store"))};
  config = loadConfig(project, env);
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

function weblogBuild(...args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), "build", ...args], {cwd: project, env, maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      if (error) fail(new Error(`weblog build failed: ${error.message}\n${stderr.slice(-4000)}`));
      else done(`${stdout}\n${stderr}`);
    });
  });
}

/** What the store's work folder holds besides its lock: nothing, once every loader took its file. */
const leftOver = async () => (await readdir(join(config.store, PREPARED_DIR))).filter((name) => name !== "lock" && !name.startsWith("lock."));

/** What `weblog build` says when it brought dist/ up to date without Framework's build. */
const ONLY_DATA = new RegExp(`weblog build: ${DATA_ONLY_BUILD}: dist/ brought up to date`);

/** How many rows a built Parquet file holds. */
const rowsIn = (file: string) => withDuckDB({}, async (duckdb) => Number((await duckdb.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(file)})`)).getRows()[0][0]));

/** The file dist/ holds for the attachment `name` (Framework adds a content hash to its name). */
async function builtAttachment(dist: string, name: string): Promise<string> {
  const dot = name.lastIndexOf(".");
  const [stem, extension] = [name.slice(0, dot), name.slice(dot)];
  const found = (await readdir(join(dist, "_file/data"))).filter((file) => file.startsWith(`${stem}.`) && file.endsWith(extension) && file.length === name.length + 9);
  assert.equal(found.length, 1, `one ${name} in dist/_file/data: ${found.join(" ")}`);
  return join(dist, "_file/data", found[0]);
}

/** The built days index's count of `day`'s events. */
const indexedEvents = async (dist: string, day: string) =>
  (JSON.parse(readFileSync(await builtAttachment(dist, "event-days.json"), "utf8")) as {days: {day: string; events: number}[]}).days.find((d) => d.day === day)?.events;

test("weblog build syncs and builds dist/, each file made beside Framework taken by its loader", async () => {
  const output = await weblogBuild();
  assert.match(output, /sync: \d+ new and 0 replaced objects/);
  const dist = join(project, "dist");
  assert.ok(existsSync(join(dist, "index.html")));
  const days = await storedDays(config);
  for (const day of days) assert.equal(await rowsIn(join(dist, "data/events", `${day.day}.parquet`)), day.events, day.day);
  // Every page's first view shipped, and the Overview's page names its own.
  const firstViews = (await readdir(join(dist, "_file/data/first-view"))).filter((name) => name.endsWith(".json"));
  assert.ok(firstViews.some((name) => name.startsWith("index.")) && firstViews.some((name) => name.startsWith("traffic.")), firstViews.join(" "));
  const index = readFileSync(join(dist, "index.html"), "utf8");
  assert.ok(firstViews.some((name) => name.startsWith("index.") && index.includes(name)));
  assert.deepEqual(await leftOver(), []);

  const last = days[days.length - 1];
  assert.equal(await indexedEvents(dist, last.day), last.events);
  const rejected = await rowsIn(await builtAttachment(dist, "rejected.parquet"));

  // One more request on the last day, and a line that is no access-log line: the day is shipped
  // again with it, and so are the days index and the rejected lines, whose loaders Framework's
  // build runs only when their cached file is gone (it ships a stale one otherwise).
  const line = `198.51.100.9 - - [${apacheTime(Date.parse(`${last.day}T12:00:00Z`))}] "GET /built-again/ HTTP/1.1" 200 512 "-" "curl/8.5.0"`;
  const key = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000300000.json";
  const body = `${JSON.stringify(line)}\n${JSON.stringify("this is no access-log line")}\n`;
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: body}));
  // Only the data changed: dist/ is brought up to date without Framework's build (the next test compares the two).
  assert.match(await weblogBuild(), ONLY_DATA);
  assert.equal(await rowsIn(join(dist, "data/events", `${last.day}.parquet`)), last.events + 1);
  assert.equal(await indexedEvents(dist, last.day), last.events + 1);
  assert.equal(await rowsIn(await builtAttachment(dist, "rejected.parquet")), rejected + 1);
  assert.deepEqual(await leftOver(), []);
});

test("dist/ brought up to date after new data is byte for byte what Framework's build writes", async () => {
  const dist = join(project, "dist");
  const updated = join(dir, "dist-updated");
  await cp(dist, updated, {recursive: true});
  const output = await weblogBuild("--full");
  assert.doesNotMatch(output, ONLY_DATA);
  const files = async (root: string) => (await readdir(root, {recursive: true, withFileTypes: true})).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length)).sort();
  const built = await files(dist);
  assert.deepEqual(await files(updated), built);
  // The data files, the first views under their new names, the modules naming them and the pages.
  assert.ok(built.some((file) => file.startsWith("/_file/data/first-view/")) && built.some((file) => file.endsWith(".html")));
  for (const file of built) assert.ok((await readFile(join(updated, file))).equals(await readFile(join(dist, file))), file);
});

test("an edited page is built by Framework; new data after it is brought up to date again", async () => {
  await appendFile(join(project, "src/visits.md"), "\nA paragraph an analyst added.\n");
  assert.doesNotMatch(await weblogBuild(), ONLY_DATA);
  assert.match(readFileSync(join(project, "dist/visits.html"), "utf8"), /A paragraph an analyst added\./);

  const [last] = (await storedDays(config)).slice(-1);
  const line = `198.51.100.10 - - [${apacheTime(Date.parse(`${last.day}T13:00:00Z`))}] "GET /after-the-edit/ HTTP/1.1" 200 256 "-" "curl/8.5.0"`;
  // The object before held offsets 300000 and 300001 (the request and the rejected line).
  const key = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000300002.json";
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: `${JSON.stringify(line)}\n`}));
  assert.match(await weblogBuild(), ONLY_DATA);
  assert.equal(await indexedEvents(join(project, "dist"), last.day), last.events + 1);
  assert.match(readFileSync(join(project, "dist/visits.html"), "utf8"), /A paragraph an analyst added\./);
});
