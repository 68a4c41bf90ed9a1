// The workbook's database: DuckDB-WASM from node_modules (no CDN), with the events and the
// rejected lines as tables read straight from their Parquet files over HTTP range requests.
// A page's first view does not wait for it: the answers to the page's queries under the default
// filter are shipped, computed when the site's data was made (src/queries/, data/first-view/),
// and `query` gives them at once. DuckDB-WASM, with the rollups the page reads in its memory,
// starts when the reader reaches for a control (the filter bar, Explore's editor) and answers
// every other question (a changed filter, Explore's own SQL). It runs as two engines, each with
// the page's rollups in its own memory, so that two of a filter change's queries run at once (one
// engine on a one-core machine, or on a page past SECOND_ENGINE_BYTES of rollups). The rollups are
// read from their Parquet bytes as soon as they come, and made tables by one engine at a time
// while the other answers (keepRollupsInMemoryFor).
// Only its types here: the engine's code (240 kB, with the Arrow that reads its results) is
// imported when the database opens, after the page has drawn from its shipped answers. It and
// its worker are file attachments, not imported modules, so that Framework copies them rather
// than reading them on every build (scripts/bundle-duckdb.ts).
import type * as duckdb from "./duckdb-wasm.js";
import {FileAttachment} from "observablehq:stdlib";
import {ENGINE_SETTINGS, SUMMARY_VIEWS, summaryViewsOf} from "./contracts.js";
import * as filterBarQueries from "../queries/filter-bar.js";
import type {Query, Row} from "../queries/query.js";
import {answerKey, decodeAnswer, type ShippedFirstView} from "../queries/shipped.js";
import {warmUpFilters, whereClause} from "./event-filter.js";
import {summaryInMemory, viewInMemory} from "./instance-tables.js";
import {EngineQueue} from "./engine-queue.js";
import {isQuestion} from "./question-sql.js";
import {withInlineLiterals} from "./sql-literals.js";

/**
 * The events are one Parquet file per UTC day (src/data/events/[day].parquet.ts), listed with
 * their versions in event-days.json; the rejected lines are one file. `.href` right on the
 * attachment matters: a bare FileAttachment of a .parquet file makes Framework add parquet-wasm
 * and Arrow from jsDelivr, which the offline build cannot reach. docs/data-dictionary.md lists
 * the columns.
 */
const EVENT_DAYS = FileAttachment("../data/event-days.json");
const REJECTED = FileAttachment("../data/rejected.parquet").href;

interface EventDays {
  days: {day: string; events: number; version: string}[];
  /** The rollup kinds, one file each per block of days (data/rollups/<block>/<kind>.parquet), and the blocks in order with their versions. */
  rollupKinds: string[];
  rollupBlocks: {name: string; version: string}[];
  /** The kind each rollup view reads, from its own table rollups_<kind>. */
  rollupKindOfView: Record<string, string>;
  /**
   * The rollup views (requests_hourly, requests_by_path, …) over the rollups table: pre-aggregated
   * requests for pages that must open fast on millions of events. Each has the columns the filters
   * use (data-loaders/contracts/filter-columns.ts), so `whereClause` applies as it does to `events`. Defined
   * with the rollups, in data-loaders/site-data.ts.
   */
  rollupViews: Record<string, string>;
  /** `rollups`: every kind's rows with every rollup column, over the kinds' views rollups_<kind>. */
  allRollups: string;
  /** The events and rollups tables with their columns and no rows, for a store with no day yet. */
  empty: {events: string; rollups: string};
  /** What the rollups were counted by (data-loaders/config.ts, SiteSettings). */
  settings: {ownHosts: string[]; visitTimeoutMinutes: number};
}

/**
 * `make`'s promise, made on the first call and kept, unless it fails: the call after a failure
 * makes it again (`forget` then clears what was built on it). A download cut short or an engine
 * that could not start is one moment's failure, not the page's state until it is reloaded.
 */
function keptUnlessFailed<T>(make: () => Promise<T>, forget = () => {}): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    if (kept !== undefined) return kept;
    const made = make();
    kept = made;
    made.catch(() => {
      if (kept !== made) return;
      kept = undefined;
      forget();
    });
    return made;
  };
}

/** The days index, fetched once per page load (again after a failed fetch). */
const eventDays = keptUnlessFailed(() => EVENT_DAYS.json() as Promise<EventDays>);

/** The settings the site's rollups were counted by: the site's own hosts, the visit timeout. */
export async function siteSettings(): Promise<EventDays["settings"]> {
  return (await eventDays()).settings;
}

/**
 * Where a site data file is served: data/events/<day>.parquet, data/rollups/<block>/<kind>.parquet. The
 * built site has it there from the site's root (two levels above this module, in
 * _import/components/); the preview serves data-loader output under _file/ and marks its file
 * URLs with ?sha=. The version makes a changed file a new URL.
 */
function dataFileUrl(folder: "events" | "rollups", name: string, version: string): string {
  const inPreview = new URL(EVENT_DAYS.href, document.baseURI).searchParams.has("sha");
  const path = `${inPreview ? "_file/" : ""}data/${folder}/${name.split("/").map(encodeURIComponent).join("/")}.parquet?v=${version}`;
  return new URL(path, SITE_ROOT).href;
}

export type {Query, Row};

/** The site's root: two levels above this module (in _import/components/). */
const SITE_ROOT = new URL("../../", import.meta.url);

/**
 * This page's shipped first view: the file its <head> preloads (observablehq.config.ts names
 * data/first-view/<page>.json there, and Framework gives it a content-hashed URL), so the browser
 * has it, or is fetching it, before the page's code runs. A page with no such link has none, and
 * all its queries go to DuckDB-WASM.
 */
function firstViewUrl(): string | null {
  return document.querySelector<HTMLLinkElement>("link[rel=preload][data-first-view]")?.href ?? null;
}

let firstView: Promise<Map<string, Row[]>> | undefined;

/** The shipped answers, fetched once per page load. */
function shippedAnswers(): Promise<Map<string, Row[]>> {
  return (firstView ??= (async () => {
    let answers: Map<string, Row[]> = new Map();
    try {
      const url = firstViewUrl();
      // The request the preload made, the same in every way (mode, credentials), so it is reused.
      const response = url === null ? null : await fetch(url);
      if (response?.ok) {
        const shipped = (await response.json()) as ShippedFirstView;
        answers = new Map(Object.entries(shipped.answers).map(([key, answer]) => [key, decodeAnswer(answer)]));
      }
      return answers;
    } catch {
      return answers;
    } finally {
      // The page's own queries say which rollups a filter change will read, and warm the engine up.
      // It starts once the page has drawn its first view, so its start never delays a frame of it,
      // and the reader reaches for a control.
      const pageQueries = [...answers.keys()].map((key): Query => {
        const [sql, params] = JSON.parse(key) as [string, unknown[]];
        return {sql, params};
      });
      void Promise.all([firstViewHandedOut(), readerReachedForAControl])
        .then(() => keepRollupsInMemoryFor(pageQueries.map((q) => q.sql), {tables: true}))
        .then(() => warmUp(pageQueries))
        .catch(() => {});
    }
  })());
}

/**
 * Shipped answers are handed to the page a turn per task: the answers asked since the last turn
 * are given in a task of their own (a MessageChannel message, which the browser runs without
 * setTimeout's clamping), so the charts they complete are drawn in that task, the browser may
 * paint them before the next, and the answers those cells then ask wait for the task after.
 * All in hand at once, they resolved every cell in one task: the runtime drew all the page's
 * charts in one long task, and the first chart was painted when the last one was. A turn per
 * frame (requestAnimationFrame) was tried too: on a quiet machine it made most pages slower by a
 * frame or more per turn (docs/design-notes.md). The first turn (the answers asked before the
 * file came: the filter bar's, most often) is given at once.
 */
let turn: Promise<void> | undefined;
let turnsTaken = 0;
function nextTurn(): Promise<void> {
  return (turn ??= new Promise((resolve) => {
    const take = () => {
      turn = undefined;
      turnsTaken++;
      resolve();
    };
    if (turnsTaken === 0) queueMicrotask(take);
    else inNextTask(take);
  }));
}

const taskChannel = new MessageChannel();
const waitingForTask: (() => void)[] = [];
taskChannel.port1.onmessage = () => waitingForTask.shift()?.();

function inNextTask(callback: () => void): void {
  waitingForTask.push(callback);
  taskChannel.port2.postMessage(null);
}

function onNextFrame(callback: () => void): void {
  if (document.visibilityState === "hidden") setTimeout(callback, 0);
  else requestAnimationFrame(callback);
}

/** Resolves after a frame in which no shipped answer was asked for or handed out: the first view is drawn. */
function firstViewHandedOut(): Promise<void> {
  return new Promise((resolve) => {
    const check = (taken: number) => onNextFrame(() => (turn === undefined && turnsTaken === taken ? resolve() : check(turnsTaken)));
    check(-1);
  });
}

/**
 * What a reader about to change something touches first: in the page's main content, the filter
 * bar, a form control or its label, an editor. A table, a chart or the page's text is not one, nor
 * are the sidebar and its search: reading and moving between pages need nothing more.
 */
const CONTROLS = ":is(.filters, input, select, textarea, label, [contenteditable]):is(#observablehq-main *)";

/**
 * Resolves when the reader first reaches for a control of the page: the pointer over it, a touch,
 * or the keyboard's focus in it. Only then do DuckDB-WASM (18 MB) and the page's rollups (tens of MB at a million events, hundreds on a long
 * history) come down: a reader who only reads the page never waits for them, pays for them or
 * sees the network busy, and one who filters has them on their way between reaching for the
 * control and choosing (docs/design-notes.md, "The engine on the reader's intent"). A query the
 * page asks that was not shipped starts the engine at once.
 */
const readerReachedForAControl: Promise<void> = new Promise((resolve) => {
  const kinds = ["pointerover", "pointerdown", "touchstart", "focusin"] as const;
  const reached = (event: Event) => {
    if (!(event.target instanceof Element) || !event.target.closest(CONTROLS)) return;
    for (const kind of kinds) document.removeEventListener(kind, reached, true);
    document.documentElement.dataset.readerReachedAt = String(Math.round(performance.now()));
    resolve();
  };
  for (const kind of kinds) document.addEventListener(kind, reached, {capture: true, passive: true});
});

/**
 * How many of the page's queries each path answered, on <html data-answered-shipped
 * data-answered-duckdb>, how many DuckDB-WASM is running (data-queries-running) and when it last
 * answered one (data-last-answered-at): the tests and bench/site.ts read them.
 */
function countAnswer(by: "shipped" | "duckdb"): void {
  const attribute = by === "shipped" ? "answeredShipped" : "answeredDuckdb";
  const dataset = document.documentElement.dataset;
  dataset[attribute] = String(Number(dataset[attribute] ?? 0) + 1);
}

/** One DuckDB-WASM engine: its worker, its connection, and the rollup views it has defined and made tables. */
interface Database {
  /** Which of the page's engines it is, from 0. */
  index: number;
  db: duckdb.AsyncDuckDB;
  conn: duckdb.AsyncDuckDBConnection;
  tables: EventDays;
  /** Arrow's type ids (apache-arrow's `Type`), which rowsOf reads each result column's kind by. */
  arrowTypes: typeof duckdb.Type;
  /**
   * The rollup views defined in this engine so far: each kind's view over its files (rollups_<kind>),
   * `rollups` over every kind's, and the views the pages read (requests_hourly, …). None is defined
   * when the engine opens: a view over the files reads a footer over HTTP to learn its columns (some
   * 60 ms each, for seventeen kinds, in turn), and the views a page reads are defined over its kinds'
   * tables as they come into memory (keepRollupsInMemoryFor), so a page's queries need none of them.
   * Changed only in a step of changeViews.
   */
  definedViews: Set<string>;
  /**
   * The kinds' views (rollups_<kind>) keepRollupsInMemoryFor defined over their bytes in memory
   * until their tables are made, and no query named yet: not in definedViews, so that once the
   * tables are made each is dropped, not kept over the files.
   */
  overBuffers: Set<string>;
  /** The engine's views change one step at a time, in the order asked: a step never sees another's half done. */
  viewsChanging: Promise<void>;
  /** The rollup views made tables in this engine's memory, each with the SELECT of its rows from them (what the view now is). */
  viewsInMemory: Map<string, string>;
  /** The engine's warm-up (warmUp), once begun: settles when its last statement has answered. */
  warmingUp: Promise<void>;
}

/**
 * How many engines a page runs. DuckDB-WASM answers on one thread, so one engine answers a
 * filter change's queries one after another on one core; two, each with the page's rollups in its
 * own memory, answer two at a time (`query` gives each query to the first engine free). At 10M
 * events a redraw's queries cost 130 to 220 ms of one core on the slower pages
 * (docs/design-notes.md, "Two engines"). Never more than the cores the browser reports. The
 * second starts once the first has made its tables (startSecondEngine).
 */
const ENGINE_COUNT = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));

/**
 * The most rollups, in bytes of Parquet, a page keeps in a second engine: the second copy of the
 * tables (some sixteen times their Parquet in memory) is worth its memory on a page of up to about
 * 1.5 GB of them. On a page past it (at 30M events, the Overview, Traffic and Security), the other
 * engines are closed and the first answers alone, as it did before there were two. It was 150 MB
 * when the kinds' files were Parquet's version 1 with their ids in no order; those files are 0.6 of
 * that now (data-loaders/site-data.ts: KIND_FILE_PARQUET_VERSION), so the same rows keep a second
 * engine.
 */
const SECOND_ENGINE_BYTES = 90e6;

/** The rollups the page has fetched so far, in bytes: past SECOND_ENGINE_BYTES, one engine. */
let pageRollupBytes = 0;
let otherEnginesClosed = false;

/**
 * Closes the second engine, or has it never start. One in the queue is closed once the query it
 * runs is done, the table it is making of a kind is made (keepRollupsInMemoryFor makes no more in
 * it) and its warm-up's statement has answered (warmUp asks no more of it): a worker terminated in
 * the middle of a statement never answers it, and the page's queries, which wait for every
 * engine's tables of their kinds, waited for ever (at 30M events, every filter change of the
 * Overview); a warm-up so cut never ended. One still making its own copy (joinSecondEngine) stops
 * after the step it is on and closes itself.
 */
function closeOtherEngines(): void {
  if (otherEnginesClosed) return;
  otherEnginesClosed = true;
  document.documentElement.dataset.engines = "1";
  kindsForSecondEngine.length = 0;
  if (secondState !== "joined" || secondEngine === null) return;
  secondEngine
    .then(async (engine) => {
      await engineQueue.withdraw(engine);
      await closeWhenSettled(engine);
    })
    .catch(() => {});
}

/** Terminates `engine` once its warm-up and its views' steps are done (closeOtherEngines). */
async function closeWhenSettled(engine: Database): Promise<void> {
  await engine.warmingUp;
  await viewsSettled(engine);
  await engine.db.terminate();
}

/** Resolves once `engine` has no step of changing its views running or waiting (changeViews). */
async function viewsSettled(engine: Database): Promise<void> {
  for (let changing = engine.viewsChanging; ; changing = engine.viewsChanging) {
    await changing;
    if (changing === engine.viewsChanging) return;
  }
}

/**
 * The first engine, opened on first use and shared by every cell: the one Explore's connection
 * and its Parquet download use. One that could not start (its WebAssembly cut short, say) is
 * started again by the next question, which the queue then waits for (openEngines).
 */
const openedDatabase = keptUnlessFailed(
  () => openDatabase(0),
  () => (enginesOpen = undefined),
);

/** The second engine, once startSecondEngine has started it (null before, and for good with one core). */
let secondEngine: Promise<Database> | null = null;
/**
 * Where the second engine is: not started, joining (making the kinds its own: joinSecondEngine),
 * joined (in the queue, answering beside the first), or gone (it could not open, or closed itself
 * before joining).
 */
let secondState: "not started" | "joining" | "joined" | "gone" = "not started";
/** Settles when the second engine has joined the queue, or will not (startSecondEngine). */
let secondSettled: Promise<void> = Promise.resolve();
/** Whether a statement that changes the engines (a table an analyst makes) was asked: a second engine not yet in the queue then never joins. */
let enginesChanged = false;

/** Whether a second engine may still join: two cores or more, none closed, and it has not joined or gone. */
function secondEngineMayCome(): boolean {
  return ENGINE_COUNT > 1 && !otherEnginesClosed && (secondState === "not started" || secondState === "joining");
}

/** The engines that answer the page's questions now: the first, and the second once it has joined. */
function answeringEngines(): Promise<Database>[] {
  return secondState === "joined" && secondEngine !== null ? [openedDatabase(), secondEngine] : [openedDatabase()];
}

/**
 * Each kind brought while the second engine may still come and is not in the queue, with a copy of
 * its bytes and how the first engine holds it: the second makes each its own before it joins
 * (joinSecondEngine), in the order brought.
 */
const kindsForSecondEngine: {view: string; kind: string; buffers: Promise<Uint8Array[] | null>; inFirst: Promise<KindHeld | undefined>}[] = [];

/** Which engine runs which of the page's queries (engine-queue.ts). */
const engineQueue = new EngineQueue<Database>(inNextTask);

let enginesOpen: Promise<void> | undefined;

/**
 * The first engine open, in the queue and free to take the page's queries from then on; rejects
 * with its error when it could not open. Every query awaits this one promise before it asks for an
 * engine, so queries come to the queue in the order they were asked. The second engine starts once
 * the first has made the tables of the kinds asked so far.
 */
function openEngines(): Promise<void> {
  return (enginesOpen ??= openedDatabase().then((engine) => {
    engineQueue.add(engine);
    void tablesMaking.then(startSecondEngine);
  }));
}

/**
 * Starts the second engine (two cores or more), once: after the first has made its tables, so
 * that its start (its own 18 MB of WebAssembly), its copy of the rollups and its tables take no
 * core from the first while that one answers the reader's first filter change. With both started
 * at once, at 10M events the first change on a fresh page took 6.1–8.2 s, and 4.8–5.7 s with one
 * engine (docs/design-notes.md, "The second engine after the first's tables").
 */
function startSecondEngine(): void {
  // Once only: not when it is joining already, has joined or is gone.
  if (secondState !== "not started" || !secondEngineMayCome()) return;
  secondState = "joining";
  secondEngine = openDatabase(1);
  secondSettled = secondEngine
    .then(joinSecondEngine)
    .catch(() => {})
    .finally(() => {
      if (secondState === "joined") return;
      // The page answers with one engine: no copy is kept for a second any more.
      secondState = "gone";
      kindsForSecondEngine.length = 0;
    });
}

/**
 * Makes every kind brought so far the second engine's own (its bytes registered, its tables
 * made, as the first holds it), warms it up on the page's queries, then puts it in the queue: it
 * answers nothing until it has all of them. Closed instead when the page closed its other engines
 * (SECOND_ENGINE_BYTES) or a statement changed the engines before it joined (it would lack what
 * that statement made).
 */
async function joinSecondEngine(engine: Database): Promise<void> {
  const caughtUp = async () => {
    for (let next = kindsForSecondEngine.shift(); next !== undefined && !otherEnginesClosed; next = kindsForSecondEngine.shift()) {
      const {view, kind} = next;
      const [buffers, inFirst] = await Promise.all([next.buffers, next.inFirst]);
      // A kind the first engine could not hold is read from its files here too, once a query names it.
      if (buffers === null || inFirst === undefined || otherEnginesClosed) continue;
      const held = await changeViews(engine, () => kindReadable(engine, view, kind, buffers)).catch((error) => void noteOutOfMemory(error));
      if (held && !otherEnginesClosed) await changeViews(engine, () => kindTablesAndSummaries(engine, view, kind, held)).catch((error) => void noteOutOfMemory(error));
      // On <html>, as data-rollups-summaries is the first engine's (keepRollupsInMemoryFor).
      if (held?.summaries) document.documentElement.dataset.secondEngineSummaries = withName(document.documentElement.dataset.secondEngineSummaries, kind);
    }
  };
  await caughtUp();
  // Warmed up before it answers anything; it answers no one meanwhile, so the reader's questions do not stop it.
  engine.warmingUp = warmUpEngine(engine, pageWarmUpQueries, () => otherEnginesClosed);
  await engine.warmingUp;
  // The kinds brought meanwhile; none can come between the last check and joining (no await between them).
  while (kindsForSecondEngine.length > 0 && !otherEnginesClosed) await caughtUp();
  if (otherEnginesClosed || enginesChanged) {
    await closeWhenSettled(engine);
    return;
  }
  engineQueue.add(engine);
  secondState = "joined";
  document.documentElement.dataset.engines = "2";
}

/**
 * The engines a statement runs on. A question (isQuestion: SELECT, WITH, …) is answered by one
 * engine, the costliest of the questions waiting together first: its cost is the size of the
 * largest rollup kind it reads. Anything else (SET, CREATE TABLE, …) changes the engine it runs
 * on, so it runs on every engine, after the questions asked before it and before those asked
 * after it: a table an analyst made is there whichever engine answers the next question.
 */
async function enginesFor(sql: string): Promise<Database[]> {
  await openEngines();
  if (!isQuestion(sql)) return engineQueue.every();
  const cost = Math.max(0, ...kindsRead([sql], await eventDays()).map(([, kind]) => kindBytes.get(kind) ?? 0));
  return [await engineQueue.one(cost)];
}

/**
 * The rollup kinds `queries` read, each with its view: through the views they name, and the
 * views those read (requests_by_client joins two kinds' views).
 */
function kindsRead(queries: readonly string[], {rollupViews, rollupKindOfView}: EventDays): [view: string, kind: string][] {
  const named = Object.keys(rollupViews).filter((view) => queries.some((sql) => names(sql, view)));
  const read = [...named, ...named.map((view) => rollupViews[view])];
  return Object.entries(rollupKindOfView).filter(([view]) => read.some((sql) => names(sql, view)));
}

/** Each rollup kind's bytes, once in memory: what a query over it is reckoned to cost. */
const kindBytes = new Map<string, number>();

/**
 * The first engine's connection, with every view of the rollups defined. What a statement run on
 * it makes is in that engine only, which `query` may not ask: a table to query later is made
 * with `query`, which makes it in every engine.
 */
export async function connection(): Promise<duckdb.AsyncDuckDBConnection> {
  const opened = await openedDatabase();
  const {rollupKinds, rollupViews} = opened.tables;
  await viewsOf(["rollups", ...rollupKinds.map((kind) => `rollups_${kind}`), ...Object.keys(rollupViews)].join(" "), opened);
  return opened.conn;
}

/**
 * Runs `COPY (sql) TO … (FORMAT parquet)` inside DuckDB-WASM and returns the file's bytes: the
 * Explore page's Parquet download.
 */
export async function queryToParquet(sql: string): Promise<Uint8Array> {
  const {db, conn} = await readyFor(sql, await openedDatabase());
  const name = `result-${Date.now()}.parquet`;
  await conn.query(`COPY (${sql}) TO '${name}' (FORMAT parquet, COMPRESSION zstd)`).catch((error) => {
    throw readableQueryError(error);
  });
  try {
    return await db.copyFileToBuffer(name);
  } finally {
    await db.dropFile(name);
  }
}

/**
 * Starts engine `index` (DuckDB-WASM in a worker of its own) with the site's days and rollups
 * registered. One that could not start is stopped, its worker with it, and rejects saying so in
 * the reader's words; what failed is at the end of the message.
 */
async function openDatabase(index: number): Promise<Database> {
  let worker: Worker | undefined;
  try {
    const duckdb = (await import(FileAttachment("./duckdb-wasm.js").href)) as typeof import("./duckdb-wasm.js");
    const created = new Worker(FileAttachment("./duckdb-worker.js").href, {type: "module"});
    worker = created;
    // The worker's own error ends the start: DuckDB-WASM would wait for ever for an answer it cannot give (scripts/bundle-duckdb.ts).
    const failed = new Promise<never>((_, reject) => created.addEventListener("error", (event) => reject(new Error(event.message || "its worker failed")), {once: true}));
    // One after the start is for the queries to report, not this.
    failed.catch(() => {});
    return await Promise.race([startEngine(index, duckdb, created), failed]);
  } catch (error) {
    worker?.terminate();
    throw new Error(`the page's database could not start; the figures the page opened with stand, and changing a filter again tries once more. It said: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function startEngine(index: number, duckdb: typeof import("./duckdb-wasm.js"), worker: Worker): Promise<Database> {
  // Framework copies these files into the site (the engine from node_modules), so no request leaves it.
  const wasm = import.meta.resolve("@duckdb/duckdb-wasm/dist/duckdb-eh.wasm");
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(wasm);
  // Plain numbers and Dates in results: counts never reach 2^53, and charts want Dates.
  await db.open({query: {castBigIntToDouble: true, castTimestampToDate: true, castDecimalToDouble: true}});
  const conn = await db.connect();
  // The engine's default is to fetch a missing extension from extensions.duckdb.org. Everything
  // the workbook needs is built in; with no network a query that needs more fails at once.
  await conn.query("SET autoinstall_known_extensions = false");
  await conn.query("SET autoload_known_extensions = false");
  // As the first views were made: the pages' queries are written for these.
  for (const setting of ENGINE_SETTINGS) await conn.query(setting);
  const tables = await eventDays();
  const {days, empty} = tables;
  for (const [index, day] of days.entries()) {
    await db.registerFileURL(`events-${index}.parquet`, dataFileUrl("events", day.day, day.version), duckdb.DuckDBDataProtocol.HTTP, false);
  }
  const dayFiles = days.map((_, index) => `'events-${index}.parquet'`).join(", ");
  // No day yet (an empty bucket): the same columns, no rows, so every page still runs.
  await conn.query(`CREATE VIEW events AS ${days.length > 0 ? `SELECT * FROM read_parquet([${dayFiles}])` : empty.events}`);
  // Each rollup kind's files, read over HTTP range requests by its views until keepRollupsInMemoryFor
  // has it whole; the views are defined as queries name them (viewsOf).
  for (const kind of tables.rollupKinds) {
    for (const [index, block] of tables.rollupBlocks.entries()) {
      await db.registerFileURL(rollupFiles(tables, kind)[index], dataFileUrl("rollups", `${block.name}/${kind}`, block.version), duckdb.DuckDBDataProtocol.HTTP, false);
    }
  }
  await db.registerFileURL("rejected.parquet", new URL(REJECTED, document.baseURI).href, duckdb.DuckDBDataProtocol.HTTP, false);
  await conn.query("CREATE VIEW rejected AS SELECT * FROM read_parquet('rejected.parquet')");
  // Keep each file's footer once read.
  await conn.query("SET enable_object_cache = true");
  // The second counts once it joins the queue (joinSecondEngine).
  if (index === 0 && !otherEnginesClosed) document.documentElement.dataset.engines = "1";
  return {index, db, conn, tables, arrowTypes: duckdb.Type, definedViews: new Set(), overBuffers: new Set(), viewsChanging: Promise.resolve(), viewsInMemory: new Map(), warmingUp: Promise.resolve()};
}

/** A kind's files as registered in DuckDB-WASM, one per block of days (`suffix` names the whole copies). */
function rollupFiles(tables: EventDays, kind: string, suffix = ""): string[] {
  return tables.rollupBlocks.map((_, index) => `rollups-${kind}-${index}${suffix}.parquet`);
}

/** The suffix of a kind's whole copies in memory, beside the files read over HTTP. */
const WHOLE = "-whole";

/** A kind's rows, from its files (or their whole copies, `suffix`): what its view rollups_<kind> selects. */
function kindRowsSql(tables: EventDays, kind: string, suffix = ""): string {
  return `SELECT * FROM read_parquet([${rollupFiles(tables, kind, suffix).map((file) => `'${file}'`).join(", ")}])`;
}

/** SQL naming `name` as a whole word (`rollups` is not named by `rollups_hour`). */
const names = (sql: string, name: string) => new RegExp(`\\b${name}\\b`).test(sql);

/** Runs one step of changing `engine`'s views once the steps asked before it are done. */
function changeViews<T>(engine: Database, step: () => Promise<T>): Promise<T> {
  const done = engine.viewsChanging.then(step);
  engine.viewsChanging = done.then(
    () => {},
    () => {},
  );
  return done;
}

/**
 * What `sql` reads, ready in `engine`: the rollup kinds it reads whole in memory (a
 * download of each file at full speed is sooner than the hundreds of range requests the query
 * would make meanwhile, and a query not shipped, an analyst's page or Explore, so says which
 * rollups the page reads too), then whatever else of the rollups it names, over the files (a kind
 * that could not be had, rollups_<kind>, rollups).
 */
async function readyFor(sql: string, engine: Database): Promise<Database> {
  await keepRollupsInMemoryFor([sql]).catch(() => {});
  await viewsOf(sql, engine);
  return engine;
}

/** Defines every rollup view `sql` names that is not defined yet, over the files, with what each reads first. */
function viewsOf(sql: string, engine: Database): Promise<void> {
  const {conn, tables, definedViews, overBuffers} = engine;
  const {days, empty, rollupKinds, rollupViews, allRollups} = tables;
  // Each view's name, its SQL, and whether that reads other views (else files, or nothing).
  const definitions: [string, string, boolean][] = [
    ...rollupKinds.map((kind): [string, string, boolean] => [`rollups_${kind}`, days.length > 0 ? kindRowsSql(tables, kind) : empty.rollups, false]),
    ["rollups", allRollups, true],
    ...Object.entries(rollupViews).map(([view, select]): [string, string, boolean] => [view, select, true]),
  ];
  const define = async (text: string): Promise<void> => {
    for (const [name, select, readsViews] of definitions) {
      if (definedViews.has(name) || !names(text, name)) continue;
      // What it reads first: a kind's view, or the two views requests_by_client joins.
      if (readsViews) await define(select);
      // A kind's view over its bytes in memory (kindReadable) is there already, and is kept, on the files, once its table is made.
      if (!overBuffers.has(name)) await conn.query(`CREATE VIEW ${name} AS ${select}`);
      definedViews.add(name);
    }
  };
  return definitions.some(([name]) => !definedViews.has(name) && names(sql, name)) ? changeViews(engine, () => define(sql)) : Promise.resolve();
}

/** How far the page's rollups have come into memory: bytes fetched of those announced, and kinds not yet in. */
export interface RollupsProgress {
  fetched: number;
  /** The bytes the responses announced (Content-Length); 0 when a server announces none. */
  expected: number;
  kindsComing: number;
}

const progress: RollupsProgress = {fetched: 0, expected: 0, kindsComing: 0};
const progressListeners = new Set<(progress: RollupsProgress) => void>();
let progressReported = false;

/** Calls `listener` whenever the rollups' progress changes, at most once a frame (the filter bar shows it). */
export function onRollupsProgress(listener: (progress: RollupsProgress) => void): void {
  progressListeners.add(listener);
}

function reportProgress(): void {
  if (progressReported) return;
  progressReported = true;
  onNextFrame(() => {
    progressReported = false;
    for (const listener of progressListeners) listener({...progress});
  });
}

/** A file's bytes, read as they come so that the progress counts them. */
async function download(url: string, name: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`${name}: HTTP ${response.status}`);
  const announced = Number(response.headers.get("content-length") ?? 0);
  progress.expected += announced;
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    parts.push(part.value);
    size += part.value.byteLength;
    progress.fetched += part.value.byteLength;
    reportProgress();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

/**
 * The largest rollup kind, in bytes of Parquet, made a table in DuckDB-WASM's memory. DuckDB-WASM
 * 1.28 keeps a table uncompressed, in a tab's 3.4 GB (some ten to fourteen times its Parquet when
 * the kinds' files were Parquet's version 1 with their ids in no order): at 30M events the
 * per-visitor kind (27.8M rows, 296 MB of Parquet in row groups of 4,096 rows, about 220 MB in the
 * larger row groups) fitted as a table, and then the Security page's queries over it ran out of
 * memory. A larger kind stays as its Parquet bytes, whole in memory, and its views read them: at
 * 30M the Overview's redraw then took about twice as long, and every page worked (docs/scaling.md).
 * The limit was 170 MB with the smaller row groups; it is scaled by what the larger ones save on
 * the per-visitor and per-client kinds (a quarter and an eighth), and again by 0.6 for version 2
 * with the ids in order (data-loaders/site-data.ts: KIND_FILE_PARQUET_VERSION), so that the same
 * rows make a table. At 10M events the largest kind is about 41 MB.
 */
const LARGEST_ROLLUP_TABLE = 78e6;

/** A statement's rows as plain objects and its columns' names, as viewInMemory asks them. */
const asked = (conn: duckdb.AsyncDuckDBConnection) => async (sql: string) => {
  const table = await conn.query(sql);
  return {rows: table.toArray().map((row) => row.toJSON() as Row), columns: table.schema.fields.map((field) => field.name)};
};

/** A space-separated list of names (an attribute on <html>) with one more, in order. */
const withName = (list: string | undefined, name: string) => [...(list?.split(" ") ?? []), name].sort().join(" ");

/** Each rollup kind fetched whole into memory, or being fetched, by kind: when every engine can read it, and when every engine has made it tables. */
const rollupsInMemory = new Map<string, {readable: Promise<void>; tables: Promise<void>}>();

/** The engines' tables are made one engine at a time, in the order asked (keepRollupsInMemoryFor): each call's steps follow the last's. */
let tablesMaking: Promise<void> = Promise.resolve();

/**
 * Fetches, whole and once, each rollup kind whose view these queries read (directly, or through a
 * view over kinds' views: requests_by_client reads the client rows and their labels), and has
 * every engine read it from memory, not HTTP range requests (hundreds of them for the per-client
 * kind). Only the kinds the page asks for, once its first view is drawn and the reader reaches for
 * a control, or a query of them is asked; a query waits for them (readyFor). The downloads start
 * at once, beside the engine's own start (its 18 MB and the files it registers): neither needs
 * the other until the bytes are registered.
 *
 * A kind comes in two steps. First its bytes are registered in every engine and its views read
 * them (kindReadable): at once, and a filter change is answered from then on. Then each engine
 * makes the kind's view a table in its memory (kindTables; none past LARGEST_ROLLUP_TABLE), which
 * answers a filter change three to five times sooner than the Parquet but takes the engine's core
 * for seconds (at 10M events, the Overview's kinds some 7 s). The first engine makes its tables
 * while it answers the reader: its questions run between the tables' statements. The second starts
 * after them and makes the kinds its own before it joins the queue (startSecondEngine). A kind
 * brought once both answer is made tables by one engine after the other, the one making them held
 * from the queue (engine-queue.ts, hold), so that the other answers the reader meanwhile: side by
 * side, a filter change made early waited for the last table of both (docs/design-notes.md, "The
 * first filter change answered from the Parquet").
 *
 * On <html>, data-rollups-in-memory lists the kinds every engine has in memory in the end,
 * data-rollups-as-parquet those of them held as their Parquet (LARGEST_ROLLUP_TABLE),
 * data-rollups-by-instance those made a table per instance (instance-tables.ts), data-rollups-summaries
 * those whose summary views are tables of their own (summaryTables; data-second-engine-summaries
 * those of the second engine, joinSecondEngine), data-rollup-bytes
 * their bytes and data-rollups-loading how many are still coming; data-rollups-readable lists the
 * kinds every engine reads from memory (tests and bench/site.ts read them). Resolves when every kind
 * the queries read can be read from memory, or could not be had (its view then reads the files);
 * with `tables`, when every engine has made it what it keeps.
 */
async function keepRollupsInMemoryFor(queries: readonly string[], {tables: untilTables = false} = {}): Promise<void> {
  const engines = answeringEngines();
  // The second engine may still come (startSecondEngine): it makes the kinds its own before it joins.
  const forSecondEngine = secondEngineMayCome();
  // An engine that cannot start is reported by the queries that need it, not here.
  for (const opened of engines) opened.catch(() => {});
  const tables = await eventDays();
  for (const summary of SUMMARY_VIEWS) if (queries.some((sql) => names(sql, summary))) summariesAsked.add(summary);
  const dataset = document.documentElement.dataset;
  // Set from the first call on (the page's first view's queries), so "0" means all of them are in.
  dataset.rollupsLoading ??= "0";
  if (tables.days.length === 0) return;
  const coming: Promise<void>[] = [];
  // This call's new kinds, each with what every engine made it readable as (undefined: it could not be).
  const brought: KindBrought[] = [];
  // When every engine has made this call's kinds what it keeps (makeTablesOf, after the loop).
  let broughtMade = () => {};
  const broughtInTables = new Promise<void>((resolve) => (broughtMade = resolve));
  for (const [view, kind] of kindsRead(queries, tables)) {
    const known = rollupsInMemory.get(kind);
    if (known) {
      coming.push(untilTables ? known.tables : known.readable);
      continue;
    }
    // Downloads run side by side (every block's file of the kind), once for every engine: each
    // engine has a copy of the bytes, made before any is registered (a buffer registered moves to
    // its engine's worker and is empty here after).
    const downloaded = Promise.all(tables.rollupBlocks.map((block) => download(dataFileUrl("rollups", `${block.name}/${kind}`, block.version), `data/rollups/${block.name}/${kind}.parquet`)));
    const copies = downloaded.then((buffers) => {
      const bytes = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
      pageRollupBytes += bytes;
      if (pageRollupBytes > SECOND_ENGINE_BYTES) closeOtherEngines();
      const copy = () => (otherEnginesClosed ? null : buffers.map((buffer) => buffer.slice()));
      return {bytes, answering: engines.map((_, index) => (index === 0 ? buffers : copy())), second: forSecondEngine ? copy() : null};
    });
    dataset.rollupsLoading = String(Number(dataset.rollupsLoading) + 1);
    progress.kindsComing++;
    reportProgress();
    const readable = Promise.all(
      engines.map((opened, index) =>
        opened
          .then((engine) =>
            changeViews(engine, async () => {
              const buffers = (await copies).answering[index];
              // An engine being closed (closeOtherEngines) reads nothing more: it waits for this step to end.
              return buffers === null || (index > 0 && otherEnginesClosed) ? undefined : kindReadable(engine, view, kind, buffers);
            }),
          )
          // A kind that could not be had (its view reads the files, once a query names it) does not stop the next.
          .catch((error) => void noteOutOfMemory(error)),
      ),
    );
    const readableInEvery = readable
      .then(async ([first]) => {
        if (!first) {
          // No engine started: the kind is brought again to the one the next question starts (openedDatabase).
          const started = await engines[0].then(() => true, () => false);
          if (!started && rollupsInMemory.get(kind) === inMemory) {
            rollupsInMemory.delete(kind);
            // Fetched again then: counted once towards SECOND_ENGINE_BYTES.
            pageRollupBytes -= await copies.then((made) => made.bytes, () => 0);
          }
          return;
        }
        dataset.rollupsReadable = withName(dataset.rollupsReadable, kind);
        kindBytes.set(kind, first.size);
      })
      .finally(() => {
        progress.kindsComing--;
        reportProgress();
      });
    const tablesInEvery = broughtInTables
      .then(() => readable)
      .then(([first]) => {
        // On <html>, as the first engine holds it: the others hold the same.
        if (!first) return;
        if (first.byInstance) dataset.rollupsByInstance = withName(dataset.rollupsByInstance, kind);
        if (first.asParquet) dataset.rollupsAsParquet = withName(dataset.rollupsAsParquet, kind);
        if (first.summaries) dataset.rollupsSummaries = withName(dataset.rollupsSummaries, kind);
        dataset.rollupsInMemory = withName(dataset.rollupsInMemory, kind);
        dataset.rollupBytes = String(Number(dataset.rollupBytes ?? 0) + first.size);
      })
      .finally(() => {
        dataset.rollupsLoading = String(Number(dataset.rollupsLoading) - 1);
      });
    const inMemory = {readable: readableInEvery, tables: tablesInEvery};
    rollupsInMemory.set(kind, inMemory);
    coming.push(untilTables ? tablesInEvery : readableInEvery);
    brought.push({view, kind, readable});
    if (forSecondEngine) kindsForSecondEngine.push({view, kind, buffers: copies.then((made) => made.second), inFirst: readable.then(([first]) => first)});
  }
  if (brought.length > 0) void makeTablesOf(brought, engines).then(broughtMade);
  await Promise.all(coming);
}

/**
 * Makes the tables of `kinds` in each of `engines` (those answering when they were brought) in
 * turn, after the tables asked before; resolves when every engine is done with them. An engine
 * making them is held from the queue while another can answer; alone, its questions run between
 * the tables' statements.
 */
function makeTablesOf(kinds: KindBrought[], engines: Promise<Database>[]): Promise<void> {
  return (tablesMaking = tablesMaking
    .then(async () => {
      for (const [index, opened] of engines.entries()) {
        const engine = await opened.catch(() => null);
        if (engine === null || (index > 0 && otherEnginesClosed)) continue;
        // Held once it is in the queue (openEngines), and only while another is there to answer.
        let held = (await openEngines().then(() => engineQueue.size > 1, () => false)) && !otherEnginesClosed;
        if (held) await engineQueue.hold(engine);
        try {
          for (const {view, kind, readable} of kinds) {
            const ready = (await readable)[index];
            if (ready === undefined || (index > 0 && otherEnginesClosed)) continue;
            // The other closed meanwhile (closeOtherEngines): this one answers between the tables' statements.
            if (held && otherEnginesClosed) {
              engineQueue.done(engine);
              held = false;
            }
            // A kind that could not be made a table is still read from its bytes.
            await changeViews(engine, () => kindTablesAndSummaries(engine, view, kind, ready)).catch((error) => void noteOutOfMemory(error));
          }
        } finally {
          if (held) engineQueue.done(engine);
        }
      }
    })
    .catch(() => {}));
}

/** A kind a call of keepRollupsInMemoryFor brought, and what each engine made it readable as (undefined: it could not). */
interface KindBrought {
  view: string;
  kind: string;
  readable: Promise<(KindHeld | undefined)[]>;
}

/** How a kind is held in one engine, from its bytes registered (kindReadable) on; kindTables sets `byInstance` once its tables are made, summaryTables `summaries`. */
interface KindHeld {
  byInstance: boolean;
  asParquet: boolean;
  /** Its view has summary views (contracts/summary-views.ts), each now a table of its own. */
  summaries: boolean;
  size: number;
}

/**
 * One rollup kind's files, whole in `buffers`, registered in one engine, with the kind's view
 * (rollups_<kind>) and `view` reading them: the kind is read from memory from then on. Past
 * LARGEST_ROLLUP_TABLE it stays so; below it, kindTables makes `view` a table later.
 */
async function kindReadable(engine: Database, view: string, kind: string, buffers: Uint8Array[]): Promise<KindHeld> {
  const {db, conn, tables, definedViews, overBuffers} = engine;
  // Read before registering: a buffer moves to the worker and is empty here after.
  const size = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const wholeFiles = rollupFiles(tables, kind, WHOLE);
  for (const [index, buffer] of buffers.entries()) await db.registerFileBuffer(wholeFiles[index], buffer);
  // Each step swaps one view in a single statement, so a query running between them reads
  // the kind from the files, from the buffers or from the table, never from nothing.
  const kindView = `rollups_${kind}`;
  await conn.query(`CREATE OR REPLACE VIEW ${kindView} AS ${kindRowsSql(tables, kind, WHOLE)}`);
  await conn.query(`CREATE OR REPLACE VIEW ${view} AS ${tables.rollupViews[view]}`);
  definedViews.add(view);
  // Its summary views too (the all-days view, the one-row visitors), summing the bytes' rows until
  // summaryTables makes them tables: defined here, a question naming one would wait for the kind's
  // tables to be made (viewsOf, changeViews).
  for (const summary of summaryViewsOf(view)) {
    await conn.query(`CREATE OR REPLACE VIEW ${summary} AS ${tables.rollupViews[summary]}`);
    definedViews.add(summary);
  }
  const asParquet = size > LARGEST_ROLLUP_TABLE;
  // Too large to be a table: the kind's view stays on the whole files in memory for good.
  if (asParquet) definedViews.add(kindView);
  // Else it is there until its table is made, then back on the files if a query named it meanwhile (viewsOf), or gone.
  else if (!definedViews.has(kindView)) overBuffers.add(kindView);
  return {byInstance: false, asParquet, summaries: false, size};
}

/** `view`'s rows, read from the kind's bytes in one engine (kindReadable), made a table in its memory, and the view over it. */
async function kindTables(engine: Database, view: string, kind: string, held: KindHeld): Promise<void> {
  const {db, conn, tables, definedViews, overBuffers} = engine;
  const wholeFiles = rollupFiles(tables, kind, WHOLE);
  const inMemory = await viewInMemory(asked(conn), {select: tables.rollupViews[view], view, files: wholeFiles});
  await conn.query(`CREATE OR REPLACE VIEW ${view} AS ${inMemory.select}`);
  engine.viewsInMemory.set(view, inMemory.select);
  held.byInstance = inMemory.byInstance;
  // The kind's own view back on its files if a query had it so, else gone until one names it.
  const kindView = `rollups_${kind}`;
  overBuffers.delete(kindView);
  if (definedViews.has(kindView)) await conn.query(`CREATE OR REPLACE VIEW ${kindView} AS ${kindRowsSql(tables, kind)}`);
  else await conn.query(`DROP VIEW ${kindView}`);
  for (const file of wholeFiles) await db.dropFile(file);
}

/** What an engine keeps of a kind it holds the bytes of: its tables (unless too large: kindReadable), and its summary views' tables. */
async function kindTablesAndSummaries(engine: Database, view: string, kind: string, held: KindHeld): Promise<void> {
  if (!held.asParquet) await kindTables(engine, view, kind, held);
  await summaryTables(engine, view, held);
}

/**
 * The summary views the queries that brought rollups into memory named (keepRollupsInMemoryFor):
 * those made tables. The Overview never reads the per-visitor rows' summary, and making it is a
 * pass over all those rows (9.7 million at 10M events) in each engine, between the reader's questions.
 */
const summariesAsked = new Set<string>();

/**
 * `view`'s summary views (its rows summed into fewer: contracts/summary-views.ts) that the page's
 * queries name (summariesAsked), each made a table in one engine from the view as the engine now
 * holds it (summaryInMemory). Until then, or for a summary only a later query names, each sums
 * the view's rows at each question, the same answer more slowly.
 */
async function summaryTables(engine: Database, view: string, held: KindHeld): Promise<void> {
  const {conn, tables, definedViews, viewsInMemory} = engine;
  const summaries = summaryViewsOf(view).filter((summary) => summariesAsked.has(summary));
  for (const summary of summaries) {
    const select = await summaryInMemory(asked(conn), summary, tables.rollupViews[summary]);
    await conn.query(`CREATE OR REPLACE VIEW ${summary} AS ${select}`);
    definedViews.add(summary);
    viewsInMemory.set(summary, select);
  }
  held.summaries = summaries.length > 0;
}

/**
 * Runs one SQL statement and returns its rows as plain objects. `params` fill `?` placeholders,
 * so values the analyst picks never need quoting by hand. A query of src/queries/ (`{sql, params}`)
 * or the same text and values is answered from the page's shipped first view when it has it.
 */
export async function query<T = Row>(sqlOrQuery: string | Query, values: readonly unknown[] = []): Promise<T[]> {
  const {sql, params} = typeof sqlOrQuery === "string" ? {sql: sqlOrQuery, params: values} : sqlOrQuery;
  const shipped = (await shippedAnswers()).get(answerKey({sql, params}));
  if (shipped) {
    await nextTurn();
    countAnswer("shipped");
    return shipped as T[];
  }
  countAnswer("duckdb");
  readerAsked = true;
  if (!isQuestion(sql)) enginesChanged = true;
  const dataset = document.documentElement.dataset;
  dataset.queriesRunning = String(Number(dataset.queriesRunning ?? 0) + 1);
  const asked = performance.now();
  try {
    // The rollups it reads in memory first, then the engines: an engine waits for no download.
    await keepRollupsInMemoryFor([sql]).catch(() => {});
    const engines = await enginesFor(sql);
    const sent = performance.now();
    let table: Awaited<ReturnType<typeof run>>;
    try {
      const answers = await Promise.allSettled(
        engines.map(async (engine) => {
          await viewsOf(sql, engine);
          return run(engine.conn, {sql, params});
        }),
      );
      // Every engine ran the same statement on the same rows: the first one's answer is theirs.
      if (answers[0].status === "rejected") throw readableQueryError(answers[0].reason);
      table = answers[0].value;
    } finally {
      for (const engine of engines) engineQueue.done(engine);
    }
    const answered = performance.now();
    const rows = rowsOf<T>(table, engines[0].arrowTypes);
    recordQueryTime(sql, {engines: engines.map((engine) => engine.index), sentAt: Math.round(sent)}, {wait: sent - asked, run: answered - sent, rows: performance.now() - answered});
    return rows;
  } finally {
    dataset.queriesRunning = String(Number(dataset.queriesRunning) - 1);
    // When DuckDB-WASM last answered (performance.now()): bench/site.ts parts a redraw into the queries and the drawing.
    dataset.lastAnsweredAt = String(Math.round(performance.now()));
  }
}

/**
 * What the engine said when its memory ran out ("3.4GB/3.4GB used"), once it has: DuckDB-WASM
 * holds every table in a tab's few GB of WebAssembly memory and cannot spill to disk (at 30M
 * events of diverse traffic the Overview's rollups no longer fit: docs/scaling.md). After that,
 * other failures follow from it too (a file read over HTTP finds no room, and DuckDB reports the
 * file as damaged), so they are reported as it.
 */
let outOfMemory: string | null = null;

function noteOutOfMemory(error: unknown): boolean {
  const used = /Out of Memory Error:[^\n]*?\(([^)]*) used\)/.exec(error instanceof Error ? error.message : String(error));
  if (used !== null) outOfMemory = used[1];
  return used !== null;
}

/**
 * A query's error as a reader can act on it. DuckDB's own out-of-memory message tells a server's
 * operator to set a temporary directory, which a browser does not have.
 */
function readableQueryError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  // A question that is wrong in itself is its own error, memory or not.
  if (!noteOutOfMemory(error) && (outOfMemory === null || /^(Parser|Binder|Catalog|Conversion) Error/.test(message))) return error;
  return new Error(
    `this needs more memory than the browser's database has in this tab (${outOfMemory} in use). ` +
      "The figures the page opened with are unaffected; over a history this large, ask the store published with `weblog publish` (Athena, Spark, Databricks). " +
      `The engine said: ${message.split("\n")[0]}`,
  );
}

/** Runs a query in DuckDB-WASM and gives its Arrow table. */
async function run(conn: duckdb.AsyncDuckDBConnection, {sql, params}: Query) {
  // Plain values go in as literals: one message to the worker, not prepare, run and close.
  const inline = params.length === 0 ? sql : withInlineLiterals(sql, params);
  if (inline !== null) return conn.query(inline);
  const statement = await conn.prepare(sql);
  try {
    return await statement.query(...params);
  } finally {
    await statement.close();
  }
}

/** Whether the page has asked DuckDB-WASM a question of its own: the warm-up then stops. */
let readerAsked = false;

/**
 * Asks DuckDB-WASM each of the page's shipped queries once, answers thrown away, once the rollups
 * they read are in its memory, then once more through a filter (warmUpFiltered). The browser
 * compiles the engine's WebAssembly function by function as it first runs them (V8's lazy
 * compilation, then its optimising tier), and a query's first run paid for that: five to ten
 * times its later runs (Top talkers' clients 1.27 s, the same query ordered by bytes right after
 * it 0.07 s). A filter change then asks queries of the same shape and finds the code compiled.
 * Only queries of the rollups (in memory): one of `events` or `rejected` would read their files
 * over the network. It stops at the first question the page asks itself, which so waits for one
 * warm-up query at most. data-engine-warm on <html> says it is done ("true"), or was cut short
 * ("false").
 */
async function warmUp(queries: readonly Query[]): Promise<void> {
  pageWarmUpQueries = queries.filter((q) => !/\b(events|rejected)\b/.test(q.sql));
  const engine = await openedDatabase();
  // It stops at the reader's first question.
  engine.warmingUp = warmUpEngine(engine, pageWarmUpQueries, () => readerAsked);
  await engine.warmingUp;
  const warm = !readerAsked;
  // The second engine warms itself up before it joins (joinSecondEngine): started here at the
  // latest, the page's tables being made.
  startSecondEngine();
  await secondSettled;
  document.documentElement.dataset.engineWarm = String(warm);
}

/** The page's queries of the rollups, which warmUp warms the engines up on: the second warms up on them before it joins. */
let pageWarmUpQueries: readonly Query[] = [];

/** Asks `engine` each of `queries` once, then once more through each warm-up filter, until `stopped`. */
async function warmUpEngine(engine: Database, queries: readonly Query[], stopped: () => boolean): Promise<void> {
  for (const q of queries) {
    if (stopped()) break;
    await readyFor(q.sql, engine);
    if (stopped()) break;
    await run(engine.conn, q).catch(() => {});
  }
  await warmUpFiltered(queries, engine, stopped).catch(() => {});
}

/**
 * The page's queries once more per warm-up filter, with each view they read seen through it. A
 * filter change runs code the unfiltered round never ran: its conditions, and the sums over the
 * rows they keep (DuckDB sums a selection of a table's rows with other functions than the whole of
 * it). Without this round, the Status codes page's queries after an instance change took about
 * three times their later runs (DuckDB-WASM in Node, bench/redraw-queries.ts: 130–156 ms of CPU
 * against 43–52; 64–108 ms after this round). Each filter's round has a connection of its own, on
 * which each view is a temporary view of the same name (DuckDB looks in the connection's
 * temporary views first) over the same rows with that filter's conditions (event-filter.ts,
 * warmUpFilters): the page's own connection never sees them. data-warm-up-filtered on <html>
 * lists the views so seen. `stopped` says when to stop (the reader asked, or the engine closed).
 */
async function warmUpFiltered(queries: readonly Query[], engine: Database, stopped: () => boolean): Promise<void> {
  const {db, tables, viewsInMemory} = engine;
  for (const where of await warmUpWheres()) {
    // Checked before each round: the engine may have been closed during the one before.
    if (stopped()) break;
    const conn = await db.connect();
    try {
      const filtered: string[] = [];
      for (const view of Object.keys(tables.rollupViews).filter((view) => queries.some((q) => names(q.sql, view)))) {
        const rows = `(${viewsInMemory.get(view) ?? tables.rollupViews[view]})`;
        // A view without one of the filter's columns (client_places has no time) stays as it is.
        const made = await conn.query(`CREATE TEMP VIEW ${view} AS SELECT * FROM ${rows} ${where}`).then(
          () => true,
          () => false,
        );
        if (made) filtered.push(view);
      }
      document.documentElement.dataset.warmUpFiltered = filtered.sort().join(" ");
      for (const q of queries) {
        if (stopped()) break;
        await run(conn, q).catch(() => {});
      }
    } finally {
      await conn.close();
    }
  }
}

/** The conditions of each round of warmUpFiltered (event-filter.ts, warmUpFilters), from the filter bar's shipped answers; none when the page has none. */
async function warmUpWheres(): Promise<string[]> {
  const answers = await shippedAnswers();
  const [range] = answers.get(answerKey(filterBarQueries.dataRange)) ?? [];
  const [instance] = answers.get(answerKey(filterBarQueries.instances)) ?? [];
  if (!(range?.first instanceof Date) || !(range.last instanceof Date)) return [];
  return warmUpFilters(range.first, range.last, typeof instance?.log_stream === "string" ? instance.log_stream : null).flatMap((filter) => {
    const where = whereClause(filter);
    return withInlineLiterals(where.sql, where.params) ?? [];
  });
}

/**
 * An Arrow table as plain row objects, column by column: each column's values are read once in
 * a loop over the vector, instead of a row proxy per row whose every field is looked up again.
 * The values are the vector's own: numbers, strings, nulls; a date or timestamp (the engine casts
 * timestamps to Arrow dates) is a Date, as charts want, where Arrow gives its milliseconds.
 */
function rowsOf<T>(table: ArrowTable, types: typeof duckdb.Type): T[] {
  const rows: Row[] = Array.from({length: table.numRows}, () => ({}));
  table.schema.fields.forEach((field, index) => {
    const column = table.getChildAt(index);
    const isDate = field.type.typeId === types.Date;
    for (let i = 0; i < rows.length; i++) {
      const value = column?.get(i) ?? null;
      rows[i][field.name] = isDate && value !== null ? new Date(value as number) : value;
    }
  });
  return rows as T[];
}

/** What rowsOf reads of a query's Arrow table. */
interface ArrowTable {
  numRows: number;
  schema: {fields: {name: string; type: {typeId: number}}[]};
  getChildAt(index: number): {get(index: number): unknown} | null;
}


/**
 * Where DuckDB-WASM's time went, per query: waiting for the engines to open and for one to be
 * free (`wait`), the round trip that ran it (`run`: the worker's queue, the query, the Arrow
 * result's transfer) and making rows of it (`rows`). On <html>, data-query-ms sums each part over
 * every query so far, in milliseconds, and data-query-times lists the latest 100 queries with
 * their parts, the engines that ran them (`engines`, from 0; data-engines says how many opened)
 * and when it was sent to them (`sentAt`, performance.now()):
 * bench/site.ts prints what one filter change spent. Attributes, never HTML: the SQL holds values
 * from the logs.
 */
const queryTimes: {sql: string; engines: number[]; sentAt: number; wait: number; run: number; rows: number}[] = [];
function recordQueryTime(sql: string, {engines, sentAt}: {engines: number[]; sentAt: number}, parts: {wait: number; run: number; rows: number}): void {
  const dataset = document.documentElement.dataset;
  const sums = dataset.queryMs ? (JSON.parse(dataset.queryMs) as typeof parts) : {wait: 0, run: 0, rows: 0};
  dataset.queryMs = JSON.stringify({wait: sums.wait + parts.wait, run: sums.run + parts.run, rows: sums.rows + parts.rows});
  queryTimes.push({sql: sql.replace(/\s+/g, " ").slice(0, 120), engines, sentAt, ...parts});
  if (queryTimes.length > 100) queryTimes.shift();
  dataset.queryTimes = JSON.stringify(queryTimes);
}

/** The first row of a query, for single-number questions. */
export async function queryRow<T = Row>(sqlOrQuery: string | Query, values: readonly unknown[] = []): Promise<T> {
  const [row] = await query<T>(sqlOrQuery, values);
  return row;
}
