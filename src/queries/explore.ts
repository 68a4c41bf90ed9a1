// The Explore page's examples (src/explore.md). The first is what the page runs when it opens,
// so it is shipped answered.
import type {Ask} from "./query.js";

export const EXAMPLES: [name: string, sql: string][] = [
  ["Requests per hour per instance, from the rollups", "SELECT ts AS hour, log_stream, sum(requests) AS requests, sum(bytes) AS bytes\nFROM requests_hourly\nGROUP BY ALL\nORDER BY hour, log_stream"],
  ["Requests per hour per instance, from each request", "SELECT date_trunc('hour', ts) AS hour, log_stream, count(*) AS requests\nFROM events\nGROUP BY ALL\nORDER BY hour"],
  ["Top first path segment (the notebook's substring_index)", "SELECT split_part(path, '/', 2) AS section, count(*) AS requests\nFROM events\nWHERE path IS NOT NULL\nGROUP BY section\nORDER BY requests DESC\nLIMIT 20"],
  ["404s by referrer host", "SELECT coalesce(referrer_host, '(none)') AS referrer_host, count(*) AS not_found\nFROM events\nWHERE status = 404\nGROUP BY ALL\nORDER BY not_found DESC\nLIMIT 20"],
  ["Bots by name", "SELECT bot_name, count(*) AS requests, count(DISTINCT client_ip) AS clients\nFROM events\nWHERE is_bot\nGROUP BY bot_name\nORDER BY requests DESC"],
  ["Biggest responses", "SELECT ts, client_ip, path, bytes, user_agent\nFROM events\nORDER BY bytes DESC NULLS LAST\nLIMIT 50"],
  ["Requests per day", "SELECT date_trunc('day', ts) AS day, count(*) AS requests, sum(bytes) AS bytes\nFROM events\nGROUP BY ALL\nORDER BY day"],
  ["Top paths per instance, from the rollups", "SELECT log_stream, path, sum(requests) AS requests\nFROM requests_by_path\nWHERE path IS NOT NULL\nGROUP BY ALL\nORDER BY requests DESC\nLIMIT 20"],
];

export async function firstView(ask: Ask): Promise<void> {
  await ask({sql: EXAMPLES[0][1], params: []});
}
