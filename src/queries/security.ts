// The Security page's queries (src/security.md), over the rollups: bots by name, suspicious
// requests, the clients and networks behind most 4xx, bursts of errors.
import * as filterBar from "./filter-bar.js";
import {andWhere, filtered, NO_FILTER, type Ask, type Query, type Where} from "./query.js";

/** The suspicious matches listed per kind: the newest, so that millions of them need not reach the browser. */
export const MATCHES_SHOWN = 1000;

/** How many bots the page ranks by their requests. */
const BOTS_SHOWN = 20;

// The busiest bots by name. The requests are summed by the bot's number (bot_id): DuckDB groups
// small integers through an array rather than a hash table of every name. Only the bots summed are
// named, from bot_names, the sums made first (MATERIALIZED: at 10M events, one instance, 11 ms
// against 14 with the join planned over the plain subquery, and 27 with every bot row's name read).
export const botRequests = (where: Where) =>
  filtered(where, `
  WITH sums AS MATERIALIZED (
    SELECT bot_id, sum(requests) AS requests
    FROM requests_by_visitor ${andWhere(where, "is_bot")}
    GROUP BY bot_id)
  SELECT bot_id, coalesce(bot_name, 'unnamed') AS bot, requests
  FROM sums LEFT JOIN bot_names USING (bot_id)
  ORDER BY requests DESC, bot
  LIMIT ${BOTS_SHOWN}`);

// Each bot's clients: the bot and client pairs grouped, then counted. Both are small integers, so
// DuckDB groups the pairs through an array, where count(DISTINCT client_id) kept a hash set per bot
// (at 10M events, one instance, every status: 45 → 26 ms; a status class left out, 16 → 21 ms;
// every instance, 187 → 61 ms). A question of its own rather than a join with botRequests: the
// page's two engines answer them side by side.
export const botClients = (where: Where) =>
  filtered(where, `
  SELECT bot_id, count(client_id) AS clients
  FROM (
    SELECT bot_id, client_id
    FROM requests_by_visitor ${andWhere(where, "is_bot")}
    GROUP BY bot_id, client_id)
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
// one instance, 64 → 50 ms). Its country, network and bot are looked up for the 15 shown only,
// the sums made first (MATERIALIZED: 30 → 22 ms), the least of each where a client has several
// (a client sending two bots' agents), so that every engine names the same one.
export const clients4xx = (where: Where): Query => ({
  sql: `
  WITH top AS MATERIALIZED (
    SELECT client_ip, sum(requests) AS errors, count(path) AS paths
    FROM (
      SELECT client_ip, path, sum(requests) AS requests
      FROM errors_by_client ${andWhere(where, "status BETWEEN 400 AND 499")}
      GROUP BY client_ip, path)
    GROUP BY client_ip
    ORDER BY errors DESC, client_ip
    LIMIT 15)
  SELECT client_ip, min(country) AS country, min(as_org) AS network, errors, paths, min(bot_name) AS bot
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
// the client's minutes summed first, and the paths counted for the 15 shown only (MATERIALIZED,
// as clients4xx; at 10M events, one instance, 21 → 16 ms).
export const bursts = (where: Where): Query => ({
  sql: `
  WITH top AS MATERIALIZED (
    SELECT client_ip, ts AS minute, sum(requests) AS errors
    FROM errors_by_minute ${andWhere(where, "ts IS NOT NULL")}
    GROUP BY ALL
    HAVING sum(requests) >= 2
    ORDER BY errors DESC, minute, client_ip
    LIMIT 15)
  SELECT client_ip, minute, errors, count(DISTINCT path) AS paths
  FROM top JOIN (SELECT client_ip, ts AS minute, path FROM errors_by_minute ${andWhere(where, "ts IS NOT NULL")}) USING (client_ip, minute)
  GROUP BY ALL
  ORDER BY errors DESC, minute, client_ip`,
  // The filter's values twice: for the sums, then for the paths of the minutes shown.
  params: [...where.params, ...where.params],
});

export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await bots(where, ask);
  await ask(suspicious(where));
  await ask(clients4xx(where));
  await ask(networks4xx(where));
  await ask(bursts(where));
}
