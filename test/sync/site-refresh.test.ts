// refreshSiteData keeps Framework's cached site data in step with the store: a day whose
// segments changed loses its cached files, the others keep theirs, and a cache made from
// another store is never reused. Real files in a temporary project; the manifests are written
// as sync writes them.
import assert from "node:assert/strict";
import {mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {DEFAULT_SITE_SETTINGS, type WeblogConfig} from "../../data-loaders/config.js";
import {refreshSiteData, type SiteDataRefresh} from "../../data-loaders/site-loaders.js";
import {readManifest, writeManifest, type KeyMismatches, type Manifest, type Segment, type SkippedKeys, type StoredObject} from "../../data-loaders/store/manifest.js";

let dir: string;
/** The store with no configured rules, as a default configuration has it. */
/** The settings the site's files are made by: none but the defaults, unless given. */
const rulesOf = (store: string, {requestClasses = [], ownTraffic = [], site = DEFAULT_SITE_SETTINGS}: Partial<Pick<WeblogConfig, "requestClasses" | "ownTraffic" | "site">> = {}) => ({store, requestClasses, ownTraffic, site});
const project = () => join(dir, "project");
const cached = (kind: string) => join(project(), "src/.observablehq/cache/data", kind);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-refresh-"));
  await mkdir(join(project(), "src/data"), {recursive: true});
  await writeFile(join(project(), "src/data/event-days.json.ts"), "// stand-in\n");
  await writeFile(join(project(), "src/data/rejected.parquet.ts"), "// stand-in\n");
  await writeFile(join(project(), "src/data/skipped-keys.json.ts"), "// stand-in\n");
  await writeFile(join(project(), "src/data/key-mismatches.json.ts"), "// stand-in\n");
  await writeFile(join(project(), "src/data/redeliveries.json.ts"), "// stand-in\n");
  await writeFile(join(project(), "src/data/control-messages.json.ts"), "// stand-in\n");
});

after(() => rm(dir, {recursive: true, force: true}));

function segment(day: string, id: string): [string, Segment] {
  return [id, {kind: "events", day, file: `events/day=${day}/${id}.parquet`, rows: 10, min_ts: 0, max_ts: 0}];
}

async function storeWith(name: string, segments: [string, Segment][], skipped_keys?: SkippedKeys[]): Promise<string> {
  const store = join(dir, name);
  await mkdir(store, {recursive: true});
  const manifest: Manifest = {version: 3, objects: {}, segments: Object.fromEntries(segments), skipped_keys};
  await writeManifest(store, manifest);
  return store;
}

async function fillCache(days: string[], blocks = ["2025-01-01"]): Promise<void> {
  await mkdir(cached("events"), {recursive: true});
  for (const day of days) await writeFile(join(cached("events"), `${day}.parquet`), "cached");
  // The rollups: per block of days (site-data.ts: rollupBlocks), an archive and the kinds' files extracted from it.
  for (const block of blocks) {
    await mkdir(join(cached("rollups"), block), {recursive: true});
    await writeFile(join(cached("rollups"), `${block}.tar`), "cached");
    for (const kind of ["hour", "client"]) await writeFile(join(cached("rollups"), block, `${kind}.parquet`), "cached");
  }
}

const cachedDays = async (kind: string) => (await readdir(cached(kind))).filter((f) => f.endsWith(".parquet")).map((f) => f.slice(0, 10)).sort();
/** Whether a block's rollups archive and the kinds' files extracted from it are in the cache. */
const rollupsCached = async (block = "2025-01-01") => [
  await stat(join(cached("rollups"), `${block}.tar`)).then(() => true, () => false),
  await readdir(join(cached("rollups"), block)).then((f) => f.length > 0, () => false),
];

test("only the days whose segments changed lose their cached files; the days index is marked stale", async () => {
  const store = await storeWith("a", [segment("2025-01-01", "s1"), segment("2025-01-02", "s2"), segment("2025-01-03", "s3")]);
  assert.deepEqual((await refreshSiteData(project(), rulesOf(store))).days, ["2025-01-01", "2025-01-02", "2025-01-03"], "a first refresh trusts no cache");
  await fillCache(["2025-01-01", "2025-01-02", "2025-01-03"]);
  const old = new Date(Date.now() - 60_000);
  await utimes(join(project(), "src/data/event-days.json.ts"), old, old);

  // A sync added a segment to 2 January and compacted nothing else.
  await storeWith("a", [segment("2025-01-01", "s1"), segment("2025-01-02", "s2"), segment("2025-01-02", "s4"), segment("2025-01-03", "s3")]);
  const refresh = await refreshSiteData(project(), rulesOf(store));
  assert.deepEqual(refresh.days, ["2025-01-02"]);
  assert.deepEqual(await cachedDays("events"), ["2025-01-01", "2025-01-03"]);
  // The days either side count their rollups again too: their visits may go on into 2 January or come from it.
  assert.deepEqual(refresh.rollupDays, ["2025-01-01", "2025-01-02", "2025-01-03"]);
  // The block holding those days (1 to 7 January) has its kinds' files made again (from the store's kept day rollups).
  assert.deepEqual(await rollupsCached(), [false, false]);
  assert.ok((await stat(join(project(), "src/data/event-days.json.ts"))).mtimeMs > old.getTime() + 1000);

  // Nothing changed: nothing is dropped.
  await fillCache(["2025-01-02"]);
  assert.deepEqual((await refreshSiteData(project(), rulesOf(store))).days, []);
  assert.deepEqual(await cachedDays("events"), ["2025-01-01", "2025-01-02", "2025-01-03"]);
  assert.deepEqual(await rollupsCached(), [true, true]);
});

test("a cache made from another store is dropped whole, even for days with the same segments", async () => {
  const other = await storeWith("b", [segment("2025-01-01", "s1"), segment("2025-01-02", "s2"), segment("2025-01-03", "s3")]);
  await fillCache(["2025-01-01", "2025-01-02", "2025-01-03"]);
  const refresh = await refreshSiteData(project(), rulesOf(other));
  assert.deepEqual(refresh.days, ["2025-01-01", "2025-01-02", "2025-01-03"]);
  assert.equal(refresh.rejectedChanged, true);
  assert.deepEqual(await cachedDays("events"), []);
});

test("a cache made by code that wrote other columns is dropped whole", async () => {
  const store = await storeWith("c", [segment("2025-01-01", "s1"), segment("2025-01-02", "s2")]);
  await refreshSiteData(project(), rulesOf(store));
  await fillCache(["2025-01-01", "2025-01-02"]);
  assert.deepEqual((await refreshSiteData(project(), rulesOf(store))).days, [], "the same code and store: kept");
  // The record an earlier version left, before the rollups had the agent columns.
  const record = join(cached("events"), ".weblog-store.json");
  const earlier = JSON.parse(await readFile(record, "utf8"));
  await writeFile(record, JSON.stringify({...earlier, columns: earlier.columns.replace(", browser VARCHAR", "")}));
  assert.deepEqual((await refreshSiteData(project(), rulesOf(store))).days, ["2025-01-01", "2025-01-02"]);
  assert.deepEqual(await cachedDays("events"), []);
  assert.deepEqual(await rollupsCached(), [false, false]);
});

test("a workbook whose rollup views changed (an all-days view added, say) makes the days index and the first views again, and keeps every day's files", async () => {
  const store = await storeWith("views-changed", [segment("2025-01-01", "s1"), segment("2025-01-02", "s2")]);
  await refreshSiteData(project(), rulesOf(store));
  await fillCache(["2025-01-01", "2025-01-02"]);
  const old = new Date(Date.now() - 60_000);
  await utimes(join(project(), "src/data/event-days.json.ts"), old, old);
  const unchanged = await refreshSiteData(project(), rulesOf(store));
  assert.equal(unchanged.firstViewsChanged, false, "the same views: kept");
  assert.ok((await stat(join(project(), "src/data/event-days.json.ts"))).mtimeMs < old.getTime() + 1000, "the same views: the days index kept");
  // The record an earlier version left, whose views were others.
  const record = join(cached("events"), ".weblog-store.json");
  await writeFile(record, JSON.stringify({...JSON.parse(await readFile(record, "utf8")), views: "0123456789abcdef"}));
  const refresh = await refreshSiteData(project(), rulesOf(store));
  assert.equal(refresh.firstViewsChanged, true);
  assert.ok((await stat(join(project(), "src/data/event-days.json.ts"))).mtimeMs > old.getTime() + 1000, "the days index is made again");
  assert.deepEqual(refresh.days, [], "no day's files");
  assert.deepEqual(await cachedDays("events"), ["2025-01-01", "2025-01-02"]);
  assert.deepEqual(await rollupsCached(), [true, true]);
});

test("a changed own-traffic or request-class rule drops every day: they are derived again from the store, nothing synced", async () => {
  const store = await storeWith("rules", [segment("2025-01-01", "s1"), segment("2025-01-02", "s2")]);
  await refreshSiteData(project(), rulesOf(store));
  await fillCache(["2025-01-01", "2025-01-02"]);
  const office = {ownTraffic: [{name: "office", clients: ["203.0.113.0/24"]}]};
  assert.deepEqual((await refreshSiteData(project(), rulesOf(store, office))).days, ["2025-01-01", "2025-01-02"]);
  await fillCache(["2025-01-01", "2025-01-02"]);
  assert.deepEqual((await refreshSiteData(project(), rulesOf(store, office))).days, [], "the same rules: kept");
  const refresh = await refreshSiteData(project(), rulesOf(store, {...office, requestClasses: [{class: "asset", paths: ["/static/*"]}]}));
  assert.deepEqual(refresh.days, ["2025-01-01", "2025-01-02"]);
  assert.equal(refresh.firstViewsChanged, true);
});

test("the keys not read are made again when a full listing found others, and only then", async () => {
  const days = [segment("2025-01-01", "s1")];
  const keyFiles: SkippedKeys[] = [{reason: "Kafka key file", count: 1, examples: ["topics/t/year=2025/t+0+0000000000.keys.bin"]}];
  const store = await storeWith("d", days, keyFiles);
  await refreshSiteData(project(), rulesOf(store));
  const loader = join(project(), "src/data/skipped-keys.json.ts");
  const old = new Date(Date.now() - 60_000);
  await utimes(loader, old, old);
  assert.equal((await refreshSiteData(project(), rulesOf(store))).skippedKeysChanged, false);
  assert.ok((await stat(loader)).mtimeMs < old.getTime() + 1000, "not touched");

  await storeWith("d", days, [...keyFiles, {reason: "Kafka headers file", count: 1, examples: ["topics/t/year=2025/t+0+0000000000.headers.bin"]}]);
  const refresh = await refreshSiteData(project(), rulesOf(store));
  assert.equal(refresh.skippedKeysChanged, true);
  assert.deepEqual(refresh.days, [], "the days' files are kept");
  assert.ok((await stat(loader)).mtimeMs > old.getTime() + 1000);
});

test("the key mismatches are made again when a commit changed them, and only then", async () => {
  const days = [segment("2025-01-01", "s1")];
  const store = await storeWith("k", days);
  const withMismatches = async (key_mismatches: KeyMismatches) => writeManifest(store, {...(await readManifest(store)), key_mismatches});
  const one: KeyMismatches = {objects: 1, examples: [{key: "topics/t/year=2025/t+0+0000000000.json", problem: "3 keys for 5 records (shorter than its values)", examples: []}]};
  await withMismatches(one);
  await refreshSiteData(project(), rulesOf(store));
  const loader = join(project(), "src/data/key-mismatches.json.ts");
  const old = new Date(Date.now() - 60_000);
  await utimes(loader, old, old);
  assert.equal((await refreshSiteData(project(), rulesOf(store))).keyMismatchesChanged, false);
  assert.ok((await stat(loader)).mtimeMs < old.getTime() + 1000, "not touched");

  await withMismatches({objects: 0, examples: []});
  const refresh = await refreshSiteData(project(), rulesOf(store));
  assert.equal(refresh.keyMismatchesChanged, true);
  assert.deepEqual(refresh.days, [], "the days' files are kept");
  assert.ok((await stat(loader)).mtimeMs > old.getTime() + 1000);
});

/**
 * A summary of the manifest's objects that a loader of its own ships (records delivered twice,
 * Firehose's health checks): its loader is touched when a commit changed the summary, and only then.
 */
async function checkSummaryRefresh(name: string, loaderFile: string, changed: (refresh: SiteDataRefresh) => boolean, object: (count: number) => StoredObject): Promise<void> {
  const store = await storeWith(name, [segment("2025-01-01", "s1")]);
  const withObjects = async (objects: Record<string, StoredObject>) => writeManifest(store, {...(await readManifest(store)), objects});
  await withObjects({"topics/t/year=2025/t+0+0000000000.json": object(0)});
  await refreshSiteData(project(), rulesOf(store));
  const loader = join(project(), "src/data", loaderFile);
  const old = new Date(Date.now() - 60_000);
  await utimes(loader, old, old);
  // Another object holding none: the summary is the same.
  await withObjects({"topics/t/year=2025/t+0+0000000000.json": object(0), "topics/t/year=2025/t+0+0000000005.json": object(0)});
  assert.equal(changed(await refreshSiteData(project(), rulesOf(store))), false);
  assert.ok((await stat(loader)).mtimeMs < old.getTime() + 1000, "not touched");

  await withObjects({"topics/t/year=2025/t+0+0000000000.json": object(0), "topics/t/year=2025/t+0+0000000003.json": object(2)});
  const refresh = await refreshSiteData(project(), rulesOf(store));
  assert.equal(changed(refresh), true);
  assert.deepEqual(refresh.days, [], "the days' files are kept");
  assert.ok((await stat(loader)).mtimeMs > old.getTime() + 1000);
}

test("the records delivered twice are shown again when a sync stored an object holding some, and only then", () =>
  checkSummaryRefresh("r", "redeliveries.json.ts", (refresh) => refresh.redeliveriesChanged, (duplicates) => ({etag: "e", size: 1, topic: "t", kafka_partition: 0, start_offset: 0, records: 5, events: 5 - duplicates, rejected: 0, duplicates, stored: [], segments: ["s1"]})));

test("Firehose's health checks are shown again when a sync stored an object holding some, and only then", () =>
  checkSummaryRefresh("c", "control-messages.json.ts", (refresh) => refresh.controlMessagesChanged, (controlMessages) => ({etag: "e", size: 1, topic: "", kafka_partition: 0, start_offset: 0, records: 5, events: 5, rejected: 0, duplicates: 0, ...(controlMessages > 0 ? {control_messages: controlMessages} : {}), stored: [], segments: ["s1"]})));

test("every page's first view is dropped when any day changes or the pages' queries are edited, and kept otherwise", async () => {
  const store = await storeWith("views", [segment("2025-02-01", "v1"), segment("2025-02-02", "v2")]);
  const archive = join(project(), "src/.observablehq/cache/data/first-view.tar");
  const extracted = join(project(), "src/.observablehq/cache/data/first-view/index.json");
  const fillFirstViews = async () => {
    await mkdir(join(project(), "src/.observablehq/cache/data/first-view"), {recursive: true});
    await writeFile(archive, "cached");
    await writeFile(extracted, "cached");
  };
  const present = async () => [await stat(archive).then(() => true, () => false), await stat(extracted).then(() => true, () => false)];
  await mkdir(join(project(), "src/queries"), {recursive: true});
  await writeFile(join(project(), "src/queries/index.ts"), "// the Overview's queries\n");
  await refreshSiteData(project(), rulesOf(store));
  await fillFirstViews();
  assert.equal((await refreshSiteData(project(), rulesOf(store))).firstViewsChanged, false);
  assert.deepEqual(await present(), [true, true], "nothing changed: kept");

  // One day changed: every first view covers every day, so all are made again.
  await storeWith("views", [segment("2025-02-01", "v1"), segment("2025-02-02", "v2"), segment("2025-02-02", "v3")]);
  assert.equal((await refreshSiteData(project(), rulesOf(store))).firstViewsChanged, true);
  assert.deepEqual(await present(), [false, false]);

  await fillFirstViews();
  await writeFile(join(project(), "src/queries/index.ts"), "// the Overview's queries, edited\n");
  assert.equal((await refreshSiteData(project(), rulesOf(store))).firstViewsChanged, true, "an edited query gives other answers");
  assert.deepEqual(await present(), [false, false]);
});

test("a changed day counts again its own rollups and its neighbours', not those of days further off", async () => {
  const store = await storeWith("e", ["2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04", "2025-02-06"].map((day, i) => segment(day, `e${i}`)));
  await refreshSiteData(project(), rulesOf(store));
  await fillCache(["2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04", "2025-02-06"], ["2025-02-01"]);
  await storeWith("e", [...["2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04", "2025-02-06"].map((day, i) => segment(day, `e${i}`)), segment("2025-02-04", "e9")]);
  const refresh = await refreshSiteData(project(), rulesOf(store));
  assert.deepEqual(refresh.days, ["2025-02-04"]);
  // 5 February has no events: 6 February's visits cannot come from 4 February's.
  assert.deepEqual(refresh.rollupDays, ["2025-02-03", "2025-02-04"]);
  // The block's kinds' files cover its every day, so they go; the store's day rollups of the others are kept (site-data.ts).
  assert.deepEqual(await rollupsCached("2025-02-01"), [false, false]);
  assert.deepEqual(await cachedDays("events"), ["2025-02-01", "2025-02-02", "2025-02-03", "2025-02-06"]);
});

test("a changed day's block of rollups is made again, the earlier blocks keep their files", async () => {
  const days = ["2025-03-02", "2025-03-09", "2025-03-10", "2025-03-16"];
  const store = await storeWith("blocks", days.map((day, i) => segment(day, `b${i}`)));
  await refreshSiteData(project(), rulesOf(store));
  // 1–7 March, 8–14 and 15–21: a block each, this being the latest month.
  await fillCache(days, ["2025-03-01", "2025-03-08", "2025-03-15"]);
  await storeWith("blocks", [...days.map((day, i) => segment(day, `b${i}`)), segment("2025-03-16", "b9")]);
  const refresh = await refreshSiteData(project(), rulesOf(store));
  assert.deepEqual(refresh.rollupDays, ["2025-03-16"]);
  assert.deepEqual(await rollupsCached("2025-03-15"), [false, false]);
  assert.deepEqual(await rollupsCached("2025-03-01"), [true, true]);
  assert.deepEqual(await rollupsCached("2025-03-08"), [true, true]);

  // A day of April: March is a month before the latest now, one block of its own, made once; its weeks' files go.
  await fillCache(days, ["2025-03-15"]);
  await storeWith("blocks", [...days.map((day, i) => segment(day, `b${i}`)), segment("2025-03-16", "b9"), segment("2025-04-01", "b10")]);
  assert.deepEqual((await refreshSiteData(project(), rulesOf(store))).rollupDays, ["2025-04-01"]);
  for (const block of ["2025-03-01", "2025-03-08", "2025-03-15"]) assert.deepEqual(await rollupsCached(block), [false, false], block);
});
