// The blocks of days whose rollups ship together (data-loaders/site-data.ts: rollupBlocks): a
// block stays the same as later days land, so a rebuild combines again only the changed one.
import assert from "node:assert/strict";
import {test} from "node:test";
import {rollupBlocks, type StoredDay} from "../../data-loaders/site-data.js";

const stored = (day: string, rollupsVersion = "v1"): StoredDay => ({day, events: 1, version: rollupsVersion, rollupsVersion});
const names = (days: StoredDay[]) => rollupBlocks(days).map((b) => `${b.name}: ${b.days.map((d) => d.day).join(" ")}`);

test("the latest month's days are in blocks of 1–7, 8–14, 15–21, 22–28 and 29 on; earlier months one block each; undated events one", () => {
  const days = ["2024-12-30", "2025-01-01", "2025-01-07", "2025-01-08", "2025-01-28", "2025-01-29", "2025-01-31", "2025-02-03", "undated"].map((d) => stored(d));
  assert.deepEqual(names(days), [
    "2024-12: 2024-12-30",
    "2025-01: 2025-01-01 2025-01-07 2025-01-08 2025-01-28 2025-01-29 2025-01-31",
    "2025-02-01: 2025-02-03",
    "undated: undated",
  ]);
  assert.deepEqual(names(days.slice(1, 7)), ["2025-01-01: 2025-01-01 2025-01-07", "2025-01-08: 2025-01-08", "2025-01-22: 2025-01-28", "2025-01-29: 2025-01-29 2025-01-31"]);
});

test("a block's version changes with its days' rollups and with no other block's", () => {
  const before = rollupBlocks(["2025-01-02", "2025-01-09", "2025-01-10"].map((d) => stored(d)));
  const after = rollupBlocks([stored("2025-01-02"), stored("2025-01-09"), stored("2025-01-10", "v2")]);
  assert.equal(after[0].version, before[0].version);
  assert.notEqual(after[1].version, before[1].version);
  // A day landing in the same block changes it; one in a new block leaves the others as they were.
  const later = rollupBlocks([...["2025-01-02", "2025-01-09", "2025-01-10"].map((d) => stored(d)), stored("2025-01-15")]);
  assert.deepEqual(later.slice(0, 2).map((b) => b.version), before.map((b) => b.version));
});
