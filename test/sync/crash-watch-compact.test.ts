// The store survives what real runs go through: a sync killed with SIGKILL at any moment, many
// small syncs (compaction), and `weblog watch` picking up new objects until Ctrl-C.
import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {readFileSync} from "node:fs";
import {mkdir, readdir, rm, stat, utimes, writeFile} from "node:fs/promises";
import {join, relative} from "node:path";
import {after, before, test} from "node:test";
import {loadConfig} from "../../data-loaders/config.js";
import {daysOf, exportSiteParquet} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {compactStore} from "../../data-loaders/store/compact.js";
import {liveFiles, readManifest} from "../../data-loaders/store/manifest.js";
import {syncStore} from "../../data-loaders/sync.js";
import {openDuckDB, sqlString, withDuckDB} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, REWRITES_DIR, SAMPLE_DIR} from "../../scripts/demo.js";
import {LOCAL_S3_CREDENTIALS, seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));
let s3: LocalS3;
let dir: string;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-crash-"));
  const config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "unused")));
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

function environment(store: string): NodeJS.ProcessEnv {
  return {...process.env, ...demoEnvironment(s3.endpoint, store), ...LOCAL_S3_CREDENTIALS};
}

function weblog(args: string[], cwd: string, store: string): ChildProcess {
  return spawn(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), ...args], {cwd, env: environment(store), stdio: ["ignore", "ignore", "pipe"]});
}

/** Resolves when the child's stderr has printed `pattern` `times` times. */
function waitForOutput(child: ChildProcess, pattern: RegExp, times = 1): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stderr!.on("data", (chunk) => {
      text += chunk;
      if ((text.match(new RegExp(pattern, "g")) ?? []).length >= times) resolve(text);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}:\n${text}`)));
  });
}

/** Counts in the store as the site would read them, plus any file the manifest does not name. */
async function inspect(store: string) {
  const manifest = await readManifest(store);
  const live = liveFiles(manifest);
  const files = [];
  for (const directory of ["events", "rejected"]) {
    const entries = await readdir(join(store, directory), {recursive: true, withFileTypes: true}).catch(() => []);
    files.push(...entries.filter((e) => e.isFile()).map((e) => relative(store, join(e.parentPath, e.name))));
  }
  const strays = files.filter((file) => !live.has(file));
  const file = join(store, "check.parquet");
  await exportSiteParquet(loadConfig(store, {WEBLOG_STORE: store}), "events", file);
  const duckdb = await openDuckDB();
  const [[events, ids, bytes]] = (await duckdb.runAndReadAll(`SELECT count(*), count(DISTINCT (topic, kafka_partition, kafka_offset)), sum(bytes) FROM read_parquet(${sqlString(file)})`)).getRowsJS();
  await rm(file);
  return {events: Number(events), ids: Number(ids), bytes: Number(bytes), objects: Object.keys(manifest.objects).length, segments: Object.keys(manifest.segments).length, strays};
}

/** The Parquet format versions of the store's live files, each once. */
async function formatVersions(store: string): Promise<number[]> {
  const files = [...liveFiles(await readManifest(store))].map((file) => join(store, file));
  const rows = await withDuckDB({}, async (duckdb) => (await duckdb.runAndReadAll(`SELECT DISTINCT format_version FROM parquet_file_metadata([${files.map(sqlString).join(", ")}])`)).getRowsJS());
  return rows.map(([version]) => Number(version));
}

let reference: Awaited<ReturnType<typeof inspect>>;

test("a clean sync, for reference", async () => {
  const store = join(dir, "reference");
  await syncStore(loadConfig(dir, demoEnvironment(s3.endpoint, store)));
  reference = await inspect(store);
  assert.equal(reference.events, expected.events);
  assert.equal(reference.ids, expected.events);
});

for (const commits of [1, 4, 9]) {
  test(`sync killed with SIGKILL after ${commits} commits, then run again: the same store as a clean sync`, async () => {
    const store = join(dir, `killed-${commits}`);
    // One object per segment, so the kill lands between commits or inside one.
    const child = weblog(["sync", "--batch-events", "100"], dir, store);
    await waitForOutput(child, /committed/, commits);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));

    const partial = await readManifest(store);
    assert.ok(Object.keys(partial.objects).length >= commits, "the commits before the kill are kept");
    assert.ok(Object.keys(partial.objects).length < expected.valueObjects, "killed before the end");

    await syncStore(loadConfig(dir, demoEnvironment(s3.endpoint, store)));
    const after = await inspect(store);
    assert.deepEqual({events: after.events, ids: after.ids, bytes: after.bytes, objects: after.objects, strays: after.strays}, {
      events: reference.events,
      ids: reference.ids,
      bytes: reference.bytes,
      objects: reference.objects,
      strays: [],
    });
  });
}

test("compaction merges each day's segments into one and changes no row", async () => {
  const store = join(dir, "many-segments");
  await syncStore(loadConfig(dir, demoEnvironment(s3.endpoint, store)), {batchEvents: 100});
  const before = await inspect(store);
  const groups = () => readManifest(store).then((m) => Object.values(m.segments).map((s) => s.day ?? "rejected"));
  const groupsBefore = await groups();
  const distinct = new Set(groupsBefore).size;
  // Parquet's version 2 encodings (write/parquet.ts: SEGMENT_FORMAT), as synced and as compacted.
  assert.deepEqual(await formatVersions(store), [2]);
  assert.ok(groupsBefore.length > distinct, `${groupsBefore.length} segments in ${distinct} days and rejected`);
  const result = await compactStore(store);
  assert.equal(result.segmentsAfter, distinct);
  assert.deepEqual((await groups()).sort(), [...new Set(groupsBefore)].sort(), "one segment per day, one of rejected lines");
  const compacted = await inspect(store);
  assert.deepEqual({...compacted, segments: 0}, {...before, segments: 0});
  assert.deepEqual(await formatVersions(store), [2]);
  // A later sync still knows every object: nothing is taken in twice.
  const again = await syncStore(loadConfig(dir, demoEnvironment(s3.endpoint, store)));
  assert.equal(again.unchanged, expected.valueObjects);
});

test("weblog watch takes in new objects as they land, refreshes the site's data, and stops on Ctrl-C", {timeout: 120_000}, async () => {
  const project = join(dir, "project");
  const store = join(dir, "watched");
  await mkdir(join(project, "src/data"), {recursive: true});
  const index = join(project, "src/data/event-days.json.ts");
  await writeFile(index, "// stand-in for the site's days index loader\n");
  const old = new Date(Date.now() - 3_600_000);
  await utimes(index, old, old);

  const child = weblog(["watch", "--interval", "1"], project, store);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  await waitForOutput(child, /sync: /);
  assert.equal(Object.keys((await readManifest(store)).objects).length, expected.valueObjects);
  assert.ok((await stat(index)).mtimeMs > old.getTime() + 1000, "the days index was marked stale");

  // Framework's cached day files: after the rewrite lands, only the days it touched are dropped.
  const cache = join(project, "src/.observablehq/cache/data/events");
  const days = daysOf(await readManifest(store)).map((d) => d.day);
  for (const day of days) await writeFile(join(cache, `${day}.parquet`), "cached");
  const config = loadConfig(dir, demoEnvironment(s3.endpoint, store));
  const before = await readManifest(store);
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, REWRITES_DIR);
  await waitForOutput(child, /sync: /);
  const manifest = await readManifest(store);
  assert.equal(Object.keys(manifest.objects).length, expected.valueObjects + 1);

  const changed = daysOf(await readManifest(store)).filter((d) => daysOf(before).find((b) => b.day === d.day)?.version !== d.version).map((d) => d.day);
  assert.ok(changed.length > 0 && changed.length < days.length, `the rewrite touched ${changed.join(", ")} of ${days.length} days`);
  const kept = (await readdir(cache)).filter((f) => f.endsWith(".parquet")).map((f) => f.replace(".parquet", ""));
  assert.deepEqual(kept.sort(), days.filter((d) => !changed.includes(d)).sort(), "the untouched days keep their cached file");

  child.kill("SIGINT");
  assert.equal(await exited, 0);
  const watched = await inspect(store);
  assert.equal(watched.events, expected.events);
  assert.equal(watched.ids, expected.events);
});
