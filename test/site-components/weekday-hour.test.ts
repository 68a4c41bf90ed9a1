// The heatmap's occurrences: how many times each hour of each weekday occurs in a range, checked
// against DuckDB counting the hours of the same range.
import assert from "node:assert/strict";
import {test} from "node:test";
import {openDuckDB} from "../../data-loaders/write/duckdb.js";
import {hourSlotsByWeekday, perOccurrence} from "../../src/components/weekday-hour.js";

async function duckdbSlots(first: string, last: string): Promise<number[][]> {
  const duckdb = await openDuckDB();
  const reader = await duckdb.runAndReadAll(`
    SELECT isodow(h) AS weekday, hour(h) AS hour, count(*) AS n
    FROM generate_series(date_trunc('hour', TIMESTAMP '${first}'), TIMESTAMP '${last}', INTERVAL 1 HOUR) AS t(h)
    GROUP BY ALL`);
  const counts = Array.from({length: 7}, () => new Array<number>(24).fill(0));
  for (const row of reader.getRowObjectsJS()) counts[Number(row.weekday) - 1][Number(row.hour)] = Number(row.n);
  return counts;
}

test("30 days from Sunday 1 Nov 2026: Sundays and Mondays five times, the other weekdays four", async () => {
  const span = {first: new Date("2026-11-01T00:00:00Z"), last: new Date("2026-11-30T23:59:59Z")};
  const slots = hourSlotsByWeekday(span, {from: null, to: null});
  assert.deepEqual(slots.map((hours) => hours[12]), [5, 4, 4, 4, 4, 4, 5]);
  assert.deepEqual(slots, await duckdbSlots("2026-11-01 00:00:00", "2026-11-30 23:59:59"));
});

test("partial first and last days, and the filter's days clipping the data's span", async () => {
  const span = {first: new Date("2026-11-03T15:20:00Z"), last: new Date("2026-11-19T09:10:00Z")};
  assert.deepEqual(hourSlotsByWeekday(span, {from: null, to: null}), await duckdbSlots("2026-11-03 15:20:00", "2026-11-19 09:10:00"));
  // The filter's `to` includes its whole day; its `from` starts at midnight.
  const clipped = hourSlotsByWeekday(span, {from: new Date("2026-11-05"), to: new Date("2026-11-12")});
  assert.deepEqual(clipped, await duckdbSlots("2026-11-05 00:00:00", "2026-11-12 23:59:59.999"));
  // A filter wider than the data counts only the data's span: days with no data never enter.
  assert.deepEqual(hourSlotsByWeekday(span, {from: new Date("2026-10-01"), to: new Date("2026-12-31")}), hourSlotsByWeekday(span, {from: null, to: null}));
});

test("averages divide each cell by its own occurrences", () => {
  const slots = hourSlotsByWeekday({first: new Date("2026-11-01T00:00:00Z"), last: new Date("2026-11-30T23:59:59Z")}, {from: null, to: null});
  const cells = perOccurrence([{weekday: 7, hour: 12, requests: 50}, {weekday: 3, hour: 12, requests: 40}], slots);
  assert.deepEqual(cells.map((c) => [c.occurrences, c.average]), [[5, 10], [4, 10]]);
});
