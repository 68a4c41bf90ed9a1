// Some visitors' visits taken out of a day's kept visit rows and put back as counted now
// (data-loaders/rollups/visitors-recounted.ts), in DuckDB: counts and sums come out exact, a
// row's bytes stay NULL exactly when none of its visits logged any, and the rows it cannot tell
// (what is left could be visits of 0 bytes or of none; taken away what was never kept) are
// marked unsure, for the caller to count the day again.
import assert from "node:assert/strict";
import {test} from "node:test";
import {visitorsRecountedSql} from "../../data-loaders/rollups/visitors-recounted.js";
import {withDuckDB} from "../../data-loaders/write/duckdb.js";

type Row = [key: string, visits: number, bytes: number | null];

/** Rows of (key, visits, pages, bytes), pages as many as visits. */
const rows = (list: Row[]) =>
  list.length === 0
    ? "SELECT NULL::VARCHAR AS key, NULL::BIGINT AS visits, NULL::BIGINT AS pages, NULL::BIGINT AS bytes WHERE false"
    : `SELECT * FROM (VALUES ${list.map(([k, v, b]) => `('${k}', ${v}::BIGINT, ${v}::BIGINT, ${b === null ? "NULL" : b}::BIGINT)`).join(", ")}) t(key, visits, pages, bytes)`;

async function recounted(kept: Row[], before: Row[], now: Row[]) {
  return withDuckDB({}, async (duckdb) => {
    const sql = visitorsRecountedSql(rows(kept), rows(before), rows(now), {keys: ["key"], count: "visits", sums: ["pages"], nullableSum: "bytes"});
    const reader = await duckdb.runAndReadAll(`SELECT key, visits, pages, bytes, unsure FROM (${sql}) ORDER BY key`);
    return reader.getRowObjectsJson().map(({key, visits, pages, bytes, unsure}) => ({key, visits: Number(visits), pages: Number(pages), bytes: bytes === null ? null : Number(bytes), unsure}));
  });
}

test("the recounted visitors' visits are taken out and put back; bytes stay NULL where no visit logged any", async () => {
  const out = await recounted(
    [["a", 3, 30], ["b", 2, null], ["c", 1, 7], ["g", 2, 9], ["h", 4, 12]],
    [["a", 1, 10], ["b", 1, null], ["c", 1, 7], ["g", 1, null]],
    [["a", 2, 5], ["f", 1, null], ["c", 1, null]],
  );
  assert.deepEqual(out, [
    {key: "a", visits: 4, pages: 4, bytes: 25, unsure: false},
    {key: "b", visits: 1, pages: 1, bytes: null, unsure: false},
    // Its one visit taken out and one with no bytes put back: NULL, not 0.
    {key: "c", visits: 1, pages: 1, bytes: null, unsure: false},
    {key: "f", visits: 1, pages: 1, bytes: null, unsure: false},
    {key: "g", visits: 1, pages: 1, bytes: 9, unsure: false},
    {key: "h", visits: 4, pages: 4, bytes: 12, unsure: false},
  ]);
});

test("a row with no visit left comes out with 0 visits, for the caller to drop", async () => {
  assert.deepEqual(await recounted([["c", 1, 7]], [["c", 1, 7]], []), [{key: "c", visits: 0, pages: 0, bytes: null, unsure: false}]);
});

test("what cannot be told is unsure: bytes left that may be 0 or none, rows taken away that were never kept", async () => {
  // Two visits had 7 bytes between them and the one taken out had 7: the other had 0 bytes, or logged none.
  assert.deepEqual(await recounted([["d", 2, 7]], [["d", 1, 7]], []), [{key: "d", visits: 1, pages: 1, bytes: 0, unsure: true}]);
  assert.equal((await recounted([], [["e", 1, 3]], []))[0].unsure, true);
  assert.equal((await recounted([["e", 1, 3]], [["e", 2, 3]], []))[0].unsure, true);
  assert.equal((await recounted([["e", 1, null]], [["e", 1, 3]], []))[0].unsure, true);
});

test("a row whose recounted visits came out as before is not changed", async () => {
  const changed = await withDuckDB({}, async (duckdb) => {
    const sql = visitorsRecountedSql(rows([["a", 3, 30], ["b", 1, null]]), rows([["a", 1, 10], ["b", 1, null]]), rows([["a", 1, 10], ["b", 1, 4]]), {keys: ["key"], count: "visits", sums: ["pages"], nullableSum: "bytes"});
    return (await duckdb.runAndReadAll(`SELECT key, changed FROM (${sql}) ORDER BY key`)).getRowObjectsJson();
  });
  assert.deepEqual(changed, [{key: "a", changed: false}, {key: "b", changed: true}]);
});
