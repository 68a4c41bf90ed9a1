// Keeps the site's data in step with the store, redoing only what changed. The site's data
// loaders (src/data/) read the store; Framework keeps each loader's output in its cache
// (src/.observablehq/cache/) and, in `build` and live in `preview`, runs a loader again when
// its output is missing or older than the loader's file. So after a sync:
//   - a day whose segments changed loses its cached file (data/events/<day>.parquet), and only
//     that day is exported again;
//   - the rollups, one file per kind and block of days (data/rollups/<block>/<kind>.parquet, from
//     data/rollups/<block>.tar), are made again for a block when any of its days' rollups changed:
//     a changed day's, and those of the days either side of it (their visits may go on into it or
//     come from it). The other blocks keep their cached files. A block's are made from each day's
//     rollups, which the store keeps by version (site-data.ts: dayRollupsFile), so only those
//     days are counted again;
//   - the days index (with the views the browser makes over the rollups: a workbook whose views
//     changed makes it again, and the first views, over the same files), the rejected lines, the
//     keys not read and the key mismatches, all cheap, lose their cached file and have their
//     loader touched: `observable build` ships a cached file even when its loader is newer
//     ("[using stale]"), so only a missing one is made again there, while `preview` (watch mode)
//     reloads the pages when a loader's file changes;
//   - every page's first view (data/first-view/, the answers shipped for the default filter)
//     covers all days, so any change drops them all: they are counted again from the rollups,
//     which the store keeps per day (site-data.ts: dayRollupsFile), so that costs seconds. An
//     edit to the pages' queries (src/queries/, src/components/, data-loaders/contracts/) drops them too.
// What the cache was made from is recorded beside it, so a cache made from another store (the
// demo's, say), or with other columns (an upgrade that adds a rollup column), is never reused.
import {createHash} from "node:crypto";
import {mkdir, readFile, rm, utimes, writeFile} from "node:fs/promises";
import {join} from "node:path";
import type {WeblogConfig} from "./config.js";
import {digestOf} from "./files-digest.js";
import {daysOf, rollupBlocks, siteFilesSignature, siteTables} from "./site-data.js";
import {valueIdsGeneration} from "./rollups/value-ids.js";
import {readManifest, segmentsOfKind, summarizeControlMessages, summarizeRedeliveries} from "./store/manifest.js";

export const SITE_DATA_DIR = "src/data";
const DAYS_INDEX_LOADER = "event-days.json.ts";
const REJECTED_LOADER = "rejected.parquet.ts";
const SKIPPED_KEYS_LOADER = "skipped-keys.json.ts";
const KEY_MISMATCHES_LOADER = "key-mismatches.json.ts";
const REDELIVERIES_LOADER = "redeliveries.json.ts";
const CONTROL_MESSAGES_LOADER = "control-messages.json.ts";
/** Where Framework keeps the loaders' outputs, each under its data path: src/data/<name>.ts's is data/<name>. */
const FRAMEWORK_CACHE = "src/.observablehq/cache";
const DATA_CACHE = `${FRAMEWORK_CACHE}/data`;
const DAY_FILES_CACHE = `${DATA_CACHE}/events`;
/** The data path of a day's events (src/data/events/[day].parquet.ts's output). */
export const dayEventsPath = (day: string) => `/data/events/${day}.parquet`;
/** The data path of the first views' archive (FIRST_VIEWS_LOADER's output); the pages' files extracted from it are under it, less `.tar`. */
export const FIRST_VIEWS_PATH = "/data/first-view.tar";
/** The file in Framework's cache of a loader's output at a data path. */
export const frameworkCacheFile = (projectDir: string, path: string) => join(projectDir, FRAMEWORK_CACHE, path);
/** The rollups: per block of days, one archive and the kinds' files Framework extracted from it (data/rollups/<block>.tar, data/rollups/<block>/). */
const ROLLUPS_CACHE = `${DATA_CACHE}/rollups`;
/** The rollups' cache of the layout before blocks: one archive of every day, and its kinds' files. */
const ROLLUPS_CACHE_BEFORE_BLOCKS = `${DATA_CACHE}/rollups.tar`;
/** Each page's first view (one archive, and the files Framework extracted from it): made from every day's rollups, so dropped when any day changes. */
const FIRST_VIEW_CACHE = [FIRST_VIEWS_PATH, FIRST_VIEWS_PATH.replace(/\.tar$/, "")].map((path) => `${FRAMEWORK_CACHE}${path}`);
/** Where the first views' queries are written, and what they are made with: an edit there changes the answers. */
const QUERY_SOURCES = ["src/queries", "src/components", "data-loaders/contracts"];
const RECORD_FILE = ".weblog-store.json";

/** What the cached site data was made from. */
interface CacheRecord {
  store: string;
  /** What the code that made the files would make (site-data.ts: siteFilesSignature). */
  columns: string;
  days: Record<string, string>;
  /** Each day's rollups version (absent in a record made before visits were counted). */
  rollups?: Record<string, string>;
  /** Each block of days' rollups version (site-data.ts: rollupBlocks; absent in a record made before blocks). */
  rollupBlocks?: Record<string, string>;
  rejected: string;
  /** The manifest's skipped_keys, as JSON. */
  skippedKeys: string;
  /** The manifest's key_mismatches, as JSON (absent in a record made before key files were read). */
  keyMismatches?: string;
  /** The records held twice in the bucket (summarizeRedeliveries), as JSON (absent in a record made before they were shown). */
  redeliveries?: string;
  /** Firehose's health checks in the bucket (summarizeControlMessages), as JSON (absent in a record made before they were shown). */
  controlMessages?: string;
  /** A digest of the pages' query sources. */
  queries: string;
  /**
   * A digest of the views the browser and the first views define over the rollups (site-data.ts:
   * siteTables), which the days index ships: a newer workbook's views (an all-days view added, a
   * view's SQL changed) make the days index and the first views again over the same files.
   * Absent in a record made before it was kept.
   */
  views?: string;
}

export interface SiteDataRefresh {
  /** Days whose cached file was dropped, to be exported again. */
  days: string[];
  /** Days whose cached rollups were dropped: those of `days` and the days either side of them. */
  rollupDays: string[];
  rejectedChanged: boolean;
  skippedKeysChanged: boolean;
  keyMismatchesChanged: boolean;
  redeliveriesChanged: boolean;
  controlMessagesChanged: boolean;
  /** Whether the pages' first views are to be made again. */
  firstViewsChanged: boolean;
}

/** `config`: the store, and the rules and settings the site's files are made by; a change to them makes every day again. */
export async function refreshSiteData(projectDir: string, config: Pick<WeblogConfig, "store" | "requestClasses" | "ownTraffic" | "site">): Promise<SiteDataRefresh> {
  const store = config.store;
  const manifest = await readManifest(store);
  const days = daysOf(manifest);
  const current: CacheRecord = {
    store,
    // The columns, and the rules the derived ones follow: a changed rule makes every day again. So does
    // another dictionary of client and agent ids (rollups/value-ids.ts), made only when one was lost.
    columns: `${siteFilesSignature(config)}; ids: ${days.length > 0 ? await valueIdsGeneration(store) : ""}`,
    days: Object.fromEntries(days.map((d) => [d.day, d.version])),
    rollups: Object.fromEntries(days.map((d) => [d.day, d.rollupsVersion])),
    rollupBlocks: Object.fromEntries(rollupBlocks(days).map((b) => [b.name, b.version])),
    rejected: segmentsOfKind(manifest, "rejected").map((s) => s.file).sort().join(","),
    skippedKeys: JSON.stringify(manifest.skipped_keys ?? []),
    keyMismatches: JSON.stringify(manifest.key_mismatches ?? {objects: 0, examples: []}),
    redeliveries: JSON.stringify(summarizeRedeliveries(manifest.objects)),
    controlMessages: JSON.stringify(summarizeControlMessages(manifest.objects)),
    queries: await digestOf(QUERY_SOURCES.map((dir) => join(projectDir, dir))),
    views: createHash("sha256").update(JSON.stringify(siteTables())).digest("hex").slice(0, 16),
  };
  const cacheDir = join(projectDir, DAY_FILES_CACHE);
  const recordPath = join(cacheDir, RECORD_FILE);
  const recorded = await readFile(recordPath, "utf8").then((text) => JSON.parse(text) as CacheRecord, () => null);
  // Files made from another store, or by code that wrote other columns, are all made again.
  const sameStore = recorded?.store === store && recorded.columns === current.columns;

  const stale = new Set(Object.keys(current.days).filter((day) => !sameStore || recorded.days[day] !== current.days[day]));
  // Days that left the store (all their objects replaced by others) lose their file too.
  if (recorded) for (const day of Object.keys(recorded.days)) if (!(day in current.days)) stale.add(day);
  const staleRollups = new Set([...stale, ...Object.keys(current.rollups!).filter((day) => recorded?.rollups?.[day] !== current.rollups![day])]);
  for (const day of stale) await rm(frameworkCacheFile(projectDir, dayEventsPath(day)), {force: true});
  // A block whose days' rollups changed, or that is gone (a new month makes the month before one block), loses its files.
  if (!sameStore || !recorded.rollupBlocks) {
    for (const path of [ROLLUPS_CACHE, ROLLUPS_CACHE_BEFORE_BLOCKS]) await rm(join(projectDir, path), {recursive: true, force: true});
  } else {
    for (const [block, version] of Object.entries(recorded.rollupBlocks)) {
      if (current.rollupBlocks![block] === version) continue;
      for (const path of [`${block}.tar`, block]) await rm(join(projectDir, ROLLUPS_CACHE, path), {recursive: true, force: true});
    }
  }
  const rejectedChanged = !sameStore || recorded.rejected !== current.rejected;
  const viewsChanged = !sameStore || recorded.views !== current.views;
  const firstViewsChanged = staleRollups.size > 0 || rejectedChanged || !sameStore || recorded.queries !== current.queries || viewsChanged;
  if (firstViewsChanged) for (const path of FIRST_VIEW_CACHE) await rm(join(projectDir, path), {recursive: true, force: true});

  const now = new Date();
  // A loader's cached file goes (Framework's build runs only a missing one), and its file is touched (preview's cue).
  const makeAgain = async (loader: string) => {
    await rm(join(projectDir, DATA_CACHE, loader.replace(/\.ts$/, "")), {force: true});
    await utimes(join(projectDir, SITE_DATA_DIR, loader), now, now).catch(() => {});
  };
  if (staleRollups.size > 0 || !sameStore || viewsChanged) await makeAgain(DAYS_INDEX_LOADER);
  if (rejectedChanged) await makeAgain(REJECTED_LOADER);
  // A summary of the manifest that a loader of its own ships: made again when it changed.
  const summaryChanged = async (field: "skippedKeys" | "keyMismatches" | "redeliveries" | "controlMessages", loader: string): Promise<boolean> => {
    const changed = !sameStore || recorded[field] !== current[field];
    if (changed) await makeAgain(loader);
    return changed;
  };
  const skippedKeysChanged = await summaryChanged("skippedKeys", SKIPPED_KEYS_LOADER);
  const keyMismatchesChanged = await summaryChanged("keyMismatches", KEY_MISMATCHES_LOADER);
  const redeliveriesChanged = await summaryChanged("redeliveries", REDELIVERIES_LOADER);
  const controlMessagesChanged = await summaryChanged("controlMessages", CONTROL_MESSAGES_LOADER);
  await mkdir(cacheDir, {recursive: true});
  await writeFile(recordPath, JSON.stringify(current));
  return {days: [...stale].sort(), rollupDays: [...staleRollups].sort(), rejectedChanged, skippedKeysChanged, keyMismatchesChanged, redeliveriesChanged, controlMessagesChanged, firstViewsChanged};
}

/** The loader of every page's first view (src/data/first-view.tar.ts), which site-prepare.ts runs beside the build. */
export const FIRST_VIEWS_LOADER = "first-view.tar.ts";

/**
 * How the site's TypeScript loaders are run, the command before the loader's path: Framework's
 * interpreter for `.ts` (observablehq.config.ts), and site-prepare.ts when it runs one itself.
 */
export const TYPESCRIPT_LOADER = ["node", "--import", "tsx"];

/**
 * What the site's data was last refreshed from (the record refreshSiteData keeps: every day's
 * version, the rejected lines, the pages' queries…), as a digest: the name of first views made
 * ahead (site-prepare.ts), which any change to the store or the queries makes stale. Null before
 * the first refresh.
 */
export async function siteDataSignature(projectDir: string): Promise<string | null> {
  const record = await readFile(join(projectDir, DAY_FILES_CACHE, RECORD_FILE)).catch(() => null);
  return record === null ? null : createHash("sha256").update(record).digest("hex").slice(0, 16);
}
