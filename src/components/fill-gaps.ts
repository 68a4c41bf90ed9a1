// Time series with a row for every bucket of the range. A query grouped by time bucket has no row
// for an hour with no requests, and a line, area or step drawn through the rows bridges that hour
// with the value before it: an outage disappears. Every time-series chart fills its rows here.
import {bucketStart, type TimeBucket} from "./time-bucket.js";

export interface GapFillOptions<T> {
  bucket: TimeBucket;
  /** The range the chart covers: the data's first and last request within the filter. */
  first: Date | null;
  last: Date | null;
  /** The numbers of an empty bucket, e.g. {requests: 0, bytes: 0}. */
  zero: Partial<T>;
  /** The column that splits the rows into series (status_class, who): each series gets every bucket. */
  series?: keyof T & string;
}

/**
 * `rows` (one per bucket start in `time`, and per series) with a zero row added for every bucket
 * from the one holding `first` to the one holding `last` that has none, ordered by time.
 */
export function fillTimeGaps<T extends {time: Date}>(rows: readonly T[], {bucket, first, last, zero, series}: GapFillOptions<T>): T[] {
  if (first === null || last === null) return [...rows];
  const keyOf = (row: T) => (series === undefined ? "" : String(row[series]));
  const seriesKeys = [...new Set(rows.map(keyOf))];
  if (seriesKeys.length === 0) return [];
  const present = new Set(rows.map((row) => `${row.time.getTime()}|${keyOf(row)}`));
  const filled = [...rows];
  const end = bucketStart(bucket, last).getTime();
  // Week buckets are the widest (7 days); the range picks at most ~200 of them, so this loop is short.
  for (let t = bucketStart(bucket, first).getTime(); t <= end; t += bucket.milliseconds) {
    for (const key of seriesKeys) {
      if (present.has(`${t}|${key}`)) continue;
      const row = {...zero, time: new Date(t)} as T;
      if (series !== undefined) (row as Record<string, unknown>)[series] = key;
      filled.push(row);
    }
  }
  return filled.sort((a, b) => a.time.getTime() - b.time.getTime());
}
