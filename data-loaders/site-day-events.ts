// A day's events file for the site (data/events/<day>.parquet), made again from the one made
// before it. After one new object a day's rows are the earlier file's and the added segment's:
// only the added rows are read from the store and derived (request class, own traffic), and only
// the earlier file's rows from the earliest added row's time on are sorted again with them
// (site-data.ts, keptWithAdded), rather than every row read from its segments, derived and sorted
// again (at 10M events, a day of 336,000 rows, on one machine: 2.7 s sorting the whole day again,
// 0.8 s now; the ZSTD write remains). The file has the same rows, in the same total
// order, as the day made from its segments (its row groups may be cut elsewhere). `weblog build`
// makes the changed days this way (site-prepare.ts); a day's loader making its own, without it,
// makes it from the segments.
//
// The file made is kept in the store, linked (no copy: it is never written in place, here or where
// it is shipped) under the segments it was made from, for the store's latest days only: new
// objects land there, so the store holds a day or two of the site's events besides its own, not a
// second copy of them.
import {link, mkdir, readdir, readFile, rm} from "node:fs/promises";
import {join} from "node:path";
import type {WeblogConfig} from "./config.js";
import {exportSiteParquet, siteFilesSignature} from "./site-data.js";
import {writeFileDurably} from "./store/durable-file.js";
import {sharedManifest, segmentsAddedSince, segmentsByDay} from "./store/manifest.js";

/** Where the store keeps the latest days' events files: `<day>.<n>.parquet`, and `<day>.json` saying which and what it holds. */
export const KEPT_DAYS_DIR = "site-days";

/** How many of the store's latest dated days keep their file. */
const KEPT_DAYS = 2;

/** What `<day>.json` records of the day's kept file. */
interface KeptDay {
  /** Its name in KEPT_DAYS_DIR. */
  file: string;
  /** The store segments its rows are, all of them. */
  segments: string[];
  /** The site files' signature it was made under (its columns, the rules of the derived ones). */
  signature: string;
}

/**
 * Writes the day's events for the site to `file`: from the day's kept file and the segments added
 * since when there is one for some of the day's present segments, from every segment otherwise;
 * then keeps it, when the day is one of the store's latest. The caller holds the store's lock.
 * Whether the kept file was used.
 */
export async function exportDayEvents(config: WeblogConfig, day: string, file: string): Promise<boolean> {
  const manifest = await sharedManifest(config.store);
  const segments = segmentsByDay(manifest).get(day) ?? [];
  const ids = segments.map(([id]) => id);
  const kept = await keptDay(config, day);
  // The segments added since it was made (those merged from its own count as its own: Segment.merged_from).
  const added = kept !== null && kept.signature === siteFilesSignature(config) ? segmentsAddedSince(kept.segments, ids, manifest.segments) : null;
  const keptEvents = kept !== null && added !== null ? {file: join(config.store, KEPT_DAYS_DIR, kept.file), addedFiles: segments.filter(([id]) => added.includes(id)).map(([, s]) => join(config.store, s.file))} : undefined;
  await exportSiteParquet(config, "events", file, {day, keptEvents, locked: true});
  const latest = [...segmentsByDay(manifest).keys()].filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().slice(-KEPT_DAYS);
  await keepDays(config, latest.includes(day) ? {day, file, segments: ids} : null, latest);
  return keptEvents !== undefined;
}

/** The day's kept file as `<day>.json` records it, or null (none, or a record whose file is gone). */
async function keptDay(config: WeblogConfig, day: string): Promise<KeptDay | null> {
  const dir = join(config.store, KEPT_DAYS_DIR);
  const record = await readFile(join(dir, `${day}.json`), "utf8").catch(() => null);
  if (record === null) return null;
  const kept = JSON.parse(record) as KeptDay;
  return (await readdir(dir)).includes(kept.file) ? kept : null;
}

/**
 * Keeps `made` (a day's file just made, with its segments) in place of the day's earlier one, and
 * removes the files and records of every day but the `latest`.
 */
async function keepDays(config: WeblogConfig, made: {day: string; file: string; segments: string[]} | null, latest: readonly string[]): Promise<void> {
  const dir = join(config.store, KEPT_DAYS_DIR);
  await mkdir(dir, {recursive: true});
  if (made !== null) {
    // A new name for every file, so that a record never names a file being replaced.
    const name = `${made.day}.${Date.now()}.parquet`;
    await rmAll(dir, (entry) => entry.startsWith(`${made.day}.`) && entry.endsWith(".parquet"));
    await link(made.file, join(dir, name));
    const record: KeptDay = {file: name, segments: made.segments, signature: siteFilesSignature(config)};
    await writeFileDurably(join(dir, `${made.day}.json`), JSON.stringify(record));
  }
  await rmAll(dir, (entry) => !latest.some((day) => entry.startsWith(`${day}.`)));
}

async function rmAll(dir: string, which: (entry: string) => boolean): Promise<void> {
  for (const entry of await readdir(dir)) if (which(entry)) await rm(join(dir, entry), {force: true});
}
