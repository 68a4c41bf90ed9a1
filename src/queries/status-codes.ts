// The Status codes page's queries (src/status-codes.md), over the rollups: classes over time,
// every code's share, the URLs behind 404 and 5xx, the error rate per instance.
import {timeBucketFor} from "../components/time-bucket.js";
import * as filterBar from "./filter-bar.js";
import * as overview from "./index.js";
import {andWhere, filtered, NO_FILTER, type Ask, type Where} from "./query.js";

export const range = (where: Where) => filtered(where, `SELECT min(first_ts) AS first, max(last_ts) AS last FROM requests_hourly ${where.sql}`);

// The Overview's status classes over time: one query, so both pages answer it alike.
export const byClass = overview.requestsByStatus;

export const codes = (where: Where) =>
  filtered(where, `
  SELECT status, sum(requests) AS requests, sum(requests) / sum(sum(requests)) OVER () AS share
  FROM requests_hourly ${where.sql}
  GROUP BY status
  ORDER BY requests DESC, status`);

export const notFound = (where: Where) =>
  filtered(where, `
  SELECT error_target AS path, sum(requests) AS requests
  FROM errors_by_client ${andWhere(where, "status = 404")}
  GROUP BY ALL
  ORDER BY requests DESC, path
  LIMIT 15`);

export const failed = (where: Where) =>
  filtered(where, `
  SELECT error_target AS path, sum(requests) AS requests
  FROM errors_by_client ${andWhere(where, "status >= 500")}
  GROUP BY ALL
  ORDER BY requests DESC, path
  LIMIT 15`);

export const errorRatePerInstance = (where: Where) =>
  filtered(where, `
  SELECT coalesce(log_stream, 'unknown') AS instance,
         sum(requests) FILTER (WHERE status >= 400) / sum(requests) AS error_rate,
         sum(requests) AS requests
  FROM requests_hourly ${where.sql}
  GROUP BY ALL
  ORDER BY instance`);

export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  const [r] = await ask(range(where));
  await ask(byClass(where, timeBucketFor(r.first as Date | null, r.last as Date | null)));
  await ask(codes(where));
  await ask(notFound(where));
  await ask(failed(where));
  await ask(errorRatePerInstance(where));
}
