// Which SQL a page's second engine may answer (a question) and which must run on every engine (a
// change): src/components/question-sql.ts.
import assert from "node:assert/strict";
import {test} from "node:test";
import {openDuckDB} from "../../data-loaders/write/duckdb.js";
import {isQuestion} from "../../src/components/question-sql.js";
import {periodTotals, periodVisitors} from "../../src/queries/index.js";
import {NO_FILTER} from "../../src/queries/query.js";
import {moreRowsVisitorsPerDay, oneRowVisitorsPerDay} from "../../src/queries/traffic.js";

test("questions: SELECT, WITH and the other read-only statements, however they open", () => {
  for (const sql of [
    "SELECT 1",
    "  select count(*) FROM events",
    "(SELECT 1) UNION ALL (SELECT 2)",
    "-- the busiest paths\nSELECT path FROM requests_by_path",
    "/* a note; with a semicolon */ WITH t AS (SELECT 1) SELECT * FROM t",
    "FROM events LIMIT 5",
    "DESCRIBE events",
    "SUMMARIZE requests_hourly",
    "SELECT 'DELETE; DROP TABLE events' AS method",
    "SELECT 1; SELECT 2;",
    "SELECT \"odd;name\" FROM events",
    "SELECT 'it''s; fine'",
    String.raw`SELECT E'it\'s; fine', 'a\'`,
    "SELECT $$it's; fine$$, $tag$ $$; 'still' $tag$",
    "SELECT $1, typeof('x')",
    periodTotals(NO_FILTER).sql,
    periodVisitors(NO_FILTER).sql,
    oneRowVisitorsPerDay(NO_FILTER).sql,
    moreRowsVisitorsPerDay(NO_FILTER).sql,
  ]) {
    assert.equal(isQuestion(sql), true, sql);
  }
});

test("changes: anything else, or a change after a question", () => {
  for (const sql of [
    "SET memory_limit = '32MB'",
    "CREATE TABLE too_big AS SELECT range AS n FROM range(20000000)",
    "create temp view recent as select * from events",
    "INSERT INTO t VALUES (1)",
    "SELECT 1; CREATE TABLE t AS SELECT 2",
    "SELECT 'a;b'; DROP TABLE t",
    "-- a comment\nATTACH 'x.db'",
    "PRAGMA threads = 2",
    "COPY events TO 'e.parquet'",
    "'SELECT'",
  ]) {
    assert.equal(isQuestion(sql), false, sql);
  }
});

// Quoted text DuckDB reads differently from '…': a quote inside it, taken as opening a string,
// would hide the statement after it. DuckDB itself shows each statement here runs the DROP.
test("changes after DuckDB's other quotes: escape strings and dollar quotes", async () => {
  const duckdb = await openDuckDB();
  for (const sql of [
    String.raw`SELECT E'it\'s'; DROP TABLE t`,
    String.raw`SELECT e'\\'; DROP TABLE t; SELECT ''`,
    "SELECT $$it's$$; DROP TABLE t",
    "SELECT $q$it's; $$ $q$; DROP TABLE t",
    String.raw`SELECT 'a\'; DROP TABLE t; SELECT ''`,
  ]) {
    await duckdb.run("CREATE OR REPLACE TABLE t AS SELECT 1 AS x");
    await duckdb.run(sql);
    const tables = await duckdb.runAndReadAll("SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name = 't'");
    assert.equal(tables.getRows()[0][0], 0, `DuckDB ran the DROP in ${sql}`);
    assert.equal(isQuestion(sql), false, sql);
  }
});
