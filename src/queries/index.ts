// The Overview's queries (src/index.md: this module is named after the page), over the rollups:
// headline numbers, requests over time by status class, top paths and countries.
import {requestsOverTimeSource} from "../components/hourly.js";
import {comparedPeriods, filterFor} from "../components/compare-periods.js";
import {DEFAULT_FILTER, whereClause} from "../components/event-filter.js";
import {timeBucketFor, type TimeBucket} from "../components/time-bucket.js";
import * as filterBar from "./filter-bar.js";
import {andWhere, DEFAULT_PATHS_WHERE, filtered, NO_FILTER, rowsOf, type Ask, type Row, type Where} from "./query.js";

export const summary = (where: Where) =>
  filtered(where, `
  SELECT coalesce(sum(requests), 0) AS requests,
         sum(bytes) AS bytes,
         sum(requests) FILTER (WHERE status >= 400) / sum(requests) AS error_rate,
         count(DISTINCT log_stream) AS instances,
         min(first_ts) AS first,
         max(last_ts) AS last
  FROM requests_hourly ${where.sql}`);

// Clients are counted by their numbers (client_id: one per address, 1 to the number of addresses,
// the same in every file): grouped by number, then the groups counted, which DuckDB does through an
// array rather than a hash table. Visitors likewise by visitor_id. Both from the per-visitor rows,
// which carry each visitor's client_id: the page then reads one of the two large kinds, not both.
export const clients = (where: Where) =>
  filtered(where, `SELECT count(*) AS clients FROM (SELECT client_id FROM requests_by_visitor ${andWhere(where, "client_id IS NOT NULL")} GROUP BY client_id)`);

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
  FROM ${rowsOf(where, "requests_by_path")} ${where.sql}
  GROUP BY path
  HAVING path IS NOT NULL
  ORDER BY requests DESC, path
  LIMIT 10`);

export const topCountries = (where: Where) =>
  filtered(where, `
  SELECT coalesce(country, 'Unknown') AS country, sum(requests) AS requests
  FROM ${rowsOf(where, "requests_by_country")} ${where.sql}
  GROUP BY ALL
  ORDER BY requests DESC, country
  LIMIT 10`);

/** One period's requests, error rate and bytes, to compare with the period before it. */
export const periodTotals = (where: Where) =>
  filtered(where, `
  SELECT coalesce(sum(requests), 0) AS requests,
         coalesce(sum(requests) FILTER (WHERE status >= 400), 0) / sum(requests) AS error_rate,
         coalesce(sum(bytes), 0) AS bytes
  FROM requests_hourly ${where.sql}`);

/**
 * One period's visitors: distinct client IP × agent, as on Traffic, grouped by number and the
 * groups counted. A question of its own, not a subquery of periodTotals: alone it costs less
 * (at 10M, one instance: 72 ms of CPU against 92 ms for the two as one), and the page's two
 * engines answer it beside the others.
 */
export const periodVisitors = (where: Where) =>
  filtered(where, `SELECT count(*) AS visitors FROM (SELECT visitor_id FROM requests_by_visitor ${where.sql} GROUP BY visitor_id)`);

/** One period's headline numbers (periodTotals and periodVisitors, asked together) as one row. */
export async function periodHeadline(where: Where, ask: Ask): Promise<Row> {
  const [[totals], [{visitors}]] = await Promise.all([ask(periodTotals(where)), ask(periodVisitors(where))]);
  return {...totals, visitors};
}

export const requestsPerMonth = (where: Where) =>
  filtered(where, `
  SELECT date_trunc('month', ts) AS month, sum(requests) AS requests
  FROM requests_hourly ${andWhere(where, "ts IS NOT NULL")}
  GROUP BY 1
  ORDER BY 1`);

/** What the page asks with the default filter, in the page's order. */
export async function firstView(ask: Ask, where = NO_FILTER, pathsWhere = DEFAULT_PATHS_WHERE): Promise<void> {
  await filterBar.firstView(ask);
  const [range] = await ask(summary(where));
  await ask(clients(where));
  await ask(requestsByStatus(where, timeBucketFor(range.first as Date | null, range.last as Date | null)));
  await ask(topPaths(pathsWhere));
  await ask(topCountries(where));
  const [span] = await ask(filterBar.dataRange);
  const periods = comparedPeriods(DEFAULT_FILTER, span as {first: Date | null; last: Date | null});
  if (periods) {
    await periodHeadline(whereClause(filterFor(DEFAULT_FILTER, periods.current)), ask);
    await periodHeadline(whereClause(filterFor(DEFAULT_FILTER, periods.previous)), ask);
  }
  await ask(requestsPerMonth(where));
}
