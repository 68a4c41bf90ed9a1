// The Performance page's queries (src/performance.md), over the duration rollups (request_latency,
// latency_by_path): how many requests logged a duration, p50/p95/p99 over time, the slowest
// paths, a time × duration heatmap, and the percentiles per instance and per status class.
// A percentile is the duration bucket holding the request of that rank (nearest rank: the
// ⌈q·n⌉-th fastest of n), read back as the duration the bucket stands for: within 2% of the
// exact percentile of the logged durations (data-loaders/contracts/duration-buckets.ts).
import {bucketValueSql} from "../components/contracts.js";
import {timeBucketFor, type TimeBucket} from "../components/time-bucket.js";
import * as filterBar from "./filter-bar.js";
import {filtered, NO_FILTER, type Ask, type Where} from "./query.js";

/** The percentiles the page shows, as fractions and as column names. */
export const PERCENTILES = [
  {q: 0.5, name: "p50_ms"},
  {q: 0.95, name: "p95_ms"},
  {q: 0.99, name: "p99_ms"},
] as const;

/** Duration buckets per heatmap band: 8 buckets of 4% each, a band about 1.38× as wide as the one below. */
export const HEATMAP_BAND_BUCKETS = 8;

/** The rollups count per hour: no chart of them is finer. */
const HOUR_MS = 3_600_000;

/**
 * The heatmap's time bucket for the range: as the other pages pick it, but never finer than an
 * hour. Percentiles over time take buckets four times as wide: a percentile of a few requests is noise.
 */
export const timeBucket = (first: Date | null, last: Date | null) => timeBucketFor(first, last, 200, HOUR_MS);
export const percentileTimeBucket = (first: Date | null, last: Date | null) => timeBucketFor(first, last, 50, HOUR_MS);

/** Paths with fewer timed requests than this are left out of the slowest paths: one slow answer is not a slow path. */
export const SLOWEST_PATHS_MIN_REQUESTS = 5;

/** Requests in the selection. */
export const requests = (where: Where) => filtered(where, `SELECT coalesce(sum(requests), 0) AS requests FROM requests_hourly ${where.sql}`);

/** How many requests in the selection logged a duration, and the first and last of them. */
export const timed = (where: Where) =>
  filtered(where, `SELECT coalesce(sum(requests), 0) AS timed, min(first_ts) AS first, max(last_ts) AS last FROM request_latency ${where.sql}`);

/**
 * SQL for the percentiles of the duration-bucket counts in `counts` (columns: the `groups`,
 * duration_bucket, n), one row per group with its request count.
 */
function percentilesSql(counts: string, groups: string[]): string {
  const by = groups.join(", ");
  const partition = groups.length > 0 ? `PARTITION BY ${by}` : "";
  const percentile = ({q, name}: {q: number; name: string}) => `${bucketValueSql(`min(duration_bucket) FILTER (WHERE cum >= ceil(${q} * total))`)} / 1000 AS ${name}`;
  return `
  WITH counts AS (${counts}),
  ranked AS (
    SELECT *, sum(n) OVER (${partition} ORDER BY duration_bucket) AS cum, sum(n) OVER (${partition}) AS total
    FROM counts
  )
  SELECT ${groups.map((g) => `${g}, `).join("")}any_value(total) AS requests, ${PERCENTILES.map(percentile).join(", ")}
  FROM ranked
  ${groups.length > 0 ? `GROUP BY ${by}` : ""}`;
}

export const overall = (where: Where) =>
  filtered(where, percentilesSql(`SELECT duration_bucket, sum(requests) AS n FROM request_latency ${where.sql} GROUP BY ALL`, []));

export const overTime = (where: Where, bucket: TimeBucket) =>
  filtered(where, `${percentilesSql(`SELECT time_bucket(${bucket.sql}, ts) AS time, duration_bucket, sum(requests) AS n FROM request_latency ${where.sql} GROUP BY ALL`, ["time"])}
  ORDER BY time`);

export const slowestPaths = (where: Where) =>
  filtered(where, `${percentilesSql(`SELECT path, duration_bucket, sum(requests) AS n FROM latency_by_path ${where.sql} GROUP BY ALL`, ["path"])}
  HAVING any_value(total) >= ${SLOWEST_PATHS_MIN_REQUESTS}
  ORDER BY p95_ms DESC, requests DESC, path
  LIMIT 15`);

export const byInstance = (where: Where) =>
  filtered(where, `${percentilesSql(`SELECT coalesce(log_stream, 'unknown') AS instance, duration_bucket, sum(requests) AS n FROM request_latency ${where.sql} GROUP BY ALL`, ["instance"])}
  ORDER BY instance`);

export const byStatusClass = (where: Where) =>
  filtered(where, `${percentilesSql(`SELECT coalesce(CAST(status // 100 AS VARCHAR) || 'xx', 'unknown') AS status_class, duration_bucket, sum(requests) AS n FROM request_latency ${where.sql} GROUP BY ALL`, ["status_class"])}
  ORDER BY status_class`);

/** Requests per time bucket and duration band (HEATMAP_BAND_BUCKETS duration buckets each). */
export const heatmap = (where: Where, bucket: TimeBucket) =>
  filtered(where, `
  SELECT time_bucket(${bucket.sql}, ts) AS time, duration_bucket // ${HEATMAP_BAND_BUCKETS} AS band, sum(requests) AS requests
  FROM request_latency ${where.sql}
  GROUP BY ALL
  ORDER BY time, band`);

export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(requests(where));
  const [c] = await ask(timed(where));
  // Nothing logged a duration: the page says which LogFormat to add, and asks nothing more.
  if (Number(c.timed) === 0) return;
  const [first, last] = [c.first as Date | null, c.last as Date | null];
  await ask(overall(where));
  await ask(overTime(where, percentileTimeBucket(first, last)));
  await ask(heatmap(where, timeBucket(first, last)));
  await ask(slowestPaths(where));
  await ask(byInstance(where));
  await ask(byStatusClass(where));
}
