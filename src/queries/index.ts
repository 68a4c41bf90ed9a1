// The Overview's queries (src/index.md: this module is named after the page), over the rollups:
// headline numbers, requests over time by status class, top paths and countries.
import {requestsOverTimeSource} from "../components/hourly.js";
import {timeBucketFor, type TimeBucket} from "../components/time-bucket.js";
import * as filterBar from "./filter-bar.js";
import {DEFAULT_PATHS_WHERE, filtered, NO_FILTER, type Ask, type Where} from "./query.js";

export const summary = (where: Where) =>
  filtered(where, `
  SELECT coalesce(sum(requests), 0) AS requests,
         sum(bytes) AS bytes,
         sum(requests) FILTER (WHERE status >= 400) / sum(requests) AS error_rate,
         count(DISTINCT log_stream) AS instances,
         min(first_ts) AS first,
         max(last_ts) AS last
  FROM requests_hourly ${where.sql}`);

export const clients = (where: Where) => filtered(where, `SELECT count(DISTINCT client_ip) AS clients FROM requests_by_client ${where.sql}`);

export const requestsByStatus = (where: Where, bucket: TimeBucket) =>
  filtered(where, `
  SELECT time_bucket(${bucket.sql}, ts) AS time,
         coalesce((status // 100)::VARCHAR || 'xx', 'unknown') AS status_class,
         sum(requests) AS requests
  FROM ${requestsOverTimeSource(bucket)} ${where.sql}
  GROUP BY ALL
  HAVING time IS NOT NULL
  ORDER BY time`);

export const topPaths = (where: Where) =>
  filtered(where, `
  SELECT path, sum(requests) AS requests
  FROM requests_by_path ${where.sql}
  GROUP BY path
  HAVING path IS NOT NULL
  ORDER BY requests DESC, path
  LIMIT 10`);

export const topCountries = (where: Where) =>
  filtered(where, `
  SELECT coalesce(country, 'Unknown') AS country, sum(requests) AS requests
  FROM requests_by_country ${where.sql}
  GROUP BY ALL
  ORDER BY requests DESC, country
  LIMIT 10`);

/** What the page asks with the default filter, in the page's order. */
export async function firstView(ask: Ask, where = NO_FILTER, pathsWhere = DEFAULT_PATHS_WHERE): Promise<void> {
  await filterBar.firstView(ask);
  const [range] = await ask(summary(where));
  await ask(clients(where));
  await ask(requestsByStatus(where, timeBucketFor(range.first as Date | null, range.last as Date | null)));
  await ask(topPaths(pathsWhere));
  await ask(topCountries(where));
}
