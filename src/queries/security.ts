// The Security page's queries (src/security.md), over the rollups: bots by name, suspicious
// requests, the clients and networks behind most 4xx, bursts of errors.
import * as filterBar from "./filter-bar.js";
import {andWhere, filtered, NO_FILTER, type Ask, type Query, type Where} from "./query.js";

/** The suspicious matches listed per kind: the newest, so that millions of them need not reach the browser. */
export const MATCHES_SHOWN = 1000;

/** How many bots the page ranks by their requests. */
const BOTS_SHOWN = 20;

// The busiest bots by name. The requests are summed by the bot's number (bot_id): DuckDB groups
// small integers through an array rather than a hash table of every name.
export const botRequests = (where: Where) =>
  filtered(where, `
  SELECT bot_id, coalesce(any_value(bot_name), 'unnamed') AS bot, sum(requests) AS requests
  FROM requests_by_visitor ${andWhere(where, "is_bot")}
  GROUP BY bot_id
  ORDER BY requests DESC, bot
  LIMIT ${BOTS_SHOWN}`);

// Each bot's clients: bot and client numbers grouped through the array, then counted. A question
// of its own rather than a join with botRequests: the page's two engines answer them side by side.
export const botClients = (where: Where) =>
  filtered(where, `
  SELECT bot_id, count(*) AS clients
  FROM (SELECT bot_id, client_id FROM requests_by_visitor ${andWhere(where, "is_bot AND client_id IS NOT NULL")} GROUP BY ALL)
  GROUP BY bot_id`);

/**
 * Bots by name with their requests and clients: botRequests and botClients, asked together, each
 * bot's clients found by its number (the bots without a name have none, and are one row).
 */
export async function bots(where: Where, ask: Ask): Promise<{bot: string; requests: number; clients: number}[]> {
  const [named, counted] = await Promise.all([ask(botRequests(where)), ask(botClients(where))]);
  const clientsOf = new Map(counted.map((row) => [row.bot_id, Number(row.clients)]));
  return named.map((row) => ({bot: String(row.bot), requests: Number(row.requests), clients: clientsOf.get(row.bot_id) ?? 0}));
}

// Each match with the total of its kind; the newest of each kind kept.
export const suspicious = (where: Where) =>
  filtered(where, `
  SELECT * FROM (
    SELECT suspicious_kind AS kind, client_ip, country, status, url, user_agent, ts, requests,
           sum(requests) OVER (PARTITION BY suspicious_kind) AS kind_total,
           row_number() OVER (PARTITION BY suspicious_kind ORDER BY ts DESC NULLS LAST, url) AS newest
    FROM suspicious_requests ${where.sql})
  WHERE newest <= ${MATCHES_SHOWN}
  ORDER BY ts DESC NULLS LAST, kind, url`);

// Each client's errors and the paths it asked for: its rows summed by path first, then the paths
// counted (a count of groups, where count(DISTINCT path) kept a set per client: at 10M events,
// one instance, 64 → 50 ms). Its country, network and bot are looked up for the 15 shown only.
export const clients4xx = (where: Where): Query => ({
  sql: `
  WITH top AS (
    SELECT client_ip, sum(requests) AS errors, count(path) AS paths
    FROM (
      SELECT client_ip, path, sum(requests) AS requests
      FROM errors_by_client ${andWhere(where, "status BETWEEN 400 AND 499")}
      GROUP BY client_ip, path)
    GROUP BY client_ip
    ORDER BY errors DESC, client_ip
    LIMIT 15)
  SELECT client_ip, any_value(country) AS country, any_value(as_org) AS network, errors, paths, any_value(bot_name) AS bot
  FROM top JOIN (SELECT client_ip, country, as_org, bot_name FROM errors_by_client ${andWhere(where, "status BETWEEN 400 AND 499")}) USING (client_ip)
  GROUP BY client_ip, errors, paths
  ORDER BY errors DESC, client_ip`,
  // The filter's values twice: for the sums, then for the labels of the clients shown.
  params: [...where.params, ...where.params],
});

// Each network's errors and clients: summed by client first, then the clients counted.
export const networks4xx = (where: Where) =>
  filtered(where, `
  SELECT network, sum(requests) AS errors, count(client_ip) AS clients
  FROM (
    SELECT coalesce(as_org, 'Unknown network (no ASN database)') AS network, client_ip, sum(requests) AS requests
    FROM errors_by_client ${andWhere(where, "status BETWEEN 400 AND 499")}
    GROUP BY ALL)
  GROUP BY network
  ORDER BY errors DESC, network
  LIMIT 10`);

// The minutes with the most errors from one client, with the paths it asked for that minute:
// summed by path first, then the paths counted.
export const bursts = (where: Where) =>
  filtered(where, `
  SELECT client_ip, minute, sum(requests) AS errors, count(path) AS paths
  FROM (
    SELECT client_ip, ts AS minute, path, sum(requests) AS requests
    FROM errors_by_minute ${andWhere(where, "ts IS NOT NULL")}
    GROUP BY ALL)
  GROUP BY ALL
  HAVING sum(requests) >= 2
  ORDER BY errors DESC, minute, client_ip
  LIMIT 15`);

export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await bots(where, ask);
  await ask(suspicious(where));
  await ask(clients4xx(where));
  await ask(networks4xx(where));
  await ask(bursts(where));
}
