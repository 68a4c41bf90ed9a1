// The filter's SQL run by DuckDB over a small table with every kind of status, the rollups' NULLs
// included: each choice of classes (and "unknown", no status) keeps exactly the rows it names; and
// the vhost, request-class and own-traffic choices over rows that have each.
import assert from "node:assert/strict";
import {test} from "node:test";
import {openDuckDB} from "../../data-loaders/write/duckdb.js";
import {DEFAULT_FILTER, describeFilter, pathsWhereClause, STATUS_CHOICES, UNKNOWN_STATUS, warmUpFilters, whereClause, type EventFilter} from "../../src/components/event-filter.js";
import {NO_FILTER} from "../../src/queries/query.js";

/** Every row: the default filter with your own traffic shown. */
const ALL: EventFilter = {...DEFAULT_FILTER, ownTraffic: "show"};

async function statusesKept(filter: EventFilter): Promise<(number | null)[]> {
  const duckdb = await openDuckDB();
  await duckdb.run(`CREATE TABLE events AS SELECT * FROM (VALUES
    (TIMESTAMP '2026-11-24 10:00:00', 'i-1', false, 200::SMALLINT), (TIMESTAMP '2026-11-24 10:00:00', 'i-1', false, 301::SMALLINT),
    (TIMESTAMP '2026-11-24 10:00:00', 'i-1', true, 404::SMALLINT), (TIMESTAMP '2026-11-25 10:00:00', 'i-2', false, 503::SMALLINT),
    (TIMESTAMP '2026-11-25 10:00:00', 'i-2', false, 101::SMALLINT), (TIMESTAMP '2026-11-25 10:00:00', 'i-2', true, NULL::SMALLINT),
    (TIMESTAMP '2026-11-26 10:00:00', 'i-1', false, NULL::SMALLINT)) AS t(ts, log_stream, is_bot, status)`);
  // Columns the status choices do not look at: the same on every row, and kept by every filter here.
  await duckdb.run("ALTER TABLE events ADD COLUMN vhost VARCHAR DEFAULT NULL; ALTER TABLE events ADD COLUMN request_class VARCHAR DEFAULT 'page'; ALTER TABLE events ADD COLUMN own_traffic BOOLEAN DEFAULT false");
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
  const filter: EventFilter = {...ALL, from: new Date("2026-11-25"), to: new Date("2026-11-25"), instance: "i-2", bots: "only", statuses: ["5xx", UNKNOWN_STATUS]};
  assert.deepEqual(await statusesKept(filter), [null]);
  assert.equal(describeFilter(filter), "2026-11-25 to 2026-11-25 · i-2 · Bots only · 5xx, no status · own traffic included");
  assert.equal(describeFilter(DEFAULT_FILTER), "All requests but your own traffic");
});

test("each set of ticked classes keeps the codes of their hundreds, edges included, and no code outside 1xx–5xx", async () => {
  // Every code at a hundred's edges, and those no class names (0, 99, 600, 999: a status is 0 to 999).
  const codes = [0, 99, 100, 199, 200, 299, 300, 399, 400, 499, 500, 599, 600, 999];
  const duckdb = await openDuckDB();
  await duckdb.run(`CREATE TABLE events AS SELECT unnest([${codes.join(", ")}])::SMALLINT AS status`);
  // Every subset of the five classes, the rows it keeps against the classes' own definition.
  for (let subset = 0; subset < 32; subset++) {
    const hundreds = [1, 2, 3, 4, 5].filter((hundred) => subset & (1 << (hundred - 1)));
    const where = whereClause({...ALL, statuses: hundreds.map((hundred) => `${hundred}xx`)});
    const reader = await duckdb.runAndReadAll(`SELECT status FROM events ${where.sql} ORDER BY status`);
    const kept = reader.getRowObjectsJS().map((row) => Number(row.status));
    assert.deepEqual(kept, codes.filter((code) => hundreds.includes(Math.floor(code / 100))), `${hundreds.join(", ") || "none"}: ${where.sql}`);
  }
});

test("the engine warms up with a condition on the time, the instance, bots and the status, once as one range of statuses and once as ranges and no status joined by OR", async () => {
  const [oneRange, rangesOrNoStatus] = warmUpFilters(new Date("2026-11-24T10:00:00Z"), new Date("2026-11-26T10:00:00Z"), "i-1");
  for (const filter of [oneRange, rangesOrNoStatus]) {
    const {sql} = whereClause(filter);
    for (const column of ["ts", "log_stream", "is_bot", "status"]) assert.match(sql, new RegExp(`\\b${column}\\b`), `a condition on ${column}: ${sql}`);
  }
  assert.doesNotMatch(whereClause(oneRange).sql, /\bOR\b/);
  assert.match(whereClause(rangesOrNoStatus).sql, /\bstatus BETWEEN \d+ AND \d+ OR status BETWEEN \d+ AND \d+ OR status IS NULL\b/);
  // Of the table's rows: i-1's humans (200, 301 and the one with no status on the 26th): with a
  // status, then with every choice but 3xx.
  assert.deepEqual(await statusesKept(oneRange), [200, 301]);
  assert.deepEqual(await statusesKept(rangesOrNoStatus), [200, null]);
});

/** Which rows of a table with every vhost, class and own-traffic combination the filter keeps, by id. */
async function idsKept(filter: EventFilter, where = whereClause(filter)): Promise<number[]> {
  const duckdb = await openDuckDB();
  await duckdb.run(`CREATE TABLE events AS SELECT * FROM (VALUES
    (1, 'www.example.com', 'page', false), (2, 'www.example.com', 'asset', false), (3, 'api.example.com', 'api', false),
    (4, 'www.example.com', 'page', true), (5, NULL, 'other', false), (6, 'api.example.com', 'page', true)) AS t(id, vhost, request_class, own_traffic)`);
  await duckdb.run("ALTER TABLE events ADD COLUMN ts TIMESTAMP DEFAULT TIMESTAMP '2026-11-24 10:00:00'; ALTER TABLE events ADD COLUMN log_stream VARCHAR DEFAULT 'i-1'; ALTER TABLE events ADD COLUMN is_bot BOOLEAN DEFAULT false; ALTER TABLE events ADD COLUMN status SMALLINT DEFAULT 200");
  const reader = await duckdb.runAndReadAll(`SELECT id FROM events ${where.sql} ORDER BY id`, where.params as never);
  return reader.getRowObjectsJS().map((row) => Number(row.id));
}

test("the default filter hides your own traffic, and is what the first views are computed with", async () => {
  assert.deepEqual(await idsKept(DEFAULT_FILTER), [1, 2, 3, 5]);
  assert.deepEqual(NO_FILTER, whereClause(DEFAULT_FILTER));
  assert.deepEqual(await idsKept({...DEFAULT_FILTER, ownTraffic: "show"}), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(await idsKept({...DEFAULT_FILTER, ownTraffic: "only"}), [4, 6]);
  assert.equal(describeFilter({...DEFAULT_FILTER, ownTraffic: "only"}), "own traffic only");
});

test("request classes keep the rows of the ticked classes; none ticked keeps none", async () => {
  assert.deepEqual(await idsKept({...ALL, classes: ["page"]}), [1, 4, 6]);
  assert.deepEqual(await idsKept({...ALL, classes: ["asset", "api"]}), [2, 3]);
  assert.deepEqual(await idsKept({...ALL, classes: []}), []);
  assert.equal(describeFilter({...DEFAULT_FILTER, classes: ["asset", "api"]}), "Assets, API");
});

test("a vhost keeps its own rows only, with the other choices", async () => {
  assert.deepEqual(await idsKept({...ALL, vhost: "api.example.com"}), [3, 6]);
  assert.deepEqual(await idsKept({...DEFAULT_FILTER, vhost: "api.example.com"}), [3]);
  assert.equal(describeFilter({...DEFAULT_FILTER, vhost: "api.example.com"}), "api.example.com");
});

test("charts ranking paths count pages while every class is ticked, else the classes ticked", async () => {
  assert.deepEqual(await idsKept(DEFAULT_FILTER, pathsWhereClause(DEFAULT_FILTER)), [1]);
  assert.deepEqual(await idsKept(ALL, pathsWhereClause(ALL)), [1, 4, 6]);
  assert.deepEqual(await idsKept(ALL, pathsWhereClause({...ALL, classes: ["asset", "other"]})), [2, 5]);
});
