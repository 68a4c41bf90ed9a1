// The Security page's queries (src/security.md), over the rollups: bots by name, suspicious
// requests, the clients and networks behind most 4xx, bursts of errors.
import * as filterBar from "./filter-bar.js";
import {andWhere, filtered, NO_FILTER, type Ask, type Query, type Where} from "./query.js";

/** The suspicious matches listed per kind: the newest, so that millions of them need not reach the browser. */
export const MATCHES_SHOWN = 1000;

// Bots by name with their clients. The requests are summed by the bot's number (bot_id) and the
// clients grouped by bot and client number, then counted: DuckDB groups small integers through an
// array rather than a hash table of every name and client. (The filter's values twice.)
export const bots = (where: Where): Query => ({
  sql: `
  SELECT coalesce(bot_name, 'unnamed') AS bot, requests, coalesce(clients, 0) AS clients
  FROM (
    SELECT bot_id, any_value(bot_name) AS bot_name, sum(requests) AS requests
    FROM requests_by_visitor ${andWhere(where, "is_bot")}
    GROUP BY bot_id
  ) AS named LEFT JOIN (
    SELECT bot_id, count(*) AS clients
    FROM (SELECT bot_id, client_id FROM requests_by_visitor ${andWhere(where, "is_bot AND client_id IS NOT NULL")} GROUP BY ALL)
    GROUP BY bot_id
  ) AS counted ON named.bot_id IS NOT DISTINCT FROM counted.bot_id
  ORDER BY requests DESC, bot
  LIMIT 20`,
  params: [...where.params, ...where.params],
});

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

export const clients4xx = (where: Where) =>
  filtered(where, `
  SELECT client_ip, any_value(country) AS country, any_value(as_org) AS network,
         sum(requests) AS errors, count(DISTINCT path) AS paths, any_value(bot_name) AS bot
  FROM errors_by_client ${andWhere(where, "status BETWEEN 400 AND 499")}
  GROUP BY client_ip
  ORDER BY errors DESC, client_ip
  LIMIT 15`);

export const networks4xx = (where: Where) =>
  filtered(where, `
  SELECT coalesce(as_org, 'Unknown network (no ASN database)') AS network, sum(requests) AS errors, count(DISTINCT client_ip) AS clients
  FROM errors_by_client ${andWhere(where, "status BETWEEN 400 AND 499")}
  GROUP BY ALL
  ORDER BY errors DESC, network
  LIMIT 10`);

export const bursts = (where: Where) =>
  filtered(where, `
  SELECT client_ip, ts AS minute, sum(requests) AS errors, count(DISTINCT path) AS paths
  FROM errors_by_minute ${andWhere(where, "ts IS NOT NULL")}
  GROUP BY ALL
  HAVING sum(requests) >= 2
  ORDER BY errors DESC, minute, client_ip
  LIMIT 15`);

export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(bots(where));
  await ask(suspicious(where));
  await ask(clients4xx(where));
  await ask(networks4xx(where));
  await ask(bursts(where));
}
