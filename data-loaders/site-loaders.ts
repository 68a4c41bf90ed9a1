// Keeps the site's data in step with the store, redoing only what changed. The site's data
// loaders (src/data/) read the store; Framework keeps each loader's output in its cache
// (src/.observablehq/cache/) and, in `build` and live in `preview`, runs a loader again when
// its output is missing or older than the loader's file. So after a sync:
//   - a day whose segments changed loses its cached files (data/events/<day>.parquet and
//     data/rollups/<day>.parquet), and only that day is exported again;
//   - the days index, the rejected lines, the keys not read and the key mismatches, all cheap,
//     are marked stale by touching their loader.
// What the cache was made from is recorded beside it, so a cache made from another store (the
// demo's, say), or with other columns (an upgrade that adds a rollup column), is never reused.
import {mkdir, readFile, rm, utimes, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {daysOf, siteFilesSignature} from "./site-data.js";
import {readManifest, segmentsOfKind} from "./store/manifest.js";

export const SITE_DATA_DIR = "src/data";
const DAYS_INDEX_LOADER = "event-days.json.ts";
const REJECTED_LOADER = "rejected.parquet.ts";
const SKIPPED_KEYS_LOADER = "skipped-keys.json.ts";
const KEY_MISMATCHES_LOADER = "key-mismatches.json.ts";
const DAY_FILES_CACHE = "src/.observablehq/cache/data/events";
/** Made from the same segments as the day's events file, so dropped with it. */
const DAY_ROLLUPS_CACHE = "src/.observablehq/cache/data/rollups";
const RECORD_FILE = ".weblog-store.json";

/** What the cached site data was made from. */
interface CacheRecord {
  store: string;
  /** What the code that made the files would make (site-data.ts: siteFilesSignature). */
  columns: string;
  days: Record<string, string>;
  rejected: string;
  /** The manifest's skipped_keys, as JSON. */
  skippedKeys: string;
  /** The manifest's key_mismatches, as JSON (absent in a record made before key files were read). */
  keyMismatches?: string;
}

export interface SiteDataRefresh {
  /** Days whose cached file was dropped, to be exported again. */
  days: string[];
  rejectedChanged: boolean;
  skippedKeysChanged: boolean;
  keyMismatchesChanged: boolean;
}

export async function refreshSiteData(projectDir: string, store: string): Promise<SiteDataRefresh> {
  const manifest = await readManifest(store);
  const current: CacheRecord = {
    store,
    columns: siteFilesSignature(),
    days: Object.fromEntries(daysOf(manifest).map((d) => [d.day, d.version])),
    rejected: segmentsOfKind(manifest, "rejected").map((s) => s.file).sort().join(","),
    skippedKeys: JSON.stringify(manifest.skipped_keys ?? []),
    keyMismatches: JSON.stringify(manifest.key_mismatches ?? {objects: 0, examples: []}),
  };
  const cacheDir = join(projectDir, DAY_FILES_CACHE);
  const recordPath = join(cacheDir, RECORD_FILE);
  const recorded = await readFile(recordPath, "utf8").then((text) => JSON.parse(text) as CacheRecord, () => null);
  // Files made from another store, or by code that wrote other columns, are all made again.
  const sameStore = recorded?.store === store && recorded.columns === current.columns;

  const stale = new Set(Object.keys(current.days).filter((day) => !sameStore || recorded.days[day] !== current.days[day]));
  // Days that left the store (all their objects replaced by others) lose their file too.
  if (recorded) for (const day of Object.keys(recorded.days)) if (!(day in current.days)) stale.add(day);
  for (const day of stale) {
    await rm(join(cacheDir, `${day}.parquet`), {force: true});
    await rm(join(projectDir, DAY_ROLLUPS_CACHE, `${day}.parquet`), {force: true});
  }
  const rejectedChanged = !sameStore || recorded.rejected !== current.rejected;

  const now = new Date();
  const touch = (loader: string) => utimes(join(projectDir, SITE_DATA_DIR, loader), now, now).catch(() => {});
  if (stale.size > 0 || !sameStore) await touch(DAYS_INDEX_LOADER);
  if (rejectedChanged) await touch(REJECTED_LOADER);
  const skippedKeysChanged = !sameStore || recorded.skippedKeys !== current.skippedKeys;
  if (skippedKeysChanged) await touch(SKIPPED_KEYS_LOADER);
  const keyMismatchesChanged = !sameStore || recorded.keyMismatches !== current.keyMismatches;
  if (keyMismatchesChanged) await touch(KEY_MISMATCHES_LOADER);
  await mkdir(cacheDir, {recursive: true});
  await writeFile(recordPath, JSON.stringify(current));
  return {days: [...stale].sort(), rejectedChanged, skippedKeysChanged, keyMismatchesChanged};
}
