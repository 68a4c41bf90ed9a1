// `npx tsx bench/day-rollups.ts`: what one day's rollups cost, and how much of it is the visits,
// on BENCH_DAY_EVENTS (default 1M) events of the diverse workload (bench/workload.ts: 25,000
// clients, 30 days). Fills a local S3 endpoint, syncs a store, then for a day in the middle times
// the whole day's rollups (every kind, as a rebuild makes them) and the day's visits alone (that
// day, the evening before and the day after, sessions by window functions), and prints rows and
// sizes. Figures to read; nothing asserts a time.
import {mkdtemp, rm, stat} from "node:fs/promises";
import {availableParallelism, tmpdir} from "node:os";
import {join} from "node:path";
import {CreateBucketCommand} from "@aws-sdk/client-s3";
import {loadConfig} from "../data-loaders/config.js";
import {visitsOfDaySql} from "../data-loaders/rollups/visits.js";
import {adjacentDay, exportSiteParquet, storedDays} from "../data-loaders/site-data.js";
import {withDerivedColumns} from "../data-loaders/derive/site-columns.js";
import {FILTER_COLUMNS} from "../data-loaders/contracts/filter-columns.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {readManifest, segmentsByDay} from "../data-loaders/store/manifest.js";
import {syncStore} from "../data-loaders/sync.js";
import {sqlFileList, withDuckDB} from "../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET} from "../scripts/demo.js";
import {LOCAL_S3_CREDENTIALS, startLocalS3} from "../scripts/local-s3.js";
import {uploadWorkload} from "./workload.js";

const EVENTS = Number(process.env.BENCH_DAY_EVENTS ?? 1_000_000);
console.log(`# one day's rollups on ${EVENTS.toLocaleString("en")} events, diverse workload — node ${process.version}, ${availableParallelism()} cores`);
const dir = await mkdtemp(join(tmpdir(), "weblog-bench-day-"));
const s3 = await startLocalS3({port: 0});
try {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  const config = loadConfig(dir, {...process.env, ...demoEnvironment(s3.endpoint, join(dir, "store"))});
  const client = createS3Client(config.source);
  await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
  await uploadWorkload(client, DEMO_BUCKET, EVENTS, "diverse");
  await syncStore(config, {client});
  const days = await storedDays(config);
  const day = days[Math.floor(days.length / 2)];
  console.log(`store: ${days.length} days; timing ${day.day}, ${day.events.toLocaleString("en")} events`);

  const file = join(dir, "day-rollups.parquet");
  for (const run of [1, 2]) {
    let started = performance.now();
    await exportSiteParquet(config, "rollups", file, {day: day.day});
    const all = performance.now() - started;
    const manifest = await readManifest(config.store);
    const around = [adjacentDay(day.day, -1), day.day, adjacentDay(day.day, 1)].flatMap((d) => (segmentsByDay(manifest).get(d!) ?? []).map(([, s]) => join(config.store, s.file)));
    started = performance.now();
    const visits = await withDuckDB({tempDirectory: join(config.store, "tmp")}, async (duckdb) => {
      // With the derived columns (request_class says which requests are pages), as the site makes them.
      const events = await withDerivedColumns(duckdb, config, `read_parquet(${sqlFileList(around)})`);
      const filterColumns = FILTER_COLUMNS.filter((c) => c.name !== "ts").map((c) => c.name);
      const reader = await duckdb.runAndReadAll(`SELECT count(*) AS n FROM ${visitsOfDaySql(events, day.day, config.site.visitTimeoutMinutes, filterColumns)}`);
      return Number(reader.getRowObjectsJson()[0].n);
    });
    const visitMs = performance.now() - started;
    const rows = await withDuckDB({}, async (duckdb) => {
      const reader = await duckdb.runAndReadAll(`SELECT kind, count(*) AS n FROM read_parquet('${file}') WHERE kind IN ('visit', 'broken_link', 'client') GROUP BY kind ORDER BY kind`);
      return reader.getRowObjectsJson().map((r) => `${r.kind} ${Number(r.n).toLocaleString("en")}`).join(", ");
    });
    console.log(
      `run ${run}: every kind ${(all / 1000).toFixed(2)} s, ${((await stat(file)).size / 1e6).toFixed(1)} MB (rows: ${rows}); ` +
        `the visits alone ${(visitMs / 1000).toFixed(2)} s for ${visits.toLocaleString("en")} visits over ${around.length} segment files`,
    );
  }
} finally {
  await s3.stop();
  await rm(dir, {recursive: true, force: true});
}
