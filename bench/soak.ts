// `npx tsx bench/soak.ts`: does memory stay flat in a process that runs for days? A `weblog
// watch`-equivalent loop (sync every second with one kept enrichment, compaction as sync does it,
// the site data brought in step) runs against the local S3 endpoint (its own process) while a new
// S3 sink object lands every LAND_SECONDS; each pass that changed the store also exports the
// changed days' site files and lists the instances, as the preview's loaders and config do, so
// every place that opens DuckDB runs thousands of times. Prints RSS at the start, every
// SOAK_REPORT_MINUTES, and at the end. Figures for people to read; nothing asserts.
//   SOAK_MINUTES (default 30), SOAK_REPORT_MINUTES (default 5), SOAK_LAND_SECONDS (default 1.5),
//   SOAK_RECORDS (records per object, default 200: 30 minutes land about 240,000 events).
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {setTimeout as sleep} from "node:timers/promises";
import {CreateBucketCommand, PutObjectCommand, type S3Client} from "@aws-sdk/client-s3";
import {resolveConfig} from "../data-loaders/config.js";
import {KeptEnrichment} from "../data-loaders/enrich/kept-enrichment.js";
import {storedLogStreams} from "../data-loaders/log-streams.js";
import {exportSiteParquet} from "../data-loaders/site-data.js";
import {refreshSiteData} from "../data-loaders/site-loaders.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {syncStore} from "../data-loaders/sync.js";
import {LOCAL_S3_CREDENTIALS} from "../scripts/local-s3.js";
import {benchLine, INSTANCES} from "./workload.js";
import {startLocalS3Process} from "./local-s3-process.js";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const REPORT_MINUTES = Number(process.env.SOAK_REPORT_MINUTES ?? 5);
const LAND_SECONDS = Number(process.env.SOAK_LAND_SECONDS ?? 1.5);
const RECORDS = Number(process.env.SOAK_RECORDS ?? 200);
const POLL_SECONDS = 1;
const BUCKET = "soak";
const projectDir = resolve(import.meta.dirname, "..");
/** The lines the whole run would land, spread over a month as the other benchmarks do. */
const EXPECTED_LINES = Math.ceil((MINUTES * 60) / LAND_SECONDS) * RECORDS;

Object.assign(process.env, LOCAL_S3_CREDENTIALS);
const work = await mkdtemp(join(tmpdir(), "weblog-soak-"));
const s3 = await startLocalS3Process(work);
const config = resolveConfig({bucket: BUCKET, endpoint: s3.endpoint, store: join(work, "store")}, {WEBLOG_GEOIP_DIR: join(work, "geoip")}, work);
const client = createS3Client(config.source);
await client.send(new CreateBucketCommand({Bucket: BUCKET}));

console.log(`# soak: watch-equivalent loop for ${MINUTES} min, one ${RECORDS}-record object every ${LAND_SECONDS} s, sync every ${POLL_SECONDS} s — node ${process.version}`);
const started = performance.now();
const minutes = () => (performance.now() - started) / 60_000;
let landed = 0;
const counts = {syncs: 0, changed: 0, events: 0, exports: 0, failures: 0};
let stopping = false;

const landing = (async () => {
  while (!stopping) {
    await landObject(client, landed++);
    await sleep(LAND_SECONDS * 1000);
  }
})();

const enrichment = new KeptEnrichment(config, () => {});
let nextReport = 0;
while (minutes() < MINUTES) {
  try {
    const result = await syncStore(config, {client, enrichment: () => enrichment.current()});
    counts.syncs++;
    counts.events += result.events;
    if (result.changed) {
      counts.changed++;
      const refresh = await refreshSiteData(work, config);
      for (const day of refresh.days) {
        await exportSiteParquet(config, "events", join(work, "site-events.parquet"), {day});
        await exportSiteParquet(config, "rollups", join(work, "site-rollups.parquet"), {day});
        counts.exports += 2;
      }
      await exportSiteParquet(config, "rejected", join(work, "site-rejected.parquet"));
      await storedLogStreams(config);
      counts.exports++;
    }
  } catch (error) {
    counts.failures++;
    console.log(`${minutes().toFixed(1)} min: sync failed: ${(error as Error).message}`);
  }
  if (minutes() >= nextReport) {
    report(nextReport === 0 ? "start" : "");
    nextReport += REPORT_MINUTES;
  }
  await sleep(POLL_SECONDS * 1000);
}
stopping = true;
await landing;
report("end");
client.destroy();
await s3.stop();
await rm(work, {recursive: true, force: true});

function report(label: string): void {
  const memory = process.memoryUsage();
  const mb = (bytes: number) => (bytes / 1e6).toFixed(0).padStart(4);
  console.log(
    `${minutes().toFixed(1).padStart(5)} min ${label.padEnd(5)} RSS ${mb(memory.rss)} MB (JS heap ${mb(memory.heapUsed)} MB, external ${mb(memory.external)} MB) — ` +
      `${landed} objects landed, ${counts.syncs} syncs (${counts.changed} changed the store), ${counts.events.toLocaleString("en")} events, ${counts.exports} site exports, ${counts.failures} failures`,
  );
}

/** Object n of the run: RECORDS lines of the workload, one instance per object in turn. */
async function landObject(s3client: S3Client, n: number): Promise<void> {
  const instance = INSTANCES[n % INSTANCES.length];
  const topic = `cloudwatchLogsEC2.${instance}`;
  const offset = Math.floor(n / INSTANCES.length) * RECORDS;
  const records: string[] = [];
  for (let i = n * RECORDS; i < (n + 1) * RECORDS; i++) {
    records.push(JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: instance, message: benchLine(i, EXPECTED_LINES)}));
  }
  const key = `topics/${topic}/year=2025/${topic}+0+${String(offset).padStart(10, "0")}.json`;
  await s3client.send(new PutObjectCommand({Bucket: BUCKET, Key: key, Body: records.join("\n")}));
}

