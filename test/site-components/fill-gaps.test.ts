// Time series filled in JavaScript: bucket starts exactly where DuckDB's time_bucket puts them,
// and every bucket of the range, for every series, has a row.
import assert from "node:assert/strict";
import {test} from "node:test";
import {openDuckDB} from "../../data-loaders/write/duckdb.js";
import {fillTimeGaps} from "../../src/components/fill-gaps.js";
import {bucketStart, timeBucketFor} from "../../src/components/time-bucket.js";

const HOUR = 3_600_000;

test("bucketStart agrees with DuckDB's time_bucket for every bucket width the pages use", async () => {
  const duckdb = await openDuckDB();
  const instants = [Date.UTC(2026, 10, 24, 13, 47, 12), Date.UTC(2023, 4, 15, 0, 0, 0), Date.UTC(2026, 2, 29, 1, 59, 59, 999), Date.UTC(1999, 11, 31, 23, 0)];
  for (const span of [HOUR, 10 * HOUR, 40 * HOUR, 8 * 24 * HOUR, 40 * 24 * HOUR, 200 * 24 * HOUR, 3 * 365 * 24 * HOUR]) {
    const bucket = timeBucketFor(new Date(0), new Date(span));
    for (const instant of instants) {
      const reader = await duckdb.runAndReadAll(`SELECT epoch_ms(time_bucket(${bucket.sql}, make_timestamp(${instant * 1000}::BIGINT))) AS start`);
      const expected = Number(reader.getRowObjectsJS()[0].start);
      assert.equal(bucketStart(bucket, new Date(instant)).getTime(), expected, `${bucket.label} at ${new Date(instant).toISOString()}`);
    }
  }
});

test("a six-hour outage becomes six zero rows, for each series, between the first and last request", () => {
  const bucket = timeBucketFor(new Date(0), new Date(72 * HOUR));
  assert.equal(bucket.label, "per hour");
  const start = Date.UTC(2026, 10, 23);
  const rows: {time: Date; who: string; requests: number}[] = [];
  for (let h = 0; h < 24; h++) {
    if (h >= 8 && h < 14) continue;
    rows.push({time: new Date(start + h * HOUR), who: "Humans", requests: 10});
    if (h % 2 === 0) rows.push({time: new Date(start + h * HOUR), who: "Bots", requests: 3});
  }
  const filled = fillTimeGaps(rows, {bucket, first: new Date(start + 5 * 60_000), last: new Date(start + 23 * HOUR + 59 * 60_000), zero: {requests: 0}, series: "who"});
  assert.equal(filled.length, 48, "24 hours × 2 series");
  const outage = filled.filter((r) => r.time.getTime() >= start + 8 * HOUR && r.time.getTime() < start + 14 * HOUR);
  assert.equal(outage.length, 12);
  assert.ok(outage.every((r) => r.requests === 0));
  // Bots' odd hours are zeros too, so their stacked area never bridges them.
  assert.deepEqual(filled.filter((r) => r.who === "Bots" && r.time.getTime() === start + HOUR).map((r) => r.requests), [0]);
  assert.ok(filled.every((r, i) => i === 0 || r.time >= filled[i - 1].time), "in time order");
  // Rows that were there are kept as they were.
  assert.equal(filled.filter((r) => r.requests === 10).length, 18);
});

test("no range (an empty store) leaves the rows as they are", () => {
  const bucket = timeBucketFor(null, null);
  assert.deepEqual(fillTimeGaps<{time: Date; requests: number}>([], {bucket, first: null, last: null, zero: {requests: 0}}), []);
});
