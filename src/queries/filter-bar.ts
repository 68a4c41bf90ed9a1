// The filter bar's own questions: the data's time range, its instances and virtual hosts, from the hourly
// rollups (the same answers as from events, without reading millions of rows). Every page asks
// them first, so every page's first view ships them.
import type {Ask, Query} from "./query.js";

export const dataRange: Query = {sql: "SELECT min(first_ts) AS first, max(last_ts) AS last FROM requests_hourly", params: []};

export const instances: Query = {sql: "SELECT DISTINCT log_stream FROM requests_hourly WHERE log_stream IS NOT NULL ORDER BY 1", params: []};

/** The virtual hosts (`%v`) in the data: none when the log format has no %v, and then the bar offers no vhost choice. */
export const vhosts: Query = {sql: "SELECT DISTINCT vhost FROM requests_hourly WHERE vhost IS NOT NULL ORDER BY 1", params: []};

export async function firstView(ask: Ask): Promise<void> {
  await ask(dataRange);
  await ask(instances);
  await ask(vhosts);
}
