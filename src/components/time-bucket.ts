// Picks a time bucket that gives a readable number of bars or points for a time range.

export interface TimeBucket {
  /** A DuckDB INTERVAL literal, safe to put into SQL: it comes from this fixed list only. */
  sql: string;
  /** How the bucket reads in a label, e.g. "per hour". */
  label: string;
  milliseconds: number;
}

const MINUTE = 60_000;
const BUCKETS: TimeBucket[] = [
  {sql: "INTERVAL 1 MINUTE", label: "per minute", milliseconds: MINUTE},
  {sql: "INTERVAL 5 MINUTE", label: "per 5 minutes", milliseconds: 5 * MINUTE},
  {sql: "INTERVAL 15 MINUTE", label: "per 15 minutes", milliseconds: 15 * MINUTE},
  {sql: "INTERVAL 1 HOUR", label: "per hour", milliseconds: 60 * MINUTE},
  {sql: "INTERVAL 6 HOUR", label: "per 6 hours", milliseconds: 360 * MINUTE},
  {sql: "INTERVAL 1 DAY", label: "per day", milliseconds: 1440 * MINUTE},
  {sql: "INTERVAL 7 DAY", label: "per week", milliseconds: 7 * 1440 * MINUTE},
];

/**
 * The finest bucket that keeps the range under `maxBuckets` buckets, and is at least
 * `minMilliseconds` wide (a chart over hourly rollups cannot show minutes).
 */
export function timeBucketFor(first: Date | null, last: Date | null, maxBuckets = 200, minMilliseconds = 0): TimeBucket {
  const span = first && last ? last.getTime() - first.getTime() : 0;
  return BUCKETS.find((b) => b.milliseconds >= minMilliseconds && span / b.milliseconds <= maxBuckets) ?? BUCKETS[BUCKETS.length - 1];
}

/**
 * DuckDB's time_bucket counts buckets from this origin (a Monday, midnight UTC) for widths
 * without months, so weeks start on Mondays and 6-hour buckets at 00, 06, 12 and 18 UTC.
 */
const TIME_BUCKET_ORIGIN = Date.UTC(2000, 0, 3);

/** The start of the bucket holding `time`, as `time_bucket(bucket.sql, time)` gives it. */
export function bucketStart(bucket: TimeBucket, time: Date): Date {
  const ms = bucket.milliseconds;
  return new Date(TIME_BUCKET_ORIGIN + Math.floor((time.getTime() - TIME_BUCKET_ORIGIN) / ms) * ms);
}
