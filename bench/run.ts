// `npm run bench`: the figures issue #2 asks for, printed for people to read (nothing asserts a time).
//   1. lines/s through the whole pipeline minus the network: S3 sink records → parse → enrich → Parquet;
//   2. the same log through GoAccess (when installed) for comparison;
//   3. bytes of Parquet per event;
//   4. time from navigation to the first chart in Chromium (when the sample site can be built).
// Input: the 10,000 real lines of ../shared/data/real-logs repeated with their times shifted, so the
// IPs and agents repeat the way a real site's do. BENCH_LINES sets the size (default 1,000,000).
import {execFileSync, spawnSync} from "node:child_process";
import {existsSync} from "node:fs";
import {mkdtemp, readFile, rm, stat, writeFile} from "node:fs/promises";
import {availableParallelism, cpus, tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {resolveConfig} from "../data-loaders/config.js";
import {openEnrichment} from "../data-loaders/enrich/enrichers.js";
import {ingestSinkObject} from "../data-loaders/ingest-object.js";
import {lineParserFor} from "../data-loaders/parse/formats.js";
import {openDuckDB} from "../data-loaders/write/duckdb.js";
import {EventBatch} from "../data-loaders/write/event-batch.js";
import {writeEventsParquet} from "../data-loaders/write/parquet.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");
const REAL_LOG = resolve(projectDir, "../shared/data/real-logs/elastic-examples-apache_logs");
const TARGET_LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const RECORDS_PER_OBJECT = 1000;

console.log(`# Weblog Workbook benchmark — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim()})`);

const work = await mkdtemp(join(tmpdir(), "weblog-bench-"));
try {
  const rawLines = await repeatedLog(TARGET_LINES);
  const rawFile = join(work, "access_log");
  await writeFile(rawFile, rawLines.join("\n") + "\n");
  console.log(`input: ${rawLines.length.toLocaleString("en")} Combined lines (${mb((await stat(rawFile)).size)} MB), ${RECORDS_PER_OBJECT} records per S3 sink object`);

  await pipelineFigures(rawLines, work);
  goaccessFigures(rawFile, rawLines.length);
  await firstChartFigure();
} finally {
  await rm(work, {recursive: true, force: true});
}

/** The real log over and over, each pass a week later, so times keep moving forward. */
async function repeatedLog(target: number): Promise<string[]> {
  const real = (await readFile(REAL_LOG, "utf8")).split("\n").filter((line) => line !== "");
  const lines: string[] = [];
  for (let pass = 0; lines.length < target; pass++) {
    for (const line of real) {
      if (lines.length === target) break;
      lines.push(pass === 0 ? line : line.replace(/\[(\d\d)\/May\/2015/, (_, day) => `[${day}/${pass % 2 ? "Jun" : "May"}/${2015 + pass}`));
    }
  }
  return lines;
}

async function pipelineFigures(rawLines: string[], dir: string): Promise<void> {
  // What the S3 sink holds: one JSON record per line, grouped into objects.
  const objects: string[] = [];
  for (let i = 0; i < rawLines.length; i += RECORDS_PER_OBJECT) {
    objects.push(rawLines.slice(i, i + RECORDS_PER_OBJECT).map((message, j) => JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: "i-0bench", timestamp: 1_684_000_000_000 + i + j, message})).join("\n"));
  }
  const config = resolveConfig({}, {WEBLOG_GEOIP_DIR: join(dir, "geoip")}, dir);
  const enrichment = await openEnrichment(config);
  const parser = lineParserFor("combined");
  const duckdb = await openDuckDB({tempDirectory: join(dir, "tmp")});
  const parquet = join(dir, "events.parquet");

  // Parse alone, for reference.
  let start = performance.now();
  for (const line of rawLines) parser.parse(line);
  const parseSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  const batch = new EventBatch();
  let events = 0;
  for (let i = 0; i < objects.length; i++) {
    const counts = ingestSinkObject(objects[i], {key: `bench+0+${i * RECORDS_PER_OBJECT}.json`, topic: "cloudwatchLogsEC2.i-0bench", partition: 0, startOffset: i * RECORDS_PER_OBJECT}, parser, batch);
    events += counts.events;
  }
  const ingestSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  await writeEventsParquet(duckdb, batch, {geo: enrichment.geo, userAgent: enrichment.userAgent}, parquet);
  const writeSeconds = (performance.now() - start) / 1000;
  const total = ingestSeconds + writeSeconds;
  const bytes = (await stat(parquet)).size;

  console.log("\n## parse + enrich + Parquet (this project)");
  console.log(`parse only:                       ${rate(rawLines.length, parseSeconds)} lines/s (${parseSeconds.toFixed(2)} s)`);
  console.log(`records → parsed batch:           ${rate(events, ingestSeconds)} lines/s (${ingestSeconds.toFixed(2)} s)`);
  console.log(`enrich (GeoLite2 City + agents) + sorted ZSTD Parquet: ${writeSeconds.toFixed(2)} s`);
  console.log(`end to end:                       ${rate(events, total)} lines/s (${total.toFixed(2)} s for ${events.toLocaleString("en")} events)`);
  console.log(`Parquet: ${mb(bytes)} MB, ${(bytes / events).toFixed(1)} bytes/event (distinct clients ${batch.clients.size}, agents ${batch.agents.size})`);
  console.log(`memory: ${mb(process.memoryUsage().rss)} MB resident`);
}

function goaccessFigures(rawFile: string, lines: number): void {
  console.log("\n## GoAccess, same log");
  const version = spawnSync("goaccess", ["--version"], {encoding: "utf8"});
  if (version.error) {
    console.log("goaccess not installed (apt-get install goaccess); skipped");
    return;
  }
  console.log(version.stdout.split("\n")[0]);
  const run = (label: string, extra: string[]) => {
    const start = performance.now();
    execFileSync("goaccess", [rawFile, "--log-format=COMBINED", "--no-global-config", "-o", join(tmpdir(), "weblog-bench-goaccess.json"), ...extra], {stdio: "ignore"});
    const seconds = (performance.now() - start) / 1000;
    console.log(`${label}: ${rate(lines, seconds)} lines/s (${seconds.toFixed(2)} s)`);
  };
  run("without GeoIP", []);
  const city = findGeoLite2City();
  if (city) run("with GeoLite2 City", [`--geoip-database=${city}`]);
}

function findGeoLite2City(): string | null {
  const dir = join(tmpdir(), "weblog-bench-geoip");
  const bundled = join(dir, "bundled-GeoLite2-City.mmdb");
  return existsSync(bundled) ? bundled : null;
}

async function firstChartFigure(): Promise<void> {
  console.log("\n## navigation → first chart (Chromium, sample site)");
  if (!existsSync("/usr/bin/chromium") && !process.env.CHROMIUM_PATH) {
    console.log("chromium not installed; skipped");
    return;
  }
  const {sampleSite} = await import("../test/support/sample-site.js");
  const {serveSite} = await import("../scripts/serve-site.js");
  const {launchBrowser, openWatchedPage} = await import("../test/support/browser.js");
  const site = await sampleSite();
  const server = await serveSite(site.dist);
  const browser = await launchBrowser();
  try {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const {page} = await openWatchedPage(browser, server.url);
      await page.goto(server.url);
      await page.waitForSelector("[data-chart] svg", {timeout: 60_000});
      times.push(await page.evaluate(() => performance.now()));
      await page.context().close();
    }
    times.sort((a, b) => a - b);
    console.log(`Overview, ${times.length} cold loads: median ${Math.round(times[2])} ms (min ${Math.round(times[0])}, max ${Math.round(times[4])})`);
  } finally {
    await browser.close();
    await server.close();
  }
}

function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString("en").padStart(9);
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
