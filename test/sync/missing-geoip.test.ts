// A GeoLite2 database that is missing does not stop the pipeline: sync says which file and
// loads every event without location (the Geography page then says geography is unavailable).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {loadConfig} from "../../data-loaders/config.js";
import {exportSiteParquet} from "../../data-loaders/site-data.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {syncStore} from "../../data-loaders/sync.js";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {demoEnvironment, DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket, type LocalS3} from "../../scripts/local-s3.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {startLocalS3AndFolder, stopLocalS3AndFolder} from "../support/local-s3-folder.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));
let s3: LocalS3;
let dir: string;

before(async () => {
  ({s3, dir} = await startLocalS3AndFolder("weblog-nogeo-"));
});

after(async () => {
  await stopLocalS3AndFolder(s3, dir);
});

test("a configured GeoLite2 file that does not exist: a warning naming it, every event loaded without location", async () => {
  const missing = join(dir, "nowhere/GeoLite2-City.mmdb");
  const config = loadConfig(dir, {...demoEnvironment(s3.endpoint, join(dir, "store")), WEBLOG_GEOIP_CITY: missing});
  await seedBucket(createS3Client(config.source), DEMO_BUCKET, SAMPLE_DIR);
  const log: string[] = [];
  const result = await syncStore(config, {log: (message) => log.push(message)});
  assert.equal(result.events, expected.events);
  const warning = log.find((line) => line.includes("GeoLite2 unavailable"));
  assert.ok(warning, log.join("\n"));
  assert.ok(warning.includes(missing), warning);

  const file = join(dir, "events.parquet");
  await exportSiteParquet(config, "events", file);
  const duckdb = await openDuckDB();
  const [[events, located, bots]] = (await duckdb.runAndReadAll(`SELECT count(*), count(country), count(*) FILTER (is_bot) FROM read_parquet(${sqlString(file)})`)).getRowsJS();
  assert.equal(Number(events), expected.events);
  assert.equal(Number(located), 0);
  assert.ok(Number(bots) > 0, "the rest of the enrichment still ran");
});
