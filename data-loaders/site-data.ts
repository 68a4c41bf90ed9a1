// The files the site reads, made from the local store: one Parquet file of events per UTC day,
// sorted by time (so the browser reads only the row groups a time range needs), an index of
// the days, and every rejected line. A day's file is made from that day's segments alone, so a
// refresh re-exports only the days that changed (site-loaders.ts says which).
import {createHash} from "node:crypto";
import {createReadStream} from "node:fs";
import {copyFile, mkdir, readdir, rename, rm, stat} from "node:fs/promises";
import {join} from "node:path";
import {pipeline} from "node:stream/promises";
import type {Writable} from "node:stream";
import type {DuckDBConnection} from "@duckdb/node-api";
import type {SiteSettings, WeblogConfig} from "./config.js";
import {derivationSignature, SITE_EVENT_COLUMNS, withDerivedColumns} from "./derive/site-columns.js";
import {EVENT_COLUMNS, REJECTED_COLUMNS, type ColumnSpec} from "./event.js";
import {referrerKindSql, referrerPathSql} from "./rollups/referrer-kind.js";
import {durationBandSql, VISIT_REQUEST_COLUMNS, visitsOfDaySql} from "./rollups/visits.js";
import {visitorsRecountedSql} from "./rollups/visitors-recounted.js";
import {valueIdsGeneration, withAllIds} from "./rollups/value-ids.js";
import {CLIENT_PLACE_COLUMNS, withClientPlace} from "./rollups/client-place.js";
import {isTemporaryPath, temporaryPathFor} from "./store/durable-file.js";
import {lockStore} from "./store/lock.js";
import {sharedManifest, segmentsAddedSince, segmentsByDay, segmentsOfKind, summarizeControlMessages, summarizeRedeliveries, type ControlMessages, type KeyMismatches, type Manifest, type Redeliveries, type SkippedKeys} from "./store/manifest.js";
// The Security page's rules: counted ahead here with the same SQL the page describes them by.
import {suspiciousKindSql} from "./contracts/suspicious.js";
// The columns the pages filter on: every rollup row has them (the browser's code needs the list too).
import {FILTER_COLUMN_LIST, FILTER_COLUMNS} from "./contracts/filter-columns.js";
// The Performance page's duration buckets: counted here by the same SQL the page reads them back with.
import {durationBucketSql} from "./contracts/duration-buckets.js";
// The network a client address belongs to (Top talkers groups by it): found once per place here, as a label.
import {networkSql} from "./contracts/network.js";
import {ALL_DAYS_VIEWS, allDaysView} from "./contracts/all-days.js";
import {ONE_ROW_VISITORS_VIEW, PER_VISITOR_VIEW} from "./contracts/summary-views.js";
import {reportTiming, timed} from "./build-timings.js";
import {sqlFileList, sqlString, withDuckDB} from "./write/duckdb.js";
import {DEFAULT_ROW_GROUP_SIZE, EVENT_ORDER} from "./write/parquet.js";

/** events: one day's (or every) event; rollups: one day's pre-aggregated counts; rejected: every rejected line. */
export type SiteTable = "events" | "rollups" | "rejected";

export interface ExportOptions {
  /** Only this day's events (YYYY-MM-DD or "undated"); without it, every event. */
  day?: string;
  /**
   * Rollups only: an earlier file of this day's rollups. When it was made from some of the day's
   * segments as they are now, or segments merged since (segmentsAddedSince), with the same value
   * ids (the kinds and settings are in its name), its rows are kept and only what changed is
   * counted (DayRollupsMade).
   */
  earlierRollups?: string;
  /**
   * Events of one day only: the day's file as made before (every column the site's has, rows of
   * some of the day's segments), and the files of the segments added to the day since. Its rows
   * are taken as they are and only the added ones derived (site-day-events.ts).
   */
  keptEvents?: {file: string; addedFiles: string[]};
  /** The caller holds the store's lock (lockStore) and keeps it until the file is made. */
  locked?: boolean;
}

/**
 * How a day's rollups were made: `counted` from all of the day's rows; `visits` (the day's rows
 * as they were, only the days around it changed) with its visits made again and every other
 * kind kept; `added` (segments added to the day, none removed) with the added rows' counts summed
 * into the kept ones and the visits made again.
 */
export type DayRollupsMade = "counted" | "visits" | "added";

/**
 * How a day's visits were made again: `counted` from the day and the days around it; `recounted`,
 * only the visits of the visitors that the rows added since the kept file are of, taken out of
 * its rows and counted again (rollups/visitors-recounted.ts); `unchanged`, recounted and the same
 * as before, on a day whose own rows are too (DayRollupsMade "visits"): the kept file is copied.
 */
export type DayVisitsMade = "counted" | "recounted" | "unchanged";

/** A day of the store as the site sees it. */
export interface StoredDay {
  /** YYYY-MM-DD (UTC), or "undated". */
  day: string;
  events: number;
  /** Changes whenever the day's rows may have: a digest of its segments. */
  version: string;
  /**
   * Changes whenever the day's rollups may have: with its own rows, those of the days either side
   * (a visit that starts on the day goes on into the next, and may continue one of the day before).
   */
  rollupsVersion: string;
}

/**
 * The store's days as the site serves them, in order, from the manifest alone (no Parquet is
 * read): each version also changes with the site files' signature (their columns and the rules the
 * derived columns follow), so a day made under other rules is fetched again.
 */
export async function storedDays(config: Pick<WeblogConfig, "store" | "requestClasses" | "ownTraffic" | "site">): Promise<StoredDay[]> {
  const signature = siteFilesSignature(config);
  const signed = (version: string) => createHash("sha256").update(`${version} ${signature}`).digest("hex").slice(0, 16);
  const days = daysOf(await sharedManifest(config.store));
  // The rollups number clients and agents by the store's dictionary (rollups/value-ids.ts): another dictionary, other files.
  const generation = days.length > 0 ? await valueIdsGeneration(config.store) : "";
  return days.map((day) => ({...day, version: signed(day.version), rollupsVersion: signed(`${day.rollupsVersion} ids ${generation}`)}));
}

/** The store's days, each with a version that changes whenever its segments do. */
export function daysOf(manifest: Manifest): StoredDay[] {
  const byDay = segmentsByDay(manifest);
  const versionOf = (day: string | null) => {
    const segments = day === null ? undefined : byDay.get(day);
    return segments ? createHash("sha256").update(segments.map(([id]) => id).sort().join(",")).digest("hex").slice(0, 16) : "";
  };
  return [...byDay].map(([day, segments]) => ({
    day,
    events: segments.reduce((n, [, s]) => n + s.rows, 0),
    version: versionOf(day),
    rollupsVersion: createHash("sha256").update([versionOf(adjacentDay(day, -1)), versionOf(day), versionOf(adjacentDay(day, 1))].join(",")).digest("hex").slice(0, 16),
  }));
}

/** The UTC day before (-1) or after (1) a YYYY-MM-DD day; null for "undated". */
export function adjacentDay(day: string, step: -1 | 1): string | null {
  if (!isDatedDay(day)) return null;
  return new Date(Date.parse(`${day}T00:00:00Z`) + step * 86_400_000).toISOString().slice(0, 10);
}

/** What the Data quality page shows of the keys sync did not read, from the manifest alone. */
export async function skippedKeysOf(store: string): Promise<{listedFullyAt: number | null; reasons: SkippedKeys[]}> {
  const manifest = await sharedManifest(store);
  return {listedFullyAt: manifest.listed_fully_at ?? null, reasons: manifest.skipped_keys ?? []};
}

/** What the Data quality page shows of the objects whose Kafka key files do not match their records, from the manifest alone. */
export async function keyMismatchesOf(store: string): Promise<KeyMismatches> {
  return (await sharedManifest(store)).key_mismatches ?? {objects: 0, examples: []};
}

/** What the Data quality page shows of the records the bucket holds twice and the store once, from the manifest alone. */
export async function redeliveriesOf(store: string): Promise<Redeliveries> {
  return summarizeRedeliveries((await sharedManifest(store)).objects);
}

/** What the Data quality page shows of Firehose's health checks in the bucket, from the manifest alone. */
export async function controlMessagesOf(store: string): Promise<ControlMessages> {
  return summarizeControlMessages((await sharedManifest(store)).objects);
}

/** Writes a site table as one Parquet file to `output` (a loader's stdout). */
export async function writeSiteParquet(config: WeblogConfig, table: SiteTable, output: Writable, options: ExportOptions = {}): Promise<void> {
  await mkdir(join(config.store, "tmp"), {recursive: true});
  const file = temporaryPathFor(join(config.store, "tmp", "site.parquet"));
  try {
    const lock = await lockStore(config.store);
    try {
      // A day made beside the build (site-prepare.ts) for the rows the day has now is taken as it
      // is; the lock waits for one being made.
      const prepared = table === "events" && options.day !== undefined ? await preparedDayFile(config, options.day) : null;
      if (prepared === null || !(await rename(prepared, file).then(() => true, () => false))) await timed(`${table}-export`, () => exportSiteParquet(config, table, file, {...options, locked: true}));
    } finally {
      await lock.release();
    }
    await pipeline(createReadStream(file), output, {end: false});
  } finally {
    await rm(file, {force: true});
  }
}

/**
 * Where the site's files made ahead of the loaders that ship them are kept
 * (site-prepare.ts), each under a name that says what it was made from: used once, by the
 * loader, and removed.
 */
export const PREPARED_DIR = "site-prepared";

/** Where a day's events file made ahead for the day's present rows goes (its version in the name), or null when the store has no such day. */
export async function preparedDayFile(config: WeblogConfig, day: string): Promise<string | null> {
  const stored = (await storedDays(config)).find((d) => d.day === day);
  return stored ? join(config.store, PREPARED_DIR, `events.${stored.day}.${stored.version}.parquet`) : null;
}

/** Writes a site table to `file`; for rollups, says how they were made. */
export async function exportSiteParquet(config: WeblogConfig, table: SiteTable, file: string, {day, earlierRollups, keptEvents, locked = false}: ExportOptions = {}): Promise<{rollups: DayRollupsMade; visits: DayVisitsMade} | undefined> {
  // The lock keeps a concurrent sync from removing a segment between reading the manifest and the files.
  const lock = locked ? null : await lockStore(config.store);
  try {
    const manifest = await sharedManifest(config.store);
    const files = filesOf(manifest, table === "rollups" ? "events" : table, day).map((f) => join(config.store, f));
    const columns = table === "rejected" ? REJECTED_COLUMNS : EVENT_COLUMNS;
    const sourceOf = (files: string[]) => (files.length > 0 ? `read_parquet(${sqlFileList(files)})` : `(${emptyTableSql(columns)})`);
    const stored = sourceOf(files);
    const rowGroupSize = table === "rollups" ? ROLLUP_ROW_GROUP_SIZE : DEFAULT_ROW_GROUP_SIZE;
    return await withDuckDB({tempDirectory: join(config.store, "tmp")}, async (duckdb) => {
      // The site's events carry the columns derived from the configuration (request class, own traffic);
      // a day's, made from its kept file, come in order already.
      let select =
        table === "events" && keptEvents
          ? await keptWithAdded(duckdb, config, keptEvents)
          : `SELECT * FROM ${table === "events" ? await withDerivedColumns(duckdb, config, stored) : stored} ORDER BY ${table === "rejected" ? "s3_key, line_number" : EVENT_ORDER}`;
      let made: {rollups: DayRollupsMade; visits: DayVisitsMade} | undefined;
      let metadata = "";
      if (table === "rollups") {
        // What the file is made from, kept in it, so that the next file of the day can start from it.
        // Visits need the days either side of the day (rollups/visits.ts); the other kinds, the day alone.
        const around = [adjacentDay(day ?? "", -1), day, adjacentDay(day ?? "", 1)].filter((d): d is string => d !== null && d !== undefined);
        const byDay = segmentsByDay(manifest);
        const neighbourhoodSegments = around.flatMap((d) => byDay.get(d) ?? []);
        const aroundIds = neighbourhoodSegments.filter(([, s]) => s.day !== day).map(([id]) => id);
        const from: RollupsOrigin = {segments: (day === undefined ? [] : (byDay.get(day) ?? [])).map(([id]) => id), around: aroundIds, ids: await valueIdsGeneration(config.store)};
        metadata = `, KV_METADATA {segments: ${sqlString(from.segments.join(","))}, around: ${sqlString(aroundIds.join(","))}, ids: ${sqlString(from.ids)}}`;
        const earlier = earlierRollups ? await rollupsOrigin(duckdb, earlierRollups) : null;
        const added = earlier && earlier.ids === from.ids ? segmentsAddedSince(earlier.segments, from.segments, manifest.segments) : null;
        const rollupsMade: DayRollupsMade = added === null ? "counted" : added.length === 0 ? "visits" : "added";
        // The day's rows (or those added) derived before the neighbourhood: withDerivedColumns' own-traffic clients (a
        // table of the connection) are the last call's, and the neighbourhood's take in every row of the day.
        const dayRows = rollupsMade === "counted" ? await withDerivedColumns(duckdb, config, stored) : null;
        const addedRows = added && added.length > 0 ? await withDerivedColumns(duckdb, config, sourceOf(added.map((id) => join(config.store, manifest.segments[id].file)))) : null;
        const visitDay = day !== undefined && adjacentDay(day, 1) !== null ? day : null;
        // Each row with the file it came from, so that a recount of some visitors can leave out the rows added since.
        const neighbourhoodFiles = neighbourhoodSegments.map(([, s]) => join(config.store, s.file));
        const neighbourhoodRows = neighbourhoodSegments.reduce((n, [, s]) => n + s.rows, 0);
        const neighbourhood = await withDerivedColumns(duckdb, config, neighbourhoodFiles.length > 0 ? `read_parquet(${sqlFileList(neighbourhoodFiles)}, filename = true)` : sourceOf([]));
        const sources = {settings: config.site, visitDay, neighbourhood};
        // The visitors of the rows added since the kept file (on the day or either side of it): theirs are the only visits that can differ.
        const earlierAround = earlier?.around ?? null;
        const addedAround = earlierAround ? segmentsAddedSince(earlierAround, aroundIds, manifest.segments) : null;
        const recounted =
          added !== null && addedAround !== null && visitDay !== null
            ? await visitorsRecounted(duckdb, {earlierRollups: earlierRollups!, addedFiles: [...added, ...addedAround].map((id) => join(config.store, manifest.segments[id].file)), neighbourhoodRows, sources})
            : null;
        made = {rollups: rollupsMade, visits: recounted === null ? "counted" : recounted.asKept && rollupsMade === "visits" ? "unchanged" : "recounted"};
        if (made.visits === "unchanged") {
          // Its rows are the kept file's; what it records of the days around it is then older than they are, which a
          // later recount allows for: their rows added since it was made are recounted, and came out the same.
          await copyFile(earlierRollups!, file);
          return made;
        }
        // The day's rows (all of them, or those added) read and derived once, not once per kind: every kind is a GROUP BY
        // over them, with the ids of their client addresses and agent strings, the new ones numbered first. A client's
        // place is numbered too, and its text left out: the labels kind has its columns.
        const countRows = async (rows: string) => {
          const numbered = await withAllIds(duckdb, config.store, withClientPlace(rows));
          await duckdb.run(`CREATE TEMP TABLE site_day AS SELECT * EXCLUDE (client_place) FROM ${numbered}`);
        };
        if (dayRows) {
          await countRows(dayRows);
          select = rollupsSql("site_day", sources);
        } else {
          // The kinds counted from the day's rows alone are kept (with the added rows' summed in: a labels kind's rows,
          // which have no measures, come out once each); the visits, recounted for the added rows' visitors or counted again.
          const keptFile = `read_parquet(${sqlString(earlierRollups!)})`;
          const visits = recounted?.rows ?? `SELECT * FROM (${rollupsSql("site_day", sources, FILTER_COLUMNS, NEIGHBOURHOOD_KINDS)})`;
          if (addedRows) {
            await countRows(addedRows);
            await duckdb.run(`CREATE TEMP TABLE added_rollups AS ${rollupsSql("site_day", sources, FILTER_COLUMNS, DAY_KINDS)}`);
          }
          const dayKinds = addedRows ? summedRollupsSql("added_rollups", keptFile) : `SELECT * FROM ${keptFile} WHERE kind NOT IN (${NEIGHBOURHOOD_KINDS.map(sqlString).join(", ")})`;
          select = `${visits} UNION ALL SELECT * FROM (${dayKinds}) ORDER BY kind, ts`;
        }
      }
      await duckdb.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize}${metadata})`);
      return made;
    });
  } finally {
    await lock?.release();
  }
}

/**
 * A day's kept events file's rows and the added segments' rows, derived as the site's are, in the
 * site's order (EVENT_ORDER): the SELECT of them (ExportOptions.keptEvents). The kept file is in
 * that order already, so its rows earlier than the earliest added row stay as they are, in front,
 * and only the rest (usually the day's last minutes) are sorted with the added rows: sorting the
 * whole day again was most of the work (at 10M events, a day of 336,000 rows: 2.7 s and 4.2 s of
 * CPU, against 0.8 s and 1.4 s). DuckDB keeps the rows of a UNION ALL's branches in order, one
 * branch after the other, in a COPY (its documented order preservation).
 */
async function keptWithAdded(duckdb: DuckDBConnection, config: WeblogConfig, {file, addedFiles}: {file: string; addedFiles: string[]}): Promise<string> {
  const kept = `read_parquet(${sqlString(file)})`;
  if (addedFiles.length === 0) return `SELECT * FROM ${kept}`;
  await duckdb.run(`CREATE OR REPLACE TEMP TABLE added_events AS SELECT * FROM ${await withDerivedColumns(duckdb, config, `read_parquet(${sqlFileList(addedFiles)})`)}`);
  // A literal, not a subquery: a query reading two tables keeps no order.
  const [[earliest]] = (await duckdb.runAndReadAll("SELECT strftime(min(ts), '%Y-%m-%d %H:%M:%S.%f') FROM added_events")).getRows();
  const sorted = (keptRows: string) => `SELECT * FROM (SELECT * FROM ${kept} ${keptRows} UNION ALL BY NAME SELECT * FROM added_events) ORDER BY ${EVENT_ORDER}`;
  // Added rows without a time (the undated day) sort last, as NULLs do: the whole day is sorted.
  if (earliest === null) return sorted("");
  const before = `ts < TIMESTAMP ${sqlString(String(earliest))}`;
  return `SELECT * FROM ${kept} WHERE ${before} UNION ALL BY NAME (${sorted(`WHERE (${before}) IS NOT TRUE`)})`;
}

/**
 * What a day's rollups file was made from: the day's segments, those of the days either side (its
 * visits' too; null in a file made before it was recorded), and the dictionary the values were
 * numbered by.
 */
interface RollupsOrigin {
  segments: string[];
  around: string[] | null;
  ids: string;
}

/** The origin a rollups file records (exportSiteParquet), or null for a file that records none. */
async function rollupsOrigin(duckdb: DuckDBConnection, file: string): Promise<RollupsOrigin | null> {
  const rows = (await duckdb.runAndReadAll(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${sqlString(file)})`)).getRowObjectsJS();
  const value = (key: string) => rows.find((row) => row.key === key)?.value as string | undefined;
  const list = (text: string) => (text === "" ? [] : text.split(","));
  const segments = value("segments");
  const around = value("around");
  const ids = value("ids");
  return segments === undefined || ids === undefined ? null : {segments: list(segments), around: around === undefined ? null : list(around), ids};
}

/**
 * Recounting some visitors counts their visits twice (as they were, as they are): past this share
 * of the neighbourhood's rows (a day's worth of new rows, as a daily rebuild brings), counting
 * every visit once is less work.
 */
const RECOUNT_AT_MOST = 1 / 3;

/**
 * The day's visit rows with only the visitors of `addedFiles`' rows counted again
 * (rollups/visitors-recounted.ts): their visits as the kept file counted them (every row of the
 * neighbourhood but the added ones) taken out of its rows, and their visits now put in. Null when
 * those visitors' rows are a large share of the neighbourhood's (RECOUNT_AT_MOST), or a row
 * comes out unsure; the caller counts every visit again. `asKept`: their visits came out as the
 * kept file has them.
 */
async function visitorsRecounted(
  duckdb: DuckDBConnection,
  {earlierRollups, addedFiles, neighbourhoodRows, sources}: {earlierRollups: string; addedFiles: string[]; neighbourhoodRows: number; sources: RollupSources},
): Promise<{rows: string; asKept: boolean} | null> {
  // Rows can be taken away from a kind of counts and sums (the visit kind); one keeping first and last times is counted whole.
  const [kind, ...more] = NEIGHBOURHOOD_KINDS;
  const {per, times, sums = {}} = ROLLUP_KINDS[kind];
  if (more.length > 0 || per === "hour" || times) return null;
  const keptVisits = `SELECT * FROM read_parquet(${sqlString(earlierRollups)}) WHERE kind = ${sqlString(kind)}`;
  if (addedFiles.length === 0) return {rows: keptVisits, asKept: true};
  // Bots' requests make no visit: only the humans among the added rows' visitors.
  await duckdb.run(`CREATE OR REPLACE TEMP TABLE recounted_visitors AS SELECT DISTINCT client_ip, user_agent FROM read_parquet(${sqlFileList(addedFiles)}) WHERE NOT is_bot`);
  const columns = [...new Set(["ts", ...FILTER_COLUMNS.map((c) => c.name), ...VISIT_REQUEST_COLUMNS, "filename"])];
  await duckdb.run(
    `CREATE OR REPLACE TEMP TABLE recounted_rows AS SELECT ${columns.map((c) => `n.${c}`).join(", ")} FROM ${sources.neighbourhood} AS n ` +
      `SEMI JOIN recounted_visitors AS v ON n.client_ip IS NOT DISTINCT FROM v.client_ip AND n.user_agent IS NOT DISTINCT FROM v.user_agent`,
  );
  const [[rows]] = (await duckdb.runAndReadAll("SELECT count(*) FROM recounted_rows")).getRows();
  if (Number(rows) > RECOUNT_AT_MOST * neighbourhoodRows) return null;
  const visitsOf = (neighbourhood: string) => rollupsSql("recounted_rows", {...sources, neighbourhood}, FILTER_COLUMNS, NEIGHBOURHOOD_KINDS);
  const before = visitsOf(`(SELECT * FROM recounted_rows WHERE filename NOT IN (${addedFiles.map(sqlString).join(", ")}))`);
  const now = visitsOf("recounted_rows");
  const measures = new Set(MEASURE_COLUMNS.map((c) => c.name));
  const keys = ROLLUP_COLUMNS.filter((c) => !measures.has(c.name) && !isDayColumn(c.name)).map((c) => c.name);
  // Its `sums`: `visits` counts them, `bytes` is NULL where no visit logged any, the others are never NULL.
  const otherSums = Object.keys(sums).filter((c) => c !== "visits" && c !== "bytes");
  const recounted = visitorsRecountedSql(keptVisits, before, now, {keys, count: "visits", sums: otherSums, nullableSum: "bytes"});
  await duckdb.run(`CREATE OR REPLACE TEMP TABLE recounted_visits AS ${recounted}`);
  const [[unsure, changed]] = (await duckdb.runAndReadAll("SELECT count(*) FILTER (WHERE unsure), count(*) FILTER (WHERE changed) FROM recounted_visits")).getRows();
  if (Number(unsure) > 0) return null;
  const rollupColumns = ROLLUP_COLUMNS.map((c) => (c.name === "first_ts" || c.name === "last_ts" || isDayColumn(c.name) ? `NULL::${c.type} AS ${c.name}` : c.name));
  return {rows: `SELECT ${rollupColumns.join(", ")} FROM recounted_visits WHERE visits > 0`, asKept: Number(changed) === 0};
}

/** Where the store keeps each day's rollups, beside its segments; sync never touches it. */
export const ROLLUPS_DIR = "site-rollups";

/**
 * A day's rollups file, made once per version of the day (and of the rollup kinds) and kept in
 * the store: the day's rollups loader ships it, and the first views (src/data/first-view.tar.ts) read
 * every day's, so a rebuild after one new object counts only the day that changed.
 */
export async function dayRollupsFile(config: WeblogConfig, day: StoredDay, {locked = false}: {locked?: boolean} = {}): Promise<string> {
  const kinds = createHash("sha256").update(siteFilesSignature(config)).digest("hex").slice(0, 8);
  const name = `${day.day}.${day.rollupsVersion}.${kinds}.parquet`;
  const dir = join(config.store, ROLLUPS_DIR);
  const file = join(dir, name);
  if (await exists(file)) return file;
  await mkdir(dir, {recursive: true});
  // The day's file of another version, made by the same kinds: what changed since is all there is to count.
  const earlier = (await readdir(dir)).find((f) => f.startsWith(`${day.day}.`) && f.endsWith(`.${kinds}.parquet`) && !isTemporaryPath(f));
  const temporary = temporaryPathFor(file);
  try {
    const started = performance.now();
    const made = await exportSiteParquet(config, "rollups", temporary, {day: day.day, earlierRollups: earlier && join(dir, earlier), locked});
    reportTiming(made?.rollups === "counted" ? "day-rollups" : made?.rollups === "visits" ? "day-visits" : "day-added", performance.now() - started);
    await rename(temporary, file);
  } finally {
    await rm(temporary, {force: true});
  }
  // The day's older versions are no longer read by anything.
  for (const old of await readdir(dir)) if (old.startsWith(`${day.day}.`) && old !== name && !old.endsWith(".tmp")) await rm(join(dir, old), {force: true});
  return file;
}

/**
 * The days whose rollups ship together: one file per kind and block
 * (data/rollups/<block>/<kind>.parquet, from src/data/rollups/[block].tar.ts). A block is a run of
 * days that stays the same as new objects land, so a rebuild combines again only the blocks whose
 * days changed (usually the latest), and the browser fetches again only those: each month before
 * the latest one block (`2025-01`), the latest month's days 1–7, 8–14, 15–21, 22–28 and 29 on one
 * block each (`2025-02-08`: the block starting on 8 February), and the undated events one. When a
 * new month starts, the month before becomes one block, combined again once.
 */
export interface RollupBlock {
  /** `YYYY-MM`, `YYYY-MM-DD` (its first day) or `undated`: a path segment of its files. */
  name: string;
  days: StoredDay[];
  /** Changes whenever any of its days' rollups do. */
  version: string;
}

/** A store day named by its date (YYYY-MM-DD), not the undated events' UNDATED. */
function isDatedDay(day: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day);
}

/**
 * How a kind's block file is laid out besides its rows' values: only the columns its rows have
 * values in (kindColumns), the Parquet version it is written in, and each kind's order within an
 * instance and day (RollupKind.fileOrder). Part of every block's version and not of the days', so
 * a store whose kinds' files were laid out otherwise combines each block again, once (seconds),
 * without counting every day again (hours at tens of millions of events), and never ships a kind
 * whose blocks differ.
 */
function kindFileLayout(): string {
  const orders = Object.entries(ROLLUP_KINDS).flatMap(([kind, {fileOrder}]) => (fileOrder ? [`${kind} by ${fileOrder}`] : []));
  return `own columns; Parquet ${KIND_FILE_PARQUET_VERSION}; ${orders.join(", ")}`;
}

/** How many days of the latest month a block holds (the last block of a month holds the rest). */
const BLOCK_DAYS = 7;

/** The store's days in blocks (RollupBlock), in order. */
export function rollupBlocks(days: readonly StoredDay[]): RollupBlock[] {
  const dated = days.map((d) => d.day).filter(isDatedDay);
  const latestMonth = dated.length > 0 ? dated.reduce((a, b) => (a > b ? a : b)).slice(0, 7) : "";
  const blocks = new Map<string, StoredDay[]>();
  for (const day of days) {
    const name = rollupBlockOf(day.day, latestMonth);
    const block = blocks.get(name);
    if (block) block.push(day);
    else blocks.set(name, [day]);
  }
  return [...blocks]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, days]) => ({name, days, version: createHash("sha256").update(`${kindFileLayout()} ${name} ${days.map((d) => `${d.day}.${d.rollupsVersion}`).join(",")}`).digest("hex").slice(0, 16)}));
}

/** The block a day's rollups ship in, given the latest month with events (YYYY-MM). */
function rollupBlockOf(day: string, latestMonth: string): string {
  if (!isDatedDay(day)) return day;
  const month = day.slice(0, 7);
  if (month < latestMonth) return month;
  const first = Math.floor((Number(day.slice(8)) - 1) / BLOCK_DAYS) * BLOCK_DAYS + 1;
  return `${month}-${String(first).padStart(2, "0")}`;
}

/**
 * One block's rows of each rollup kind, one file per kind ordered by time: what the site ships as
 * data/rollups/<block>/<kind>.parquet, so a page fetches the kinds its queries ask and nothing
 * else, whole (src/components/workbook.ts keeps them in DuckDB-WASM's memory). Made from the
 * block's days' rollups files the store keeps (dayRollupsFile), so after one new object only that
 * day (and its neighbours, for visits) is counted again, and only its block combined again; kept
 * in the store by the block's version, so the first views and the site share one making.
 */
export async function blockRollupsFiles(config: WeblogConfig, block: RollupBlock, {locked = false}: {locked?: boolean} = {}): Promise<Map<string, string>> {
  const dir = join(config.store, ROLLUPS_DIR, KIND_FILES_DIR);
  const files = new Map(rollupKindNames().map((kind) => [kind, join(dir, `${kind}.${block.name}.${block.version}.parquet`)]));
  const missingKinds = async () => {
    const missing: string[] = [];
    for (const [kind, file] of files) if (!(await exists(file))) missing.push(kind);
    return missing;
  };
  if ((await missingKinds()).length === 0) return files;
  // Made under the store's lock, and looked for again once it is held: a block being made by
  // another process (site-prepare.ts, beside the build) is waited for, not made twice.
  const lock = locked ? null : await lockStore(config.store);
  try {
    await makeBlockRollups(config, block, files, await missingKinds());
  } finally {
    await lock?.release();
  }
  return files;
}

/** Makes the kinds' files of a block that are `missing` (the caller holds the store's lock). */
async function makeBlockRollups(config: WeblogConfig, block: RollupBlock, files: ReadonlyMap<string, string>, missing: readonly string[]): Promise<void> {
  const dir = join(config.store, ROLLUPS_DIR, KIND_FILES_DIR);
  await mkdir(dir, {recursive: true});
  if (missing.length > 0) {
    const dayFiles: string[] = [];
    for (const day of block.days) dayFiles.push(await dayRollupsFile(config, day, {locked: true}));
    await timed("combining", () =>
      withDuckDB({tempDirectory: join(config.store, "tmp")}, async (duckdb) => {
        // Each day's file is sorted by kind in small row groups, so `WHERE kind = …` reads only that kind's groups.
        const source = `read_parquet(${sqlFileList(dayFiles)})`;
        for (const kind of missing) {
          const file = files.get(kind)!;
          const temporary = temporaryPathFor(file);
          // A labels kind's rows repeat on every day the value was seen: the block keeps each once.
          const {per, by, fileOrder} = ROLLUP_KINDS[kind];
          // Only the kind's own columns: the others are NULL in its rows, and writing them took most of the time.
          const columns = kindColumns(kind).map((c) => c.name).join(", ");
          const order = fileOrder ? `${INSTANCE_COLUMN}, ${fileOrder}` : KIND_FILE_ORDER;
          const rows = per === "none" ? `SELECT DISTINCT ${columns} FROM ${source} WHERE kind = ${sqlString(kind)} ORDER BY ${Object.keys(by)[0]}` : `SELECT ${columns} FROM ${source} WHERE kind = ${sqlString(kind)} ORDER BY ${order}`;
          try {
            await duckdb.run(`COPY (${rows}) TO ${sqlString(temporary)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${KIND_FILE_ROW_GROUP_SIZE}, PARQUET_VERSION ${KIND_FILE_PARQUET_VERSION})`);
            await rename(temporary, file);
          } finally {
            await rm(temporary, {force: true});
          }
        }
      }),
    );
    // The block's files of other versions are no longer read by anything.
    const current = new Set([...files.values()].map((f) => f.slice(dir.length + 1)));
    for (const old of await readdir(dir)) if (rollupKindNames().some((kind) => old.startsWith(`${kind}.${block.name}.`)) && !current.has(old) && !old.endsWith(".tmp")) await rm(join(dir, old), {force: true});
  }
}

/**
 * Every block's files of each kind (blockRollupsFiles), in the blocks' order, by kind: what the
 * first views read. Files of blocks no longer in the store's days are removed.
 */
export async function kindRollupsFiles(config: WeblogConfig, {locked = false}: {locked?: boolean} = {}): Promise<Map<string, string[]>> {
  const byKind = new Map(rollupKindNames().map((kind) => [kind, [] as string[]]));
  const current = new Set<string>();
  for (const block of rollupBlocks(await storedDays(config))) {
    for (const [kind, file] of await blockRollupsFiles(config, block, {locked})) {
      byKind.get(kind)!.push(file);
      current.add(file);
    }
  }
  const dir = join(config.store, ROLLUPS_DIR, KIND_FILES_DIR);
  for (const old of await readdir(dir).catch(() => [] as string[])) if (!current.has(join(dir, old)) && !old.endsWith(".tmp")) await rm(join(dir, old), {force: true});
  return byKind;
}

/** Where the store keeps the per-kind rollups files, inside ROLLUPS_DIR (whose other files are per day). */
const KIND_FILES_DIR = "kinds";

/** The rollup kinds' names (ROLLUP_KINDS' keys), as data/rollups/<block>/<kind>.parquet names them. */
export function rollupKindNames(): string[] {
  return Object.keys(ROLLUP_KINDS);
}

/** The labels kinds' names (per "none"): a row per distinct label, repeated in each day and block that saw it. */
export function labelKindNames(): string[] {
  return Object.keys(ROLLUP_KINDS).filter((kind) => ROLLUP_KINDS[kind].per === "none");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function filesOf(manifest: Manifest, table: SiteTable, day: string | undefined): string[] {
  if (table === "rejected") return segmentsOfKind(manifest, "rejected").map((s) => s.file);
  if (day === undefined) return segmentsOfKind(manifest, "events").map((s) => s.file);
  return (segmentsByDay(manifest).get(day) ?? []).map(([, s]) => s.file);
}

/** What a kind counts by: NULL in the rows of the kinds that do not. */
const KEY_COLUMNS: readonly Pick<ColumnSpec, "name" | "type">[] = [
  {name: "path", type: "VARCHAR"},
  {name: "url", type: "VARCHAR"},
  {name: "error_target", type: "VARCHAR"},
  {name: "suspicious_kind", type: "VARCHAR"},
  {name: "client_ip", type: "VARCHAR"},
  // The address's network (contracts/network.ts), a label of its place.
  {name: "network", type: "VARCHAR"},
  // Exact ids of a client address, and of a client address with an agent string, the same in every
  // file (rollups/value-ids.ts): what the pages count and group clients and visitors by.
  {name: "client_id", type: "INTEGER"},
  // Exact id of a client address with its GeoLite2 place (rollups/client-place.ts): the per-client
  // rows' link to their labels.
  {name: "place_id", type: "INTEGER"},
  {name: "visitor_id", type: "INTEGER"},
  {name: "bot_id", type: "INTEGER"},
  {name: "user_agent", type: "VARCHAR"},
  {name: "referrer_host", type: "VARCHAR"},
  {name: "country", type: "VARCHAR"},
  {name: "country_code", type: "VARCHAR"},
  {name: "city", type: "VARCHAR"},
  {name: "latitude", type: "DOUBLE"},
  {name: "longitude", type: "DOUBLE"},
  {name: "asn", type: "INTEGER"},
  {name: "as_org", type: "VARCHAR"},
  {name: "browser", type: "VARCHAR"},
  {name: "os", type: "VARCHAR"},
  {name: "device_type", type: "VARCHAR"},
  {name: "bot_name", type: "VARCHAR"},
  {name: "duration_bucket", type: "INTEGER"},
  // Broken links: where the link was (rollups/referrer-kind.ts).
  {name: "referrer_kind", type: "VARCHAR"},
  {name: "referrer_path", type: "VARCHAR"},
  // Visits (rollups/visits.ts).
  {name: "entry_path", type: "VARCHAR"},
  {name: "exit_path", type: "VARCHAR"},
  {name: "bounced", type: "BOOLEAN"},
  {name: "duration_band", type: "VARCHAR"},
  {name: "duration_from", type: "INTEGER"},
];

/** What every rollup row counts. */
const MEASURE_COLUMNS: readonly Pick<ColumnSpec, "name" | "type">[] = [
  // Summed by the visit kind only (RollupKind.sums); NULL in the others' rows.
  {name: "visits", type: "BIGINT"},
  {name: "pages", type: "BIGINT"},
  {name: "seconds", type: "BIGINT"},
  {name: "requests", type: "BIGINT"},
  {name: "bytes", type: "BIGINT"},
  {name: "first_ts", type: "TIMESTAMP"},
  {name: "last_ts", type: "TIMESTAMP"},
];

/**
 * What a row says of the other rows of its kind on the same day (RollupKind.ofTheDay): counted over
 * the day's rows once they are summed, never summed themselves; NULL in the other kinds' rows.
 */
const DAY_COLUMNS: readonly Pick<ColumnSpec, "name" | "type">[] = [{name: "visitor_rows", type: "INTEGER"}];

/** The columns rollupsSql gives, in its order. */
const ROLLUP_COLUMNS: readonly Pick<ColumnSpec, "name" | "type">[] = [{name: "kind", type: "VARCHAR"}, ...FILTER_COLUMNS, ...KEY_COLUMNS, ...MEASURE_COLUMNS, ...DAY_COLUMNS];

/**
 * A day's rollups file (dayRollupsFile) holds every kind, sorted by kind, and is read one kind at a
 * time when a block's kinds are combined (blockRollupsFiles). In DuckDB's own row group size: the
 * groups' min and max of `kind` still skip most of the other kinds' rows, and groups of 4,096 rows,
 * which skipped all of them, cost more than they saved (at 10M, a block of two days: the days'
 * files written in 2.07–2.12 s against 1.61–1.65 s, and combined in 0.89–0.92 s against 0.66–0.72 s).
 */
const ROLLUP_ROW_GROUP_SIZE = 122_880;

/**
 * A kind's block file holds that kind alone, read whole by the browser and scanned by the first
 * views, so nothing is skipped by kind and small row groups only cost: each repeats its columns'
 * dictionaries and headers. DuckDB's own row group size: at 10M events the kinds' files take 164 MB
 * instead of 216 MB (the per-agent kind half its bytes), and a scan of the per-client kind over its
 * Parquet takes a third of the CPU.
 */
const KIND_FILE_ROW_GROUP_SIZE = 122_880;

/**
 * A kind's block file holds each instance's rows together, by time within it: the browser makes
 * the kind one table per instance (src/components/instance-tables.ts), so that picking an instance
 * reads only its rows, and the row groups' statistics then name the instances without a row read.
 */
const INSTANCE_COLUMN = "log_stream";
const KIND_FILE_ORDER = `${INSTANCE_COLUMN}, ts`;

/**
 * The kinds' files are written in Parquet's version 2, whose integers are delta-encoded
 * (DELTA_BINARY_PACKED) where version 1 stores them plain: ids ordered within a day (fileOrder)
 * then take a few bits a row instead of their whole width. DuckDB-WASM 1.28 (DuckDB 0.9.1)
 * reads its encodings; at 10M events the per-visitor and per-client kinds take 40% fewer bytes.
 */
const KIND_FILE_PARQUET_VERSION = "v2";

/** One kind of rollup row, and the view the pages read it through. */
export interface RollupKind {
  /** The view over the rollups that gives this kind's rows (docs/writing-pages.md lists them). */
  view: string;
  /**
   * Counts per minute, hour or day; "request" keeps each request's own time; "none" counts nothing
   * and has no time or filter columns: a labels kind, one row per distinct `by`, the strings
   * another kind's rows carry as a number.
   */
  per: "request" | "minute" | "hour" | "day" | "none";
  /** What it counts requests by, besides the filter columns: column → SQL over the events. */
  by: Record<string, string>;
  /** Only the events this condition keeps, when not all. */
  where?: string;
  /** What one row counts besides the filter columns, in words, for docs/writing-pages.md's table. */
  counts: string;
  /** Counted from the day's visits (one row per visit, rollups/visits.ts) rather than its requests. */
  of?: "visits";
  /** Columns summed besides requests and bytes (or instead of their count and sum): column → SQL aggregate. */
  sums?: Record<string, string>;
  /** Its rows keep their first and last request's time (first_ts, last_ts), as the hourly rows do. */
  times?: boolean;
  /**
   * A labels kind's columns made from its `by` columns (column → SQL over them), found once per
   * distinct row rather than once per request: what never changes for a value, worked out when
   * the rollups are made instead of at each redraw.
   */
  derived?: Record<string, string>;
  /**
   * How the kind's block file orders an instance's rows, in place of KIND_FILE_ORDER's `ts`. An
   * id column after the time, so that neighbouring rows' ids differ little and Parquet's delta
   * encoding stores them in a few bits (the per-visitor rows at 10M events: 16.5 MB a block →
   * 9.6 MB). A column before the time groups the instance's rows by it, so that a condition on
   * it skips whole row groups in the browser's tables (the per-visitor rows by `is_bot`).
   * Part of the blocks' layout (kindFileLayout), not of what the kind counts.
   */
  fileOrder?: string;
  /**
   * Columns of DAY_COLUMNS this kind's rows have: column → SQL window aggregate over the kind's
   * rows of the same day (`PARTITION BY ts, …`), counted once the day's rows are summed.
   */
  ofTheDay?: Record<string, string>;
}

/** The labels kind of the clients: a row per client address and GeoLite2 place, of every request. */
export const CLIENT_PLACE_KIND = "client_place";

const sameNames = (...columns: string[]) => Object.fromEntries(columns.map((c) => [c, c]));

/**
 * The kinds of rollup row. Every kind counts by the filter columns (FILTER_COLUMNS) and what its
 * `by` names; the other columns are NULL in its rows. Where a column is a function of another (a
 * client's place, an agent's browser, a path's request class), counting by both costs no extra rows.
 */
const ROLLUP_KINDS: Record<string, RollupKind> = {
  hour: {view: "requests_hourly", per: "hour", by: {}, counts: ""},
  path: {view: "requests_by_path", per: "day", by: sameNames("path"), counts: "path"},
  country: {view: "requests_by_country", per: "day", by: sameNames("country"), counts: "country"},
  // A client at a place, as numbers only: the kind has about a row per request with many clients,
  // and the address and place on every row were most of what the browser fetched, held and
  // aggregated. client_place labels them, a row per place; requests_by_client joins the two
  // (LABELLED_VIEWS). With each client's first and last request of the day: the Top talkers page's
  // first and last seen.
  client: {
    view: "requests_by_client_id",
    per: "day",
    by: sameNames("client_id", "place_id"),
    fileOrder: "ts, client_id",
    counts: "client IP as numbers (`client_id`: the address's, `place_id`: the address with its GeoLite2 place, labelled by `client_places`; the same in every file)",
    times: true,
  },
  // Each client's address and what GeoLite2 said of it, once per place (an address has two only
  // when GeoLite2 was updated between its requests), for the client rows of the same block.
  // With the address's network (IPv4 /24, IPv6 /48, NULL for a host name), which Top talkers
  // groups clients by: a regex and list functions over the address, once per place here rather
  // than over every client at each redraw.
  [CLIENT_PLACE_KIND]: {
    view: "client_places",
    per: "none",
    by: {place_id: "place_id", client_ip: "client_ip", client_id: "client_id", ...sameNames(...CLIENT_PLACE_COLUMNS.filter((c) => c !== "client_ip"))},
    derived: {network: networkSql("client_ip")},
    counts: "client IP with what GeoLite2 said of it (`place_id`) and its network (`network`: IPv4 /24, IPv6 /48, NULL for a host name; data-loaders/contracts/network.ts), whatever its requests",
  },
  // A bot's name by its number (`bot_id`, as the per-visitor rows carry it): a page that sums the
  // bots' requests by number names only the bots it shows from here, rather than reading the name
  // on every bot row (Security at 10M events, one instance: 27 → 11 ms a change).
  bot: {view: "bot_names", per: "none", by: sameNames("bot_id", "bot_name"), where: "bot_id IS NOT NULL", counts: "bot name with its number (`bot_id`, as in `requests_by_visitor`)"},
  // An agent string with what the parser found in it.
  agent: {view: "requests_by_agent", per: "day", by: sameNames("user_agent", "browser", "os", "device_type", "bot_name"), counts: "agent string, with what the parser found in it"},
  referrer: {view: "requests_by_referrer", per: "day", by: sameNames("referrer_host"), counts: "referrer host"},
  // A visitor is one client address with one agent string. Numbers only, no strings: the pages
  // count visitors and clients here, and the strings made this kind the largest the browser held.
  // A bot is its number too; bot_names names it.
  visitor: {
    view: "requests_by_visitor",
    per: "day",
    by: sameNames("client_id", "visitor_id", "bot_id"),
    // How many rows the visitor has that day: 1 for most (85% of the rows at 10M events; the
    // others are visitors of two instances, statuses or request classes that day). A visitor with
    // one row is one visitor whenever that row passes a filter, so a day's visitors are its rows
    // counted, and only the others' ids counted distinct (the Traffic page's visitors per day).
    ofTheDay: {visitor_rows: "count(*) OVER (PARTITION BY ts, visitor_id)"},
    // The bots' rows apart from the others': the Security page's bot questions, and any filter
    // on bots, skip the row groups of the rest (bots are 29% of an instance's rows at 10M events,
    // where the two bot questions took 50–68 ms a change instead of 62–99; the kind's files 10%
    // fewer bytes, their null bot columns in long runs). Then the rows of visitors with several
    // rows that day apart from the others': the Traffic page counts only theirs distinct
    // (`visitor_rows > 1`), and skips the row groups of the other 85%.
    fileOrder: "is_bot, visitor_rows > 1, ts, visitor_id",
    counts: "visitor: client IP × agent string, as numbers (`client_id`: the client's; `visitor_id`: the pair's; the same in every file; `visitor_rows`: how many rows the visitor has that day; `bot_id`: the bot's, named by `bot_names`)",
  },
  // Requests answered 4xx or 5xx: what was asked for (the path, or the raw request when it has
  // none) and by whom. Only error rows, so this kind stays small.
  error: {
    view: "errors_by_client",
    per: "day",
    by: {...sameNames("client_ip", "path"), error_target: "coalesce(path, url, '(no request)')", ...sameNames("country", "as_org", "bot_name")},
    where: "status >= 400",
    counts: "client IP × path (`error_target`: the path, or the raw request when it has none), for 4xx and 5xx only",
  },
  // Error answers per minute and client, for the bursts of errors a scanner draws.
  error_minute: {view: "errors_by_minute", per: "minute", by: sameNames("client_ip", "path"), where: "status >= 400", counts: "client IP × path, for 4xx and 5xx only"},
  // Requests matching one of the Security page's suspicious patterns (contracts/suspicious.ts),
  // with their own time: the page lists the newest of them.
  suspicious: {
    view: "suspicious_requests",
    per: "request",
    by: {suspicious_kind: suspiciousKindSql(), ...sameNames("client_ip", "country", "url", "user_agent")},
    where: `(${suspiciousKindSql()}) IS NOT NULL`,
    counts: "request matching a pattern of `data-loaders/contracts/suspicious.ts` (`suspicious_kind`: its name; like ones of the same second counted together)",
  },
  // Requests that logged how long they took (%D, %T), by log-spaced duration bucket
  // (contracts/duration-buckets.ts): percentiles within 2%, and the time × latency heatmap.
  latency: {
    view: "request_latency",
    per: "hour",
    by: {duration_bucket: durationBucketSql()},
    where: "duration_us IS NOT NULL",
    counts: "duration bucket (`duration_bucket`, log-spaced, data-loaders/contracts/duration-buckets.ts), for requests with a duration only",
  },
  path_latency: {
    view: "latency_by_path",
    per: "day",
    by: {path: "path", duration_bucket: durationBucketSql()},
    where: "duration_us IS NOT NULL",
    counts: "path × duration bucket, for requests with a duration only",
  },
  // Virtual hosts (%v, vhost_combined): only the requests whose format logs one.
  vhost: {view: "requests_by_vhost", per: "day", by: {}, where: "vhost IS NOT NULL", counts: "requests whose format logs a virtual host (%v; `vhost` is a filter column of every kind)"},
  // Requests answered 404 with the page that linked to them: on the site itself (referrer_kind
  // 'internal', by the configured own hosts, with the linking page's path), on another site
  // ('external', by host), or no link at all ('none').
  broken_link: {
    view: "broken_links",
    per: "day",
    by: {error_target: "coalesce(path, url, '(no request)')", ...sameNames("referrer_kind", "referrer_host", "referrer_path")},
    where: "status = 404",
    counts: "path asked for (`error_target`) × where the link was (`referrer_kind`: internal, external or none; `referrer_host`; `referrer_path` for internal ones), for 404s only",
  },
  // Visits of humans, on the day they start, with the filter columns of their first request
  // (rollups/visits.ts): `visits` is how many, `requests` and `bytes` theirs, `pages` and
  // `seconds` summed over them.
  visit: {
    view: "visits_by_day",
    per: "day",
    of: "visits",
    by: {...sameNames("entry_path", "exit_path"), bounced: "pages = 1", duration_band: durationBandSql(true), duration_from: durationBandSql(false)},
    sums: {visits: "count(*)", pages: "sum(pages)", seconds: "sum(seconds)", requests: "sum(requests)", bytes: "sum(bytes)"},
    counts: "entry page × exit page × bounced (one page) × duration band, of visits starting that day (humans only; the filter columns are the visit's first request's)",
  },
};

/**
 * Views of a kind's rows with their labels joined back on, under the name and with the columns the
 * kind had when its rows carried the strings: what an analyst's query asks, answered exactly (a
 * row per labelled row). The shipped queries name the kind's own view, aggregate its numbers and
 * join the labels to what they show.
 */
const LABELLED_VIEWS: Record<string, {rows: string; labels: string; on: string; counts: string}> = {
  requests_by_client: {rows: "client", labels: CLIENT_PLACE_KIND, on: "place_id", counts: "client IP (`client_id`: its number, the same in every file), with what GeoLite2 said of it"},
};

/** A labelled view's columns: the labels' (but the key) and the rows' own, in that order. */
function labelledViewColumns({rows, labels, on}: (typeof LABELLED_VIEWS)[string]): {fromLabels: string[]; fromRows: string[]} {
  // The labels' `by` columns, not their derived ones: the view keeps the columns the rows had when they carried the strings.
  const fromLabels = Object.keys(ROLLUP_KINDS[labels].by).filter((c) => c !== on);
  const fromRows = Object.keys(ROLLUP_KINDS[rows].by).filter((c) => c !== on && !fromLabels.includes(c));
  return {fromLabels, fromRows};
}

/** What a day's rollups are made from besides its events. */
interface RollupSources {
  /** What the site's pages count requests as (own hosts, the visit timeout). */
  settings: SiteSettings;
  /** The day whose visits to count (YYYY-MM-DD), or null for none (undated events, every day at once). */
  visitDay: string | null;
  /** The events of visitDay and the days either side of it, with the derived columns (and `filename`, the segment's file). */
  neighbourhood: string;
}

/**
 * A day's rollups: request counts pre-aggregated by the columns the pages filter on
 * (FILTER_COLUMNS), one `kind` per question the pages ask, so they read thousands of rows instead
 * of millions. `ts` is the minute, hour or day (or the request's own time), so the pages'
 * day-range filters apply unchanged; only hourly rows carry the first and last request's time.
 * `events` has the derived columns (derive/site-columns.ts).
 */
function rollupsSql(events: string, {settings, visitDay, neighbourhood}: RollupSources, filterColumns: readonly {name: string}[] = FILTER_COLUMNS, kinds = Object.keys(ROLLUP_KINDS)): string {
  const filterColumnsButTime = filterColumns.filter((c) => c.name !== "ts").map((c) => c.name);
  const sumColumns = MEASURE_COLUMNS.filter((c) => ["visits", "pages", "seconds"].includes(c.name));
  // The events with the columns that depend on the site settings.
  const requests = `(SELECT *, ${referrerKindSql(settings.ownHosts)} AS referrer_kind, ${referrerPathSql(settings.ownHosts)} AS referrer_path FROM ${events})`;
  const visitsOf = (day: string) => visitsOfDaySql(neighbourhood, day, settings.visitTimeoutMinutes, filterColumnsButTime);
  const visits = visitDay === null ? `(SELECT * FROM ${visitsOf("1970-01-01")} WHERE false)` : visitsOf(visitDay);
  const select = (kind: string, {per, by, where, of, sums = {}, times, derived = {}}: RollupKind) => {
    const keys = KEY_COLUMNS.map((c) => `${by[c.name] ?? `NULL::${c.type}`} AS ${c.name}`).join(", ");
    if (per === "none") {
      const nothing = (columns: readonly Pick<ColumnSpec, "name" | "type">[]) => columns.map((c) => `NULL::${c.type} AS ${c.name}`).join(", ");
      const filters = filterColumns.filter((c) => c.name !== "ts") as Pick<ColumnSpec, "name" | "type">[];
      // Each distinct label once, then what is derived from it: once per value, not per request.
      const labels = `(SELECT DISTINCT ${Object.entries(by).map(([c, sql]) => `${sql} AS ${c}`).join(", ")} FROM ${requests} ${where ? `WHERE ${where}` : ""})`;
      const labelKeys = KEY_COLUMNS.map((c) => `${c.name in by ? c.name : (derived[c.name] ?? `NULL::${c.type}`)} AS ${c.name}`).join(", ");
      return `SELECT '${kind}' AS kind, NULL::TIMESTAMP AS ts, ${nothing(filters)}, ${labelKeys}, ${nothing(MEASURE_COLUMNS)}, ${noDayColumns()} FROM ${labels}`;
    }
    const counts = [...sumColumns.map((c) => `${sums[c.name] ?? "NULL"}::${c.type} AS ${c.name}`), `${sums.requests ?? "count(*)"}::BIGINT AS requests`, `${sums.bytes ?? "sum(bytes)"}::BIGINT AS bytes`].join(", ");
    const range = per === "hour" || times ? "min(ts) AS first_ts, max(ts) AS last_ts" : "NULL::TIMESTAMP AS first_ts, NULL::TIMESTAMP AS last_ts";
    const time = per === "request" ? "ts" : `date_trunc('${per}', ts)`;
    const grouped =
      `SELECT '${kind}' AS kind, ${time} AS ts, ${filterColumnsButTime.join(", ")}, ${keys}, ${counts}, ${range}, ${noDayColumns()} ` +
      `FROM ${of === "visits" ? visits : requests} ${where ? `WHERE ${where}` : ""} GROUP BY ALL`;
    return withDayColumns(kind, grouped);
  };
  return kinds.map((kind) => select(kind, ROLLUP_KINDS[kind])).join(" UNION ALL ") + " ORDER BY kind, ts";
}

/** The kinds a day's rollups count from the days around it too (its visits). */
const NEIGHBOURHOOD_KINDS = Object.keys(ROLLUP_KINDS).filter((kind) => ROLLUP_KINDS[kind].of === "visits");
/**
 * The kinds counted from the day's own rows alone: each a count of requests, a sum of bytes and
 * the first and last time by its key, so the counts of two sets of rows, summed by key
 * (summedRollupsSql), are those of both sets together.
 */
const DAY_KINDS = Object.keys(ROLLUP_KINDS).filter((kind) => !NEIGHBOURHOOD_KINDS.includes(kind));

/**
 * The rollup rows of DAY_KINDS in two tables, those with the same key summed into one: requests
 * and bytes added, the first and last times kept. Kind by kind, by its own columns (kindColumns):
 * grouping by every rollup column, most of them NULL, took a third longer.
 */
function summedRollupsSql(added: string, kept: string): string {
  const measures = new Set(MEASURE_COLUMNS.map((c) => c.name));
  return DAY_KINDS.map((kind) => {
    const own = kindColumns(kind).map((c) => c.name);
    const keys = own.filter((c) => !measures.has(c) && !isDayColumn(c));
    const rows = [added, kept].map((table) => `SELECT ${own.join(", ")} FROM ${table} WHERE kind = ${sqlString(kind)}`).join(" UNION ALL ");
    const summed = ROLLUP_COLUMNS.map(({name, type}) =>
      keys.includes(name) ? name : !own.includes(name) || isDayColumn(name) ? `NULL::${type} AS ${name}` : measureSummed({name, type}),
    );
    // The day columns counted again over the summed rows, not summed.
    return withDayColumns(kind, `SELECT ${summed.join(", ")} FROM (${rows}) GROUP BY ${keys.join(", ")}`);
  }).join(" UNION ALL ");
}

const isDayColumn = (name: string) => DAY_COLUMNS.some((c) => c.name === name);

/** The day columns as NULLs, for a select in ROLLUP_COLUMNS' order. */
function noDayColumns(): string {
  return DAY_COLUMNS.map((c) => `NULL::${c.type} AS ${c.name}`).join(", ");
}

/** `rows` (one kind's, every rollup column, the day columns NULL) with the kind's day columns (ofTheDay) counted over them. */
function withDayColumns(kind: string, rows: string): string {
  const {ofTheDay} = ROLLUP_KINDS[kind];
  if (!ofTheDay) return rows;
  return `SELECT * REPLACE (${Object.entries(ofTheDay).map(([name, sql]) => `(${sql})::${DAY_COLUMNS.find((c) => c.name === name)!.type} AS ${name}`).join(", ")}) FROM (${rows})`;
}

/**
 * What the browser needs to make its tables (src/components/workbook.ts), sent with the days
 * index: each rollup view's SQL over its kind's table (`rollupKindTable`), the kind each view
 * reads, `rollups` over every kind's table, and, for a store with no day yet, the events and
 * rollups tables as queries with their columns and no rows.
 */
export function siteTables(): {
  rollupViews: Record<string, string>;
  rollupKindOfView: Record<string, string>;
  allRollups: string;
  empty: {events: string; rollups: string};
} {
  const rollupViews = Object.fromEntries(
    Object.entries(ROLLUP_KINDS).map(([kind, {view, per}]) => {
      // A labels kind: each value once, though every block that saw it has a row of it.
      if (per === "none") return [view, `SELECT DISTINCT ${labelColumns(ROLLUP_KINDS[kind]).join(", ")} FROM ${rollupKindTable(kind)}`];
      return [view, `SELECT ${countingColumns(ROLLUP_KINDS[kind]).join(", ")} FROM ${rollupKindTable(kind)}`];
    }),
  );
  // After the kinds' views, which they read.
  for (const [view, labelled] of Object.entries(LABELLED_VIEWS)) {
    const {fromLabels, fromRows} = labelledViewColumns(labelled);
    const {per, times} = ROLLUP_KINDS[labelled.rows];
    const measures = ["requests", "bytes", ...(per === "hour" || times ? ["first_ts", "last_ts"] : [])];
    const columns = [...FILTER_COLUMNS.map((c) => `counted.${c.name}`), ...fromLabels.map((c) => `labels.${c}`), ...[...fromRows, ...measures].map((c) => `counted.${c}`)];
    rollupViews[view] = `SELECT ${columns.join(", ")} FROM ${ROLLUP_KINDS[labelled.rows].view} AS counted JOIN ${ROLLUP_KINDS[labelled.labels].view} AS labels USING (${labelled.on})`;
  }
  // After the per-day views, which they sum.
  for (const view of ALL_DAYS_VIEWS) {
    const kind = Object.keys(ROLLUP_KINDS).find((name) => ROLLUP_KINDS[name].view === view);
    if (kind === undefined) throw new Error(`ALL_DAYS_VIEWS names a view no rollup kind has: ${view}`);
    rollupViews[allDaysView(view)] = allDaysSql(kind);
  }
  rollupViews[ONE_ROW_VISITORS_VIEW] = oneRowVisitorsSql();
  const rollupKindOfView = Object.fromEntries(Object.entries(ROLLUP_KINDS).map(([kind, {view}]) => [view, kind]));
  return {rollupViews, rollupKindOfView, allRollups: allRollupsSql(), empty: {events: emptyTableSql(SITE_EVENT_COLUMNS), rollups: emptyTableSql(ROLLUP_COLUMNS)}};
}

/** A measure of rows summed together: requests and bytes (and any other count) added, the first and last times kept. */
function measureSummed({name, type}: Pick<ColumnSpec, "name" | "type">): string {
  if (name === "first_ts") return "min(first_ts) AS first_ts";
  if (name === "last_ts") return "max(last_ts) AS last_ts";
  return `sum(${name})::${type} AS ${name}`;
}

/**
 * A kind's all-days view (contracts/all-days.ts): its per-day view's rows grouped by every column but
 * the day, requests and bytes (and any other sums) added, the first and last times kept. The
 * columns those of the per-day view without `ts`, in its order and of its types.
 */
function allDaysSql(kind: string): string {
  const {view, per, ofTheDay, of} = ROLLUP_KINDS[kind];
  if (per !== "day" || ofTheDay || of) throw new Error(`the rollup kind ${kind} cannot have an all-days view: its rows are not per day, or count what is not summed across days`);
  const measures = new Set(MEASURE_COLUMNS.map((c) => c.name));
  const columns = countingColumns(ROLLUP_KINDS[kind]).filter((c) => c !== "ts");
  const keys = columns.filter((c) => !measures.has(c));
  const summed = columns.map((c) => (keys.includes(c) ? c : measureSummed(MEASURE_COLUMNS.find((m) => m.name === c)!)));
  return `SELECT ${summed.join(", ")} FROM ${view} GROUP BY ${keys.join(", ")}`;
}

/** The visitors with one row that day (contracts/summary-views.ts), counted by the day and the filter columns. */
function oneRowVisitorsSql(): string {
  return `SELECT ${FILTER_COLUMN_LIST}, count(*)::BIGINT AS visitors FROM ${PER_VISITOR_VIEW} WHERE visitor_rows = 1 GROUP BY ${FILTER_COLUMN_LIST}`;
}

/** The table (or view) holding one kind's rollup rows, with every rollup column, that its view reads. */
export function rollupKindTable(kind: string): string {
  return `rollups_${kind}`;
}

/** Each rollup view as docs/writing-pages.md tables it (generated by scripts/data-dictionary.ts). */
export function rollupViewsDocumented(): {view: string; rowPer: string; columns: string[]}[] {
  const filters = FILTER_COLUMNS.filter((c) => c.name !== "ts");
  const rowPer = (per: RollupKind["per"], counts: string) => (per === "request" || per === "none" ? counts : `${per} × ${filters.map((c) => c.inWords).join(" × ")}${counts ? ` × ${counts}` : ""}`);
  const measures = (per: RollupKind["per"], times: boolean | undefined) => ["requests", "bytes", ...(per === "hour" || times ? ["first_ts", "last_ts"] : [])];
  // `ts` said with what it holds; the view's columns otherwise.
  const time = (per: RollupKind["per"]) => (per === "request" ? "ts (its time)" : `ts (the ${per})`);
  const kinds = Object.entries(ROLLUP_KINDS).map(([kind, {view, per, by, counts, derived}]) => ({
    kind,
    view,
    rowPer: rowPer(per, counts),
    columns: per === "none" ? labelColumns({by, derived}) : countingColumns(ROLLUP_KINDS[kind]).map((c) => (c === "ts" ? time(per) : c)),
  }));
  const labelled = Object.entries(LABELLED_VIEWS).map(([view, labelledView]) => {
    const rowsKind = labelledView.rows;
    const {per, times, view: rowsView} = ROLLUP_KINDS[labelledView.rows];
    const {fromLabels, fromRows} = labelledViewColumns(labelledView);
    return {
      rowsKind,
      view,
      rowPer: `${rowPer(per, labelledView.counts)} (\`${rowsView}\` joined to \`${ROLLUP_KINDS[labelledView.labels].view}\`)`,
      columns: [time(per), ...filters.map((c) => c.name), ...fromLabels, ...fromRows, ...measures(per, times)],
    };
  });
  // A kind's all-days view just after it: its rows with every day added together.
  const allDays = ({kind, view}: {kind: string; view: string}) =>
    ALL_DAYS_VIEWS.includes(view)
      ? [{view: allDaysView(view), rowPer: `every day together × ${filters.map((c) => c.inWords).join(" × ")} × ${ROLLUP_KINDS[kind].counts} (\`${view}\` summed over the days)`, columns: countingColumns(ROLLUP_KINDS[kind]).filter((c) => c !== "ts")}]
      : [];
  // The per-visitor rows' summary just after them.
  const ofVisitorRows = (view: string) =>
    view === PER_VISITOR_VIEW
      ? [{view: ONE_ROW_VISITORS_VIEW, rowPer: `day × ${filters.map((c) => c.inWords).join(" × ")}: \`visitors\`, how many visitors had that day only this one row of \`${view}\` (\`visitor_rows = 1\`)`, columns: ["ts (the day)", ...filters.map((c) => c.name), "visitors"]}]
      : [];
  // Each labelled view just before the kind whose rows it labels: the table analysts knew first.
  return kinds.flatMap(({kind, ...documented}) => [...labelled.filter((l) => l.rowsKind === kind).map(({rowsKind: _, ...l}) => l), documented, ...allDays({kind, view: documented.view}), ...ofVisitorRows(documented.view)]);
}

/**
 * The columns a kind's rows have values in, in ROLLUP_COLUMNS' order: `kind`, then a labels kind's
 * labels, or the filter columns, what it counts by, its sums and measures. The others are NULL in
 * its rows, and its block files leave them out.
 */
function kindColumns(kind: string): Pick<ColumnSpec, "name" | "type">[] {
  const {per, by, derived} = ROLLUP_KINDS[kind];
  const own = new Set(["kind", ...(per === "none" ? labelColumns({by, derived}) : countingColumns(ROLLUP_KINDS[kind]))]);
  return ROLLUP_COLUMNS.filter((c) => own.has(c.name));
}

/**
 * A counting kind's columns (per other than "none"), in the order its view gives them: the filter
 * columns, what it counts by, its sums and measures, then what its rows say of their day.
 */
function countingColumns({per, by, sums, times, ofTheDay}: RollupKind): string[] {
  const measures = ["requests", "bytes", ...(per === "hour" || times ? ["first_ts", "last_ts"] : [])];
  return [...FILTER_COLUMNS.map((c) => c.name), ...Object.keys(by), ...extraSums(sums), ...measures, ...Object.keys(ofTheDay ?? {})];
}

/** `rollups`: every kind's rows with every rollup column (NULL where the kind has none), from each kind's table. */
function allRollupsSql(): string {
  return Object.keys(ROLLUP_KINDS)
    .map((kind) => {
      const own = new Set(kindColumns(kind).map((c) => c.name));
      return `SELECT ${ROLLUP_COLUMNS.map((c) => (own.has(c.name) ? c.name : `NULL::${c.type} AS ${c.name}`)).join(", ")} FROM ${rollupKindTable(kind)}`;
    })
    .join(" UNION ALL ");
}

/** A labels kind's columns (per "none"): its `by` and derived ones, in that order. */
function labelColumns({by, derived}: Pick<RollupKind, "by" | "derived">): string[] {
  return [...Object.keys(by), ...Object.keys(derived ?? {})];
}

/** A kind's summed columns other than requests and bytes, which every view has. */
function extraSums(sums: RollupKind["sums"]): string[] {
  return Object.keys(sums ?? {}).filter((c) => c !== "requests" && c !== "bytes");
}

/**
 * Changes whenever the site's files would come out different: their columns, the rollups' kinds,
 * the configuration the derived columns are made from, or the site settings the rollups count by
 * (own hosts, the visit timeout). Never with words only: a kind's `counts` is the docs' text, and
 * rewording it must not make every day's files again (hours at tens of millions of events).
 */
export function siteFilesSignature(config: Pick<WeblogConfig, "requestClasses" | "ownTraffic" | "site">): string {
  const describe = (columns: readonly {name: string; type: string}[]) => columns.map((c) => `${c.name} ${c.type}`).join(", ");
  return `events: ${describe(SITE_EVENT_COLUMNS)}; rollups: ${describe(ROLLUP_COLUMNS)}; kinds: ${kindsSignature(ROLLUP_KINDS)}, their files ordered by ${KIND_FILE_ORDER}; derived from: ${derivationSignature(config)}; settings: ${JSON.stringify(config.site)}`;
}

/**
 * The rollup kinds as they shape the days' files: everything but the words (`counts`) for the docs
 * and the blocks' row order (`fileOrder`, in kindFileLayout), which leave every row as it was.
 */
export function kindsSignature(kinds: Readonly<Record<string, RollupKind>>): string {
  return JSON.stringify(Object.entries(kinds).map(([name, {counts: _words, fileOrder: _layout, ...shape}]) => [name, shape]));
}

/**
 * What the filter columns cost (bench/site.ts prints it): every stored day's rollups made as the
 * site makes them, and again counted by `fewer` filter columns only, as rows and ZSTD Parquet bytes.
 */
export async function rollupsCost(config: WeblogConfig, fewer: readonly {name: string}[]): Promise<{now: {rows: number; bytes: number}; fewer: {rows: number; bytes: number}}> {
  const manifest = await sharedManifest(config.store);
  const sizes = {now: {rows: 0, bytes: 0}, fewer: {rows: 0, bytes: 0}};
  await mkdir(join(config.store, "tmp"), {recursive: true});
  await withDuckDB({tempDirectory: join(config.store, "tmp")}, async (duckdb) => {
    for (const day of daysOf(manifest)) {
      const files = filesOf(manifest, "events", day.day).map((f) => join(config.store, f));
      const source = await withDerivedColumns(duckdb, config, `read_parquet(${sqlFileList(files)})`);
      for (const which of ["now", "fewer"] as const) {
        const file = temporaryPathFor(join(config.store, "tmp", "rollups-cost.parquet"));
        try {
          // Visits left out: they are counted from the days around, and cost the same either way.
          const sources = {settings: config.site, visitDay: null, neighbourhood: source};
          // Numbered as the site's rollups are, by ids made for the measurement (the store's dictionary untouched).
          const placed = withClientPlace(source);
          const numbered = await withAllIds(duckdb, null, placed);
          await duckdb.run(`COPY (${rollupsSql(numbered, sources, which === "now" ? FILTER_COLUMNS : fewer)}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROLLUP_ROW_GROUP_SIZE})`);
          const [[rows]] = (await duckdb.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(file)})`)).getRows();
          sizes[which].rows += Number(rows);
          sizes[which].bytes += (await stat(file)).size;
        } finally {
          await rm(file, {force: true});
        }
      }
    }
  });
  return sizes;
}

/** A query with the right columns and no rows: a store with nothing in it still makes a valid file. */
function emptyTableSql(columns: readonly Pick<ColumnSpec, "name" | "type">[]): string {
  return `SELECT ${columns.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(", ")} WHERE false`;
}
