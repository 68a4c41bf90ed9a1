// The User agents page's queries (src/user-agents.md), over requests_by_agent (summed over the
// days when the filter keeps every day: rowsOf) and requests_hourly: the cloud's words, browsers, systems, devices, humans and bots over time.
import {requestsOverTimeSource} from "../components/hourly.js";
import {timeBucketFor, type TimeBucket} from "../components/time-bucket.js";
import * as filterBar from "./filter-bar.js";
import {andWhere, filtered, NO_FILTER, rowsOf, type Ask, type Where} from "./query.js";

export const families = (where: Where) =>
  filtered(where, `
  SELECT coalesce(CASE WHEN is_bot THEN bot_name END, browser, 'Unknown') AS text, sum(requests) AS requests
  FROM ${rowsOf(where, "requests_by_agent")} ${where.sql}
  GROUP BY ALL
  ORDER BY requests DESC, text
  LIMIT 60`);

export const agentStrings = (where: Where) =>
  filtered(where, `
  SELECT user_agent AS text, sum(requests) AS requests
  FROM ${rowsOf(where, "requests_by_agent")} ${andWhere(where, "user_agent IS NOT NULL")}
  GROUP BY user_agent
  ORDER BY requests DESC, text
  LIMIT 40`);

export const browsers = (where: Where) =>
  filtered(where, `SELECT coalesce(browser, 'Unknown') AS browser, sum(requests) AS requests FROM ${rowsOf(where, "requests_by_agent")} ${andWhere(where, "NOT is_bot")} GROUP BY ALL ORDER BY requests DESC, browser LIMIT 12`);

export const systems = (where: Where) =>
  filtered(where, `SELECT coalesce(os, 'Unknown') AS os, sum(requests) AS requests FROM ${rowsOf(where, "requests_by_agent")} ${andWhere(where, "NOT is_bot")} GROUP BY ALL ORDER BY requests DESC, os LIMIT 12`);

export const devices = (where: Where) =>
  filtered(where, `SELECT coalesce(device_type, 'unknown') AS device, sum(requests) AS requests FROM ${rowsOf(where, "requests_by_agent")} ${where.sql} GROUP BY ALL ORDER BY requests DESC, device`);

export const range = (where: Where) => filtered(where, `SELECT min(first_ts) AS first, max(last_ts) AS last FROM requests_hourly ${where.sql}`);

export const humansAndBots = (where: Where, bucket: TimeBucket) =>
  filtered(where, `
  SELECT time_bucket(${bucket.sql}, ts) AS time, CASE WHEN is_bot THEN 'Bots' ELSE 'Humans' END AS who, sum(requests) AS requests
  FROM ${requestsOverTimeSource(bucket)} ${andWhere(where, "ts IS NOT NULL")}
  GROUP BY ALL
  ORDER BY time`);

export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(families(where));
  await ask(agentStrings(where));
  await ask(browsers(where));
  await ask(systems(where));
  await ask(devices(where));
  const [r] = await ask(range(where));
  await ask(humansAndBots(where, timeBucketFor(r.first as Date | null, r.last as Date | null)));
}
