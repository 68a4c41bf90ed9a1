// A batch's rows read through the DuckDB table function each day's COPY reads (write/rows-function.ts):
// a run of the rows in the store's order, each row's place given, and nothing outside the batch.
// The files written through it are compared with the reference writer in event-rows.test.ts.
import assert from "node:assert/strict";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import type {DuckDBConnection} from "@duckdb/node-api";
import {configuredLineParser} from "../../data-loaders/parse/formats.js";
import {closeDuckDB, openDuckDB} from "../../data-loaders/write/duckdb.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";
import {eventRows} from "../../data-loaders/write/event-rows.js";
import {ROW_POSITION, withRowsInDuckDB} from "../../data-loaders/write/rows-function.js";
import {resolveConfig} from "../../data-loaders/config.js";
import {openEnrichment, type Enrichment} from "../../data-loaders/enrich/enrichers.js";

let dir: string;
let duckdb: DuckDBConnection;
let enrichment: Enrichment;
const config = () => resolveConfig({bucket: "b", store: join(dir, "store")}, {WEBLOG_GEOIP_DIR: join(dir, "geoip")}, dir);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-rows-function-"));
  duckdb = await openDuckDB();
  enrichment = await openEnrichment(config());
});

after(async () => {
  if (duckdb) closeDuckDB(duckdb);
  if (dir) await rm(dir, {recursive: true, force: true});
});

/** Ten events whose times run backwards, so that the store's order is not the batch's. */
function backwardsBatch(): EventBatch {
  const parser = configuredLineParser(config());
  const batch = new EventBatch();
  for (let i = 0; i < 10; i++) {
    const parsed = parser.parse(`198.51.100.${i} - - [01/Mar/2024:10:00:${String(59 - i).padStart(2, "0")} +0000] "GET /${i} HTTP/1.1" 200 ${i} "-" "agent"`);
    if ("error" in parsed) throw new Error(parsed.error);
    batch.add({ingest_ts: null, log_group: "g", log_stream: "s", topic: "t", kafka_partition: 0, kafka_offset: i, s3_key: "k", event_id: null}, parsed);
  }
  return batch;
}

test("a run of the rows in the store's order, each with its place; rows outside the batch refused", async () => {
  const rows = eventRows(backwardsBatch(), {geo: enrichment.geo, userAgent: enrichment.userAgent});
  await withRowsInDuckDB(duckdb, rows, async (rowsSql) => {
    const read = (await duckdb.runAndReadAll(`SELECT kafka_offset, path, ${ROW_POSITION} FROM ${rowsSql(2, 3)}`)).getRowsJS();
    // The latest line first in the batch is last in time: rows 2, 3 and 4 are offsets 7, 6 and 5.
    assert.deepEqual(read, [[7, "/7", 2], [6, "/6", 3], [5, "/5", 4]]);
    await assert.rejects(duckdb.run(`SELECT count(*) FROM ${rowsSql(9, 2)}`), /rows 9 to 11 are not all in batch/);
  });
});
