// The instance page's queries (src/instances/[instance].md): one log stream's numbers, over the
// rollups. The global filters do not apply there; each query takes the instance, and leaves out
// your own traffic as the filters do by default.
import {requestsOverTimeSource} from "../components/hourly.js";
import {timeBucketFor, type TimeBucket} from "../components/time-bucket.js";
import * as latency from "./performance.js";
import {filtered, type Ask, type Query, type Where} from "./query.js";

/** The page's one condition: this log stream, your own traffic left out. */
export const instanceWhere = (instance: string): Where => ({sql: "WHERE log_stream = ? AND NOT own_traffic", params: [instance]});

/** A query of the instance: `sql` given the condition's text, with its values. */
const ofInstance = (instance: string, sql: (where: string) => string): Query => {
  const where = instanceWhere(instance);
  return filtered(where, sql(where.sql));
};

export const summary = (instance: string): Query =>
  ofInstance(instance, (where) => `
  SELECT coalesce(sum(requests), 0) AS requests, sum(bytes) AS bytes,
         sum(requests) FILTER (WHERE status >= 400) / sum(requests) AS error_rate,
         min(first_ts) AS first, max(last_ts) AS last
  FROM requests_hourly ${where}`);

export const clients = (instance: string): Query => ofInstance(instance, (where) => `SELECT count(DISTINCT client_id) AS clients FROM requests_by_client_id ${where}`);

export const requestsByStatus = (instance: string, bucket: TimeBucket): Query =>
  ofInstance(instance, (where) => `
  SELECT time_bucket(${bucket.sql}, ts) AS time, coalesce((status // 100)::VARCHAR || 'xx', 'unknown') AS status_class, sum(requests) AS requests
  FROM ${requestsOverTimeSource(bucket)} ${where}
  GROUP BY ALL HAVING time IS NOT NULL ORDER BY time`);

export const topPaths = (instance: string): Query =>
  ofInstance(instance, (where) => `
  SELECT path, sum(requests) AS requests FROM requests_by_path
  ${where} AND request_class = 'page' AND path IS NOT NULL
  GROUP BY path ORDER BY requests DESC, path LIMIT 10`);

/** How many of its requests logged a duration, and the first and last of them (the Performance page's query). */
export const timed = (instance: string): Query => latency.timed(instanceWhere(instance));

/** Its p50, p95 and p99 over every timed request. */
export const responseTime = (instance: string): Query => latency.overall(instanceWhere(instance));

/** Its percentiles over time, in the Performance page's buckets. */
export const responseTimeOverTime = (instance: string, bucket: TimeBucket): Query => latency.overTime(instanceWhere(instance), bucket);

export async function firstView(ask: Ask, instance: string): Promise<void> {
  const [s] = await ask(summary(instance));
  await ask(clients(instance));
  await ask(requestsByStatus(instance, timeBucketFor(s.first as Date | null, s.last as Date | null)));
  await ask(topPaths(instance));
  const [t] = await ask(timed(instance));
  if (Number(t.timed) === 0) return;
  await ask(responseTime(instance));
  await ask(responseTimeOverTime(instance, latency.percentileTimeBucket(t.first as Date | null, t.last as Date | null)));
}
