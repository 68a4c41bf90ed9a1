// The site's data made beside `observable build`, not only by its loaders one after another.
// Framework runs its data loaders one at a time and waits on each, and does its own work
// (starting, reading the pages, bundling, writing dist/) on one core between them; each loader
// starts a process of its own. So a rebuild after one new object was a chain: Framework, the
// changed day's events, Framework, the changed block's rollups, Framework, every page's first
// view, Framework. `weblog build` (`npm run build`) starts `observable build` and, in the same
// moment, makes here what those loaders will ask for, in the order of the longest chain: the
// changed blocks' rollups, then the first views (made from them) beside the changed days' events.
// Each loader ships what was made, and waits for it while it is being made:
//   - a day's events go to site-prepared/ under the day's version, made under the store's lock;
//     the day's loader takes that lock too, so it waits, then takes the file
//     (site-data.ts: writeSiteParquet);
//   - a block's rollups are kept in the store as always, made under the store's lock
//     (site-data.ts: blockRollupsFiles);
//   - the first views are made by their own loader (src/data/first-view.tar.ts), run here
//     (started at once, it begins when the rollups are made), its archive kept in site-prepared/
//     under the name of what the site's data was refreshed from (site-loaders.ts:
//     siteDataSignature). The loader Framework runs waits on this work's own lock
//     (site-prepared/lock), then ships it (shipPreparedFirstViews).
// When `weblog build` brings dist/ up to date without Framework's build (built-site.ts), the days'
// events and the first views' archive go straight into Framework's cache instead, with no loader
// process to ship them (takePreparedIntoFrameworkCache).
// A loader that finds nothing made for what the store holds now (a plain `observable build`, a
// sync in between, this work failed) makes its own, as before: what is made here is what the
// loader would make, earlier, and never decides what the site shows.
import {spawn} from "node:child_process";
import {once} from "node:events";
import {createReadStream, existsSync} from "node:fs";
import {copyFile, mkdir, open, readdir, rename, rm} from "node:fs/promises";
import {dirname, join} from "node:path";
import type {Writable} from "node:stream";
import {pipeline} from "node:stream/promises";
import {timed} from "./build-timings.js";
import type {WeblogConfig} from "./config.js";
import {kindRollupsFiles, PREPARED_DIR, preparedDayFile} from "./site-data.js";
import {exportDayEvents} from "./site-day-events.js";
import {dayEventsPath, FIRST_VIEWS_LOADER, FIRST_VIEWS_PATH, frameworkCacheFile, SITE_DATA_DIR, siteDataSignature, TYPESCRIPT_LOADER, type SiteDataRefresh} from "./site-loaders.js";
import {madeAs, temporaryPathFor} from "./store/durable-file.js";
import {lockStore, type StoreLock} from "./store/lock.js";
import {duckdbApi} from "./write/duckdb.js";

/** Set for the first views' loader run here: it makes the archive rather than waiting for it. */
const PREPARING = "WEBLOG_PREPARING_FIRST_VIEWS";

/** What site-prepared/ holds besides its lock: files made for a loader, named by what they are. */
const isPreparedFile = (name: string) => name.startsWith("events.") || name.startsWith("first-views.");

/** Where the first views' archive made for the site's data as `signature` names it (siteDataSignature) goes in site-prepared/. */
const preparedFirstViews = (dir: string, signature: string) => join(dir, `first-views.${signature}.tar`);

export interface PrepareOptions {
  /** The environment the first views' loader runs in: the one Framework's loaders have. */
  env?: NodeJS.ProcessEnv;
  /** Where that loader's messages go (its stderr): this process's by default. */
  onMessages?: (text: string) => void;
  /** Called once the changed blocks' rollups are made. */
  onRollupsMade?: () => void;
}

/**
 * Makes what `refresh` (refreshSiteData, after a sync) marked to be made again, for the loaders
 * of the `observable build` running meanwhile in `projectDir` to ship.
 */
export async function prepareSiteData(projectDir: string, config: WeblogConfig, refresh: SiteDataRefresh, options: PrepareOptions = {}): Promise<void> {
  const dir = join(config.store, PREPARED_DIR);
  await mkdir(dir, {recursive: true});
  const preparing = await lockStore(dir);
  try {
    // What an earlier build made and no loader took (a build stopped half-way) is of no use now.
    for (const name of await readdir(dir)) if (isPreparedFile(name)) await rm(join(dir, name), {force: true});
    let firstViews: Promise<void> = Promise.resolve();
    // The first views' loader starts at once, so that its start (Node, its modules, DuckDB's
    // library: 0.4 s) goes by while the rollups it reads are made; it begins once they are.
    let rollupsMade = (_made: boolean) => {};
    const rollups = new Promise<boolean>((resolve) => (rollupsMade = resolve));
    const signature = await siteDataSignature(projectDir);
    // A project without the first views' loader (an analyst's own site) has none to make.
    if (refresh.firstViewsChanged && signature !== null && existsSync(join(projectDir, SITE_DATA_DIR, FIRST_VIEWS_LOADER))) {
      firstViews = madeAs(preparedFirstViews(dir, signature), (temporary) => runFirstViewsLoader(projectDir, temporary, rollups, options));
      // Its failure is thrown where it is awaited below, after the days' events are made, not as
      // an unhandled rejection while they are.
      firstViews.catch(() => {});
    }
    let store: StoreLock | null = null;
    try {
      store = await lockStore(config.store);
      // The rollups first: the first views, the longest part, are made from them, while the
      // changed days' events are exported beside them.
      await kindRollupsFiles(config, {locked: true});
      rollupsMade(true);
      options.onRollupsMade?.();
      for (const day of refresh.days) {
        const file = await preparedDayFile(config, day);
        if (file !== null) await timed("events-export", () => madeAs(file, (temporary) => exportDayEvents(config, day, temporary)));
      }
    } finally {
      // The rollups not made (the store's lock not taken, or a failure), the loader is stopped rather than left waiting.
      rollupsMade(false);
      await store?.release();
      // Whatever became of the days' events, the first views' loader that Framework runs waits for this archive, not beside it.
      await firstViews.catch(() => {});
    }
    await firstViews;
  } finally {
    await preparing.release();
  }
}

/**
 * For the first views' loader: ships the archive made ahead for the site's data as it is now
 * (waiting while it is being made) and says so, or says there is none.
 */
export async function shipPreparedFirstViews(projectDir: string, config: WeblogConfig, output: Writable): Promise<boolean> {
  const dir = join(config.store, PREPARED_DIR);
  if (process.env[PREPARING]) return waitForRollups();
  if (!existsSync(dir)) return false;
  const preparing = await lockStore(dir);
  let taken: string | null = null;
  try {
    const signature = await siteDataSignature(projectDir);
    if (signature === null) return false;
    const file = preparedFirstViews(dir, signature);
    taken = temporaryPathFor(file);
    if (!(await rename(file, taken).then(() => true, () => false))) return false;
  } finally {
    await preparing.release();
  }
  try {
    await pipeline(createReadStream(taken), output, {end: false});
  } finally {
    await rm(taken, {force: true});
  }
  return true;
}

/** The data paths (Framework's, from the root) whose outputs takePreparedIntoFrameworkCache may put there. */
export function preparedPaths(refresh: SiteDataRefresh): (path: string) => boolean {
  const days = new Set(refresh.days.map(dayEventsPath));
  const firstViews = `${FIRST_VIEWS_PATH.replace(/\.tar$/, "")}/`;
  return (path) => days.has(path) || (refresh.firstViewsChanged && path.startsWith(firstViews));
}

/**
 * Puts what prepareSiteData made for the store and the pages as they are now (the days' events,
 * the first views' archive) straight into Framework's cache, as their loaders would have: for
 * `weblog build` bringing dist/ up to date itself (built-site.ts), which then loads those paths
 * (preparedPaths) without a loader process each. Taken under the same locks as the loaders take
 * them, and only when made for the rows and pages as they are; whatever is not there is made by
 * its loader, as before.
 */
export async function takePreparedIntoFrameworkCache(projectDir: string, config: WeblogConfig, refresh: SiteDataRefresh): Promise<void> {
  const dir = join(config.store, PREPARED_DIR);
  const store = await lockStore(config.store);
  try {
    for (const day of refresh.days) {
      const file = await preparedDayFile(config, day);
      if (file !== null) await moveIfThere(file, frameworkCacheFile(projectDir, dayEventsPath(day)));
    }
  } finally {
    await store.release();
  }
  if (!refresh.firstViewsChanged) return;
  const preparing = await lockStore(dir);
  try {
    const signature = await siteDataSignature(projectDir);
    if (signature !== null) await moveIfThere(preparedFirstViews(dir, signature), frameworkCacheFile(projectDir, FIRST_VIEWS_PATH));
  } finally {
    await preparing.release();
  }
}

/** Moves `file` to `to` if it is there; across file systems (the store may be on another) as a copy made whole under a temporary name. */
async function moveIfThere(file: string, to: string): Promise<void> {
  await mkdir(dirname(to), {recursive: true});
  try {
    await rename(file, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code !== "EXDEV") throw error;
    await madeAs(to, (temporary) => copyFile(file, temporary));
    await rm(file, {force: true});
  }
}

/**
 * In the first views' loader run here (PREPARING): waits until the rollups it reads are made (its
 * standard input closed, runFirstViewsLoader), loading DuckDB's library meanwhile. False: nothing
 * is shipped, the loader makes the archive.
 */
async function waitForRollups(): Promise<false> {
  await Promise.all([once(process.stdin.resume(), "end"), duckdbApi()]);
  return false;
}

/**
 * Runs the first views' loader as Framework would (TYPESCRIPT_LOADER, with this Node), its output
 * to `file`: started at once, it waits for its standard input to close, which it does once
 * `rollups` says they are made (waitForRollups); when they are not, it is stopped.
 */
async function runFirstViewsLoader(projectDir: string, file: string, rollups: Promise<boolean>, {env = process.env, onMessages}: PrepareOptions): Promise<void> {
  const output = await open(file, "w");
  try {
    const child = spawn(process.execPath, [...TYPESCRIPT_LOADER.slice(1), join(SITE_DATA_DIR, FIRST_VIEWS_LOADER)], {
      cwd: projectDir,
      env: {...env, [PREPARING]: "1"},
      stdio: ["pipe", output.fd, onMessages ? "pipe" : "inherit"],
    });
    // A loader that ended early (it failed) has no input to close: its exit code says what happened.
    child.stdin?.on("error", () => {});
    void rollups.then((made) => (made ? child.stdin?.end() : child.kill()));
    if (onMessages) child.stderr?.on("data", (chunk: Buffer) => onMessages(chunk.toString()));
    const code = await new Promise<number | null>((done, fail) => child.on("error", fail).on("close", done));
    if (code !== 0) throw new Error(`${join(SITE_DATA_DIR, FIRST_VIEWS_LOADER)} exited with ${code}`);
  } finally {
    await output.close();
  }
}
