// A day's rollups made again from its kept file (site-data.ts: dayRollupsFile): when only the days
// around it changed, its visits are made again (they may go on into the changed day) and every
// other kind kept, since they are functions of the day's own rows; when rows were added to it, the
// added rows' counts are summed into the kept ones. The visits made again count only the new
// rows' visitors (rollups/visitors-recounted.ts), unless the rows they were counted from are gone
// or the new rows are a large share of the days; a compaction, which merges segments and keeps
// their rows, counts nothing again. The rows must be exactly those a
// count from nothing gives. The sample synced from a local S3 endpoint, then one new object whose
// first request, after midnight, continues the sample's visit across midnight; then one as large
// as the days around it.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {copyFile} from "node:fs/promises";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {adjacentDay, dayRollupsFile, exportSiteParquet, storedDays} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {compactStore} from "../../data-loaders/store/compact.js";
import {syncStore} from "../../data-loaders/sync.js";
import {sqlString, withDuckDB} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {apacheTime} from "../../scripts/sample-lines.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const {midnightVisit} = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8")).visits;
const FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:113.0) Gecko/20100101 Firefox/113.0";
let s3: LocalS3;
let dir: string;
let config: WeblogConfig;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-neighbour-visits-"));
  config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store")));
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
  await syncStore(config);
  // One segment per day, so the next sync's compaction leaves the day as it is (a rewritten day is counted from nothing).
  await compactStore(config.store);
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

/** A day's rollup rows, each as text, sorted: two files hold the same rows when these are equal. */
async function rowsOf(file: string, where = "true"): Promise<string[]> {
  return withDuckDB({}, async (duckdb) => {
    const reader = await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file)}) WHERE ${where}`);
    return reader.getRowObjectsJson().map((row) => JSON.stringify(row)).sort();
  });
}

/** Runs `work` with WEBLOG_TIMINGS set and gives the steps it reported (data-loaders/build-timings.ts). */
async function stepsOf(work: () => Promise<unknown>): Promise<string[]> {
  const write = process.stderr.write.bind(process.stderr);
  const steps: string[] = [];
  process.env.WEBLOG_TIMINGS = "1";
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const match = /^weblog-timing (\S+)/.exec(String(chunk));
    if (match) steps.push(match[1]);
    else return write(chunk, ...rest);
    return true;
  }) as typeof process.stderr.write;
  try {
    await work();
  } finally {
    process.stderr.write = write;
    delete process.env.WEBLOG_TIMINGS;
  }
  return steps;
}

test("after one new object, its day sums the new rows into its kept counts and its neighbours count their visits again: the rows a count from nothing gives", async () => {
  const before = await storedDays(config);
  const made = async () => {
    const files = new Map<string, string>();
    const steps = await stepsOf(async () => {
      for (const day of await storedDays(config)) files.set(day.day, await dayRollupsFile(config, day));
    });
    return {files, steps};
  };
  const first = await made();
  assert.deepEqual(first.steps, before.map(() => "day-rollups"), "the first time, every day counted");

  // 00:30 the day after the visit across midnight began, 18 minutes after its last request: one
  // more page of that visit. And a 404 from a new client later that day.
  const day = midnightVisit.startsOn;
  const next = adjacentDay(day, 1)!;
  const line = (at: string, client: string, request: string, status: number, agent: string) =>
    `${client} - - [${apacheTime(Date.parse(`${next}T${at}Z`))}] "${request}" ${status} 5120 "http://www.semicomplete.com/blog/" "${agent}"`;
  const lines = [line("00:30:00", midnightVisit.clientIp, "GET /about/ HTTP/1.1", 200, FIREFOX), line("09:00:00", "198.51.100.7", "GET /no-such-page/ HTTP/1.1", 404, "curl/8.5.0")];
  const key = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000100000.json";
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n"}));
  await syncStore(config);

  const after = await storedDays(config);
  const changed = after.filter((d) => before.find((b) => b.day === d.day)?.rollupsVersion !== d.rollupsVersion).map((d) => d.day);
  assert.ok(changed.includes(day) && changed.includes(next), changed.join(" "));
  // Made again from copies of the kept files: only the new rows' visitors' visits are counted again, not every visit.
  assert.ok(changed.length === 3, changed.join(" "));
  for (const each of changed) {
    const kept = join(dir, `${each}.kept.parquet`);
    await copyFile(first.files.get(each)!, kept);
    const again = join(dir, `${each}.again.parquet`);
    // The day after `next` counts no visit of the new rows' visitors: its file is kept as it was.
    const expected = each === next ? {rollups: "added", visits: "recounted"} : each === day ? {rollups: "visits", visits: "recounted"} : {rollups: "visits", visits: "unchanged"};
    assert.deepEqual(await exportSiteParquet(config, "rollups", again, {day: each, earlierRollups: kept}), expected, each);
    const scratch = join(dir, `${each}.from-nothing.parquet`);
    await exportSiteParquet(config, "rollups", scratch, {day: each});
    assert.deepEqual(await rowsOf(again), await rowsOf(scratch), each);
  }
  const second = await made();
  // Each day in order: the new object's day sums its rows in, the days around it count their visits again, the rest are kept.
  assert.deepEqual(second.steps, after.filter((d) => changed.includes(d.day)).map((d) => (d.day === next ? "day-added" : "day-visits")));
  for (const {day: each} of after) {
    const scratch = join(dir, `${each}.from-nothing.parquet`);
    await exportSiteParquet(config, "rollups", scratch, {day: each});
    assert.deepEqual(await rowsOf(second.files.get(each)!), await rowsOf(scratch), each);
    assert.deepEqual(await schemaOf(second.files.get(each)!), await schemaOf(scratch), each);
  }
  // What changed did change: the visit has one more page, the new client's 404 is counted.
  const [visit] = (await rowsOf(second.files.get(day)!, "kind = 'visit' AND exit_path = '/about/'")).map((row) => JSON.parse(row));
  assert.deepEqual([visit.entry_path, Number(visit.requests), Number(visit.pages)], ["/projects/", midnightVisit.requests + 1, midnightVisit.pages + 1]);
  assert.equal((await rowsOf(second.files.get(next)!, "kind = 'error' AND client_ip = '198.51.100.7'")).length, 1);

  // A day whose segments were merged into one (compaction) holds the same rows, and its merged
  // segment says what it was merged from (Segment.merged_from): its kept counts stay, and the days
  // around it find the rows their visits were counted from as they were. Nothing is counted again.
  const kept = join(dir, `${day}.before-compaction.parquet`);
  await copyFile(second.files.get(day)!, kept);
  await compactStore(config.store);
  assert.deepEqual(await exportSiteParquet(config, "rollups", join(dir, `${day}.compacted.parquet`), {day, earlierRollups: kept}), {rollups: "visits", visits: "unchanged"});
  const third = await made();
  assert.deepEqual(third.steps, after.filter((d) => changed.includes(d.day)).map(() => "day-visits"));
  for (const each of changed) {
    const scratch = join(dir, `${each}.merged.from-nothing.parquet`);
    await exportSiteParquet(config, "rollups", scratch, {day: each});
    assert.deepEqual(await rowsOf(third.files.get(each)!), await rowsOf(scratch), each);
  }
});

test("after a new object whose visitors' visits do not reach the day before, that day's file is kept as it was", async () => {
  // A new reader at noon, and the visitor of the visit across midnight back at noon: a visit of its own, on the day after.
  const at = (time: string) => apacheTime(Date.parse(`${adjacentDay(midnightVisit.startsOn, 1)!}T${time}Z`));
  const made = await landAndMakeAgain("noon", "0000150000", [
    `192.0.2.200 - - [${at("12:00:00")}] "GET /blog/ HTTP/1.1" 200 2048 "-" "${FIREFOX}"`,
    `${midnightVisit.clientIp} - - [${at("12:05:00")}] "GET /projects/ HTTP/1.1" 200 4096 "-" "${FIREFOX}"`,
  ]);
  assert.deepEqual(made, [{rollups: "visits", visits: "unchanged"}, {rollups: "added", visits: "recounted"}]);
});

test("after a new object as large as the days around it, every visit is counted again: recounting its visitors would be more work", async () => {
  // As many new visitors' requests as the three days around the visit's day hold: over RECOUNT_AT_MOST of any neighbourhood it is in.
  const day = midnightVisit.startsOn;
  const rows = (await storedDays(config)).filter((d) => Math.abs(Date.parse(d.day) - Date.parse(day)) <= 86_400_000).reduce((n, d) => n + d.events, 0);
  const start = Date.parse(`${adjacentDay(day, 1)!}T01:00:00Z`);
  const lines = Array.from({length: rows}, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} - - [${apacheTime(start + i * 1000)}] "GET /blog/ HTTP/1.1" 200 2048 "-" "${FIREFOX}"`);
  const made = await landAndMakeAgain("large", "0000200000", lines);
  assert.deepEqual(made, [{rollups: "visits", visits: "counted"}, {rollups: "added", visits: "counted"}]);
});

/**
 * Lands `lines` as one new S3 object (Kafka offset `offset`) and syncs, then makes the rollups of
 * the visit's day and the day after again from copies of their files as they were before it,
 * checks each against a count from nothing, and says how each was made.
 */
async function landAndMakeAgain(tag: string, offset: string, lines: string[]) {
  const days = await storedDays(config);
  const both = [midnightVisit.startsOn, adjacentDay(midnightVisit.startsOn, 1)!];
  const kept = new Map<string, string>();
  for (const each of both) {
    kept.set(each, join(dir, `${each}.before-${tag}.parquet`));
    await copyFile(await dayRollupsFile(config, days.find((d) => d.day === each)!), kept.get(each)!);
  }
  const key = `topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+${offset}.json`;
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n"}));
  await syncStore(config);
  const made = [];
  for (const each of both) {
    const again = join(dir, `${each}.after-${tag}.parquet`);
    made.push(await exportSiteParquet(config, "rollups", again, {day: each, earlierRollups: kept.get(each)}));
    const scratch = join(dir, `${each}.after-${tag}.from-nothing.parquet`);
    await exportSiteParquet(config, "rollups", scratch, {day: each});
    assert.deepEqual(await rowsOf(again), await rowsOf(scratch), each);
  }
  return made;
}

/** A file's columns and their types, in order. */
function schemaOf(file: string) {
  return withDuckDB({}, async (duckdb) => (await duckdb.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson());
}
