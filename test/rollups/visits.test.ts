// Visits counted per day (data-loaders/rollups/visits.ts) against DuckDB: a visit is counted
// once, on the day it starts, even when it runs past midnight; the day after does not count
// its continuation as a visit of its own; bots, the timeout and visits with no page are honoured.
import assert from "node:assert/strict";
import {test} from "node:test";
import {requestClassSql} from "../../data-loaders/derive/request-class.js";
import {referrerKindSql, referrerPathSql} from "../../data-loaders/rollups/referrer-kind.js";
import {durationBandSql, visitsOfDaySql} from "../../data-loaders/rollups/visits.js";
import {withDuckDB} from "../../data-loaders/write/duckdb.js";

type Request = [ts: string, client: string, path: string, isBot?: boolean];

const EVENTS: Request[] = [
  // One visit across midnight: 3 pages and an image, 23:50 → 00:12.
  ["2025-03-01 23:50:00", "a", "/"],
  ["2025-03-01 23:50:01", "a", "/logo.png"],
  ["2025-03-01 23:58:00", "a", "/about"],
  ["2025-03-02 00:12:00", "a", "/contact.html"],
  // 31 minutes later: a second visit, a bounce, on the 2nd.
  ["2025-03-02 00:43:00", "a", "/"],
  // Exactly 30 minutes after the last: the same visit.
  ["2025-03-02 01:13:00", "a", "/blog"],
  // A bot is no visit.
  ["2025-03-01 12:00:00", "bot", "/", true],
  // Stylesheets alone are no visit.
  ["2025-03-02 12:00:00", "c", "/style.css"],
  ["2025-03-02 12:00:01", "c", "/feed.xml"],
  // Another client, same second twice: one visit whose entry is the first path in order.
  ["2025-03-02 08:00:00", "b", "/b"],
  ["2025-03-02 08:00:00", "b", "/a"],
];

async function visitsOf(day: string, timeout = 30) {
  return withDuckDB({}, async (duckdb) => {
    const values = EVENTS.map(([ts, client, path, isBot]) => `(TIMESTAMP '${ts}', 'i-1', ${isBot ? "true" : "false"}, 200::SMALLINT, '${client}', 'agent', '${path}', 100::BIGINT)`);
    // Pages are the requests the default request-class rules call pages (derive/request-class.ts).
    await duckdb.run(`CREATE TABLE events AS SELECT *, ${requestClassSql([])} AS request_class FROM (VALUES ${values.join(", ")}) v(ts, log_stream, is_bot, status, client_ip, user_agent, path, bytes)`);
    const reader = await duckdb.runAndReadAll(`SELECT strftime(ts, '%H:%M:%S') AS start, entry_path, exit_path, pages::INTEGER AS pages, requests::INTEGER AS requests, seconds::INTEGER AS seconds FROM ${visitsOfDaySql("events", day, timeout, ["log_stream", "is_bot", "status", "request_class"])} ORDER BY ts`);
    return reader.getRowObjectsJson();
  });
}

test("a visit across midnight is counted once, on the day it starts, with its requests of the next day", async () => {
  assert.deepEqual(await visitsOf("2025-03-01"), [{start: "23:50:00", entry_path: "/", exit_path: "/contact.html", pages: 3, requests: 4, seconds: 22 * 60}]);
  assert.deepEqual(await visitsOf("2025-03-02"), [
    {start: "00:43:00", entry_path: "/", exit_path: "/blog", pages: 2, requests: 2, seconds: 30 * 60},
    {start: "08:00:00", entry_path: "/a", exit_path: "/b", pages: 2, requests: 2, seconds: 0},
  ]);
});

test("a longer timeout joins what a shorter one splits", async () => {
  const day2 = await visitsOf("2025-03-02", 45);
  assert.deepEqual(day2.map((v) => v.start), ["08:00:00"], "00:43 continues the visit of the 1st");
  assert.equal((await visitsOf("2025-03-01", 45))[0].requests, 6);
});

test("referrer kinds and duration bands", async () => {
  await withDuckDB({}, async (duckdb) => {
    const one = async (sql: string) => Object.values((await duckdb.runAndReadAll(sql)).getRowObjectsJson()[0])[0];
    const hosts = ["example.com", "www.example.com"];
    const kind = (host: string | null) => one(`SELECT ${referrerKindSql(hosts)} FROM (SELECT ${host === null ? "NULL::VARCHAR" : `'${host}'`} AS referrer_host)`);
    assert.equal(await kind("www.example.com"), "internal");
    assert.equal(await kind("example.org"), "external");
    assert.equal(await kind(null), "none");
    const path = (referrer: string, host: string) => one(`SELECT ${referrerPathSql(hosts)} FROM (SELECT '${referrer}' AS referrer, '${host}' AS referrer_host)`);
    assert.equal(await path("https://www.example.com/blog/post?x=1#top", "www.example.com"), "/blog/post");
    assert.equal(await path("https://example.com", "example.com"), "/");
    assert.equal(await path("https://example.org/a", "example.org"), null);
    assert.equal(await one(`SELECT ${durationBandSql(true)} FROM (SELECT 0 AS seconds)`), "0 s");
    assert.equal(await one(`SELECT ${durationBandSql(true)} FROM (SELECT 1800 AS seconds)`), "10–30 min");
    assert.equal(await one(`SELECT ${durationBandSql(false)} FROM (SELECT 1801 AS seconds)`), 1801);
  });
});
