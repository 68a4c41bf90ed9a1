// Where a page counts requests over time. The hourly rollups (requests_hourly) answer any bucket
// of an hour or more without reading the events; a finer bucket means a range of two days or
// less, and then the events themselves are counted: DuckDB reads only those days' row groups.
import {FILTER_COLUMN_LIST} from "./contracts.js";
import type {TimeBucket} from "./time-bucket.js";

const HOUR_MS = 3_600_000;

/** A table (or subquery) with the filter columns, requests and bytes, for `sum(requests)` by time bucket. */
export function requestsOverTimeSource(bucket: TimeBucket): string {
  return bucket.milliseconds >= HOUR_MS ? "requests_hourly" : `(SELECT ${FILTER_COLUMN_LIST}, 1 AS requests, bytes FROM events)`;
}
