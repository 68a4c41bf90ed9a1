// The literals a filter change's queries are run with (src/components/sql-literals.ts) select
// exactly the rows the same values bound to a prepared statement select, run by DuckDB over a
// table holding the awkward values: quotes, backslashes, a `?`, comment marks, non-ASCII.
import assert from "node:assert/strict";
import {test} from "node:test";
import {openDuckDB} from "../../data-loaders/write/duckdb.js";
import {withInlineLiterals} from "../../src/components/sql-literals.js";

const AWKWARD = ["it's", "''", "back\\slash\\'", "what?", "-- not a comment", "/* nor this */", "日本語 ✓", "", "a\nb", "O'Brien'); DROP TABLE t; --"];

async function tableOfAwkwardValues() {
  const duckdb = await openDuckDB();
  await duckdb.run("CREATE TABLE t (s VARCHAR, n BIGINT, x DOUBLE, ts TIMESTAMP)");
  for (const [i, s] of AWKWARD.entries()) await duckdb.run("INSERT INTO t VALUES (?, ?, ?, CAST(? AS TIMESTAMP))", [s, i, i / 3, `2026-11-2${i % 10}`]);
  return duckdb;
}

test("each awkward string as a literal selects the one row the bound value selects", async () => {
  const duckdb = await tableOfAwkwardValues();
  for (const value of AWKWARD) {
    const sql = "SELECT n, '?' AS mark FROM t WHERE s = ? -- a ? here is text\n ORDER BY n";
    const inline = withInlineLiterals(sql, [value]);
    assert.notEqual(inline, null, value);
    const bound = (await duckdb.runAndReadAll(sql, [value])).getRowObjectsJS();
    const literal = (await duckdb.runAndReadAll(inline!)).getRowObjectsJS();
    assert.equal(bound.length, 1, value);
    assert.deepEqual(literal, bound, value);
  }
});

test("numbers, a date string, booleans and NULL give the same answer as bound values", async () => {
  const duckdb = await tableOfAwkwardValues();
  const sql = `SELECT count(*) AS c, sum(n) AS total FROM t WHERE n >= ? AND x < ? AND ts >= CAST(? AS TIMESTAMP) AND ts < CAST(? AS TIMESTAMP) + INTERVAL 1 DAY AND (? OR s IS NULL) AND coalesce(?, 'x') = 'x' AND "s" IS NOT NULL`;
  const params = [1, 2.5, "2026-11-21", "2026-11-28", true, null];
  const bound = (await duckdb.runAndReadAll(sql, params as never)).getRowObjectsJS();
  const literal = (await duckdb.runAndReadAll(withInlineLiterals(sql, params)!)).getRowObjectsJS();
  assert.deepEqual(literal, bound);
  assert.ok(Number(bound[0].c) > 0, "the filter keeps some rows, so the comparison means something");
});

test("values that cannot be written exactly, or a count of ? that does not match, keep the prepared statement", () => {
  assert.equal(withInlineLiterals("SELECT ?", ["nul\0"]), null);
  assert.equal(withInlineLiterals("SELECT ?", [Number.NaN]), null);
  assert.equal(withInlineLiterals("SELECT ?", [[1, 2]]), null);
  assert.equal(withInlineLiterals("SELECT ?", [10n]), null);
  assert.equal(withInlineLiterals("SELECT ?, ?", ["a"]), null);
  assert.equal(withInlineLiterals("SELECT '?'", ["a"]), null);
  assert.equal(withInlineLiterals("SELECT ? /* ? */", ["a"]), "SELECT 'a' /* ? */");
});
