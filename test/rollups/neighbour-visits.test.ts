// When only the days around a day changed, its rollups are made again from its kept file: its
// visits counted again (they may go on into the changed day), every other kind kept, since they
// are functions of the day's own rows (site-data.ts: dayRollupsFile). The rows must be exactly
// those a count from nothing gives. The sample synced from a local S3 endpoint, then one new
// object whose request, after midnight, continues the sample's visit across midnight.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {dayRollupsFile, exportSiteParquet, storedDays} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {compactStore} from "../../data-loaders/store/compact.js";
import {syncStore} from "../../data-loaders/sync.js";
import {sqlString, withDuckDB} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {LOCAL_S3_CREDENTIALS, seedBucket, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";
import {apacheTime} from "../../scripts/sample-lines.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const {midnightVisit} = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8")).visits;
const FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:113.0) Gecko/20100101 Firefox/113.0";
let s3: LocalS3;
let dir: string;
let config: WeblogConfig;

before(async () => {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  s3 = await startLocalS3();
  dir = await mkdtemp(join(tmpdir(), "weblog-neighbour-visits-"));
  config = loadConfig(dir, demoEnvironment(s3.endpoint, join(dir, "store")));
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
  await syncStore(config);
  // One segment per day, so the next sync's compaction leaves the day as it is (a rewritten day is counted from nothing).
  await compactStore(config.store);
});

after(async () => {
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
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

test("a day whose neighbour changed keeps its other kinds and counts its visits again, as a count from nothing would", async () => {
  const day = midnightVisit.startsOn;
  const dayOf = async () => (await storedDays(config)).find((d) => d.day === day)!;
  const before = await dayOf();
  const first = await dayRollupsFile(config, before);
  const visitsBefore = await rowsOf(first, "kind = 'visit'");

  // 00:30 the next day, 18 minutes after the visit's last request: one more page of the same visit.
  const at = Date.parse(`${day}T00:00:00Z`) + 86_400_000 + 30 * 60_000;
  const line = `${midnightVisit.clientIp} - - [${apacheTime(at)}] "GET /about/ HTTP/1.1" 200 5120 "http://www.semicomplete.com/blog/" "${FIREFOX}"`;
  const key = "topics/cloudwatchLogsEC2.i-02e3ca004943e0f26/year=2023/cloudwatchLogsEC2.i-02e3ca004943e0f26+0+0000100000.json";
  await createS3Client(config.source).send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: JSON.stringify(line) + "\n"}));
  await syncStore(config);

  const now = await dayOf();
  assert.equal(now.version, before.version, "the day's own rows are as they were");
  assert.notEqual(now.rollupsVersion, before.rollupsVersion, "its rollups are to be made again");
  let made = "";
  assert.deepEqual(await stepsOf(async () => (made = await dayRollupsFile(config, now))), ["day-visits"], "only the visits counted");

  const scratch = join(dir, "from-nothing.parquet");
  await exportSiteParquet(config, "rollups", scratch, {day});
  assert.deepEqual(await rowsOf(made), await rowsOf(scratch));
  const visitsAfter = await rowsOf(made, "kind = 'visit'");
  assert.notDeepEqual(visitsAfter, visitsBefore, "the visit across midnight has one more page");
  const [visit] = (await rowsOf(made, "kind = 'visit' AND exit_path = '/about/'")).map((row) => JSON.parse(row));
  assert.deepEqual([visit.entry_path, Number(visit.requests), Number(visit.pages)], ["/projects/", midnightVisit.requests + 1, midnightVisit.pages + 1]);
  // The same columns and types, in the same order, as a count from nothing.
  const schema = (file: string) => withDuckDB({}, async (duckdb) => (await duckdb.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJson());
  assert.deepEqual(await schema(made), await schema(scratch));
});
