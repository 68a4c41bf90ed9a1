// The Traffic page's queries (src/traffic.md), over the rollups: volume over time, the weekday ×
// hour heatmap, visitors per day, top paths, referrer hosts and virtual hosts. Each takes the filter's condition.
import {requestsOverTimeSource} from "../components/hourly.js";
import {timeBucketFor, type TimeBucket} from "../components/time-bucket.js";
import * as filterBar from "./filter-bar.js";
import {andWhere, DEFAULT_PATHS_WHERE, filtered, filteredPerDay, NO_FILTER, rowsOf, type Ask, type Query, type Where} from "./query.js";

export const range = (where: Where) => filtered(where, `SELECT min(first_ts) AS first, max(last_ts) AS last FROM requests_hourly ${where.sql}`);

export const volume = (where: Where, bucket: TimeBucket) =>
  filtered(where, `
  SELECT time_bucket(${bucket.sql}, ts) AS time, sum(requests) AS requests, coalesce(sum(bytes), 0) AS bytes
  FROM ${requestsOverTimeSource(bucket)} ${where.sql}
  GROUP BY ALL
  HAVING time IS NOT NULL
  ORDER BY time`);

export const weekdayHour = (where: Where) =>
  filtered(where, `
  SELECT isodow(ts) AS weekday, hour(ts) AS hour, sum(requests) AS requests
  FROM requests_hourly ${andWhere(where, "ts IS NOT NULL")}
  GROUP BY ALL`);

// Visitors per day, the page's costliest question, in two parts the page's two engines answer side
// by side. A visitor with one row that day (visitor_rows = 1, most of them) is one visitor
// whenever its row passes the filter, so those are counted by day and filter columns already
// (one_row_visitors_by_day) and summed; only the others' ids are counted distinct. Each a
// question per day (filteredPerDay).
export const oneRowVisitorsPerDay = (where: Where): Query =>
  filteredPerDay(where, `
  SELECT ts AS day, sum(visitors) AS visitors
  FROM one_row_visitors_by_day ${andWhere(where, "ts IS NOT NULL")}
  GROUP BY ts
  ORDER BY day`);

export const moreRowsVisitorsPerDay = (where: Where): Query =>
  filteredPerDay(where, `
  SELECT ts AS day, count(DISTINCT visitor_id) AS visitors
  FROM requests_by_visitor ${andWhere(where, "ts IS NOT NULL AND visitor_rows > 1")}
  GROUP BY ts
  ORDER BY day`);

/** Visitors per day: the two parts asked together and added up day by day, in day order. */
export async function visitorsPerDay(where: Where, ask: Ask): Promise<{day: Date; visitors: number}[]> {
  const parts = await Promise.all([ask(oneRowVisitorsPerDay(where)), ask(moreRowsVisitorsPerDay(where))]);
  const days = new Map<number, {day: Date; visitors: number}>();
  for (const row of parts.flat()) {
    const day = new Date(row.day as Date);
    const counted = days.get(day.getTime()) ?? {day, visitors: 0};
    counted.visitors += Number(row.visitors);
    days.set(day.getTime(), counted);
  }
  return [...days.values()].sort((a, b) => a.day.getTime() - b.day.getTime());
}

export const topPaths = (where: Where) =>
  filtered(where, `
  SELECT path, sum(requests) AS requests
  FROM ${rowsOf(where, "requests_by_path")} ${andWhere(where, "path IS NOT NULL")}
  GROUP BY path
  ORDER BY requests DESC, path
  LIMIT 15`);

export const referrerHosts = (where: Where) =>
  filtered(where, `
  SELECT referrer_host, sum(requests) AS requests
  FROM ${rowsOf(where, "requests_by_referrer")} ${andWhere(where, "referrer_host IS NOT NULL")}
  GROUP BY referrer_host
  ORDER BY requests DESC, referrer_host
  LIMIT 15`);

/** Requests, bytes and errors per virtual host (%v): no rows when the selection's formats log none. */
export const vhosts = (where: Where) =>
  filtered(where, `
  SELECT vhost, sum(requests) AS requests, coalesce(sum(bytes), 0) AS bytes,
         coalesce(sum(requests) FILTER (WHERE status >= 400), 0) AS errors,
         coalesce(sum(requests) FILTER (WHERE status >= 400), 0) / sum(requests) AS error_rate
  FROM requests_by_vhost ${where.sql}
  GROUP BY vhost
  ORDER BY requests DESC, vhost`);

export async function firstView(ask: Ask, where = NO_FILTER, pathsWhere = DEFAULT_PATHS_WHERE): Promise<void> {
  await filterBar.firstView(ask);
  const [r] = await ask(range(where));
  await ask(volume(where, timeBucketFor(r.first as Date | null, r.last as Date | null)));
  await ask(weekdayHour(where));
  await visitorsPerDay(where, ask);
  await ask(topPaths(pathsWhere));
  await ask(referrerHosts(where));
  await ask(vhosts(where));
}
