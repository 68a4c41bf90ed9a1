// The instance page's queries (src/instances/[instance].md): one log stream's numbers, over the
// rollups. The global filters do not apply there; each query takes the instance, and leaves out
// your own traffic as the filters do by default.
import {requestsOverTimeSource} from "../components/hourly.js";
import {timeBucketFor, type TimeBucket} from "../components/time-bucket.js";
import type {Ask, Query} from "./query.js";

export const summary = (instance: string): Query => ({
  sql: `
  SELECT coalesce(sum(requests), 0) AS requests, sum(bytes) AS bytes,
         sum(requests) FILTER (WHERE status >= 400) / sum(requests) AS error_rate,
         min(first_ts) AS first, max(last_ts) AS last
  FROM requests_hourly WHERE log_stream = ? AND NOT own_traffic`,
  params: [instance],
});

export const clients = (instance: string): Query => ({sql: "SELECT count(DISTINCT client_id) AS clients FROM requests_by_client_id WHERE log_stream = ? AND NOT own_traffic", params: [instance]});

export const requestsByStatus = (instance: string, bucket: TimeBucket): Query => ({
  sql: `
  SELECT time_bucket(${bucket.sql}, ts) AS time, coalesce((status // 100)::VARCHAR || 'xx', 'unknown') AS status_class, sum(requests) AS requests
  FROM ${requestsOverTimeSource(bucket)} WHERE log_stream = ? AND NOT own_traffic
  GROUP BY ALL HAVING time IS NOT NULL ORDER BY time`,
  params: [instance],
});

export const topPaths = (instance: string): Query => ({
  sql: `
  SELECT path, sum(requests) AS requests FROM requests_by_path
  WHERE log_stream = ? AND NOT own_traffic AND request_class = 'page' AND path IS NOT NULL
  GROUP BY path ORDER BY requests DESC, path LIMIT 10`,
  params: [instance],
});

export async function firstView(ask: Ask, instance: string): Promise<void> {
  const [s] = await ask(summary(instance));
  await ask(clients(instance));
  await ask(requestsByStatus(instance, timeBucketFor(s.first as Date | null, s.last as Date | null)));
  await ask(topPaths(instance));
}
