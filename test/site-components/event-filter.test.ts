// The filter's SQL run by DuckDB over a small table with every kind of status, the rollups' NULLs
// included: each choice of classes (and "unknown", no status) keeps exactly the rows it names.
import assert from "node:assert/strict";
import {test} from "node:test";
import {openDuckDB} from "../../data-loaders/write/duckdb.js";
import {describeFilter, STATUS_CHOICES, UNKNOWN_STATUS, whereClause, type EventFilter} from "../../src/components/event-filter.js";

const ALL: EventFilter = {from: null, to: null, instance: null, bots: "include", statuses: STATUS_CHOICES};

async function statusesKept(filter: EventFilter): Promise<(number | null)[]> {
  const duckdb = await openDuckDB();
  await duckdb.run(`CREATE TABLE events AS SELECT * FROM (VALUES
    (TIMESTAMP '2026-11-24 10:00:00', 'i-1', false, 200::SMALLINT), (TIMESTAMP '2026-11-24 10:00:00', 'i-1', false, 301::SMALLINT),
    (TIMESTAMP '2026-11-24 10:00:00', 'i-1', true, 404::SMALLINT), (TIMESTAMP '2026-11-25 10:00:00', 'i-2', false, 503::SMALLINT),
    (TIMESTAMP '2026-11-25 10:00:00', 'i-2', false, 101::SMALLINT), (TIMESTAMP '2026-11-25 10:00:00', 'i-2', true, NULL::SMALLINT),
    (TIMESTAMP '2026-11-26 10:00:00', 'i-1', false, NULL::SMALLINT)) AS t(ts, log_stream, is_bot, status)`);
  const where = whereClause(filter);
  const reader = await duckdb.runAndReadAll(`SELECT status FROM events ${where.sql} ORDER BY status NULLS LAST`, where.params as never);
  return reader.getRowObjectsJS().map((row) => (row.status === null ? null : Number(row.status)));
}

test("every status choice ticked keeps every row, no status included", async () => {
  assert.equal(whereClause(ALL).sql, "");
  assert.deepEqual(await statusesKept(ALL), [101, 200, 301, 404, 503, null, null]);
});

test("unticking a class keeps the rows with no status while 'unknown' stays ticked", async () => {
  assert.deepEqual(await statusesKept({...ALL, statuses: ["2xx", "3xx", "4xx", "5xx", UNKNOWN_STATUS]}), [200, 301, 404, 503, null, null]);
  assert.deepEqual(await statusesKept({...ALL, statuses: ["4xx", "5xx", UNKNOWN_STATUS]}), [404, 503, null, null]);
});

test("'unknown' alone keeps only the rows with no status; unticked, they go", async () => {
  assert.deepEqual(await statusesKept({...ALL, statuses: [UNKNOWN_STATUS]}), [null, null]);
  assert.deepEqual(await statusesKept({...ALL, statuses: ["1xx", "2xx", "3xx", "4xx", "5xx"]}), [101, 200, 301, 404, 503]);
  assert.deepEqual(await statusesKept({...ALL, statuses: []}), []);
});

test("the status choice combines with the other filters", async () => {
  const filter: EventFilter = {from: new Date("2026-11-25"), to: new Date("2026-11-25"), instance: "i-2", bots: "only", statuses: ["5xx", UNKNOWN_STATUS]};
  assert.deepEqual(await statusesKept(filter), [null]);
  assert.equal(describeFilter(filter), "2026-11-25 to 2026-11-25 · i-2 · Bots only · 5xx, no status");
  assert.equal(describeFilter(ALL), "All requests");
});
