// The Top talkers page's queries (src/top-talkers.md), over the per-client rows
// (requests_by_client_id, summed by client or place first, then joined to their labels:
// client-places.ts): the clients and networks (IPv4 /24, IPv6 /48, and autonomous systems when
// GeoLite2 ASN is configured) that sent the most requests and took the most bytes.
import {placeSums} from "./client-places.js";
import * as filterBar from "./filter-bar.js";
import {andWhere, filtered, NO_FILTER, type Ask, type Query, type Where} from "./query.js";

export type TalkerOrder = "requests" | "bytes";

/** What a client's (or a place's) rows sum to, for the talker tables' columns over the sums. */
const TALKER_SUMS = `sum(requests) AS requests, sum(bytes) AS bytes, sum(requests) FILTER (WHERE status >= 400) AS errors,
           min(first_ts) AS first_seen, max(last_ts) AS last_seen`;

/** The orders the page ranks clients and networks by, each a table of its own. */
export const TALKER_ORDERS: readonly TalkerOrder[] = ["requests", "bytes"];

/** What a group of sums (TALKER_SUMS) sums to, for a group of groups: a network's places. */
const SUMS_OF_SUMS = `sum(requests) AS requests, sum(bytes) AS bytes, sum(errors) AS errors, min(first_seen) AS first_seen, max(last_seen) AS last_seen`;

/**
 * The top 15 of `sums` (a table of TALKER_SUMS, one row per client or network) by each order,
 * every row tagged with the order it ranks by (ranked_by): both tables from one sum of the rows.
 * Each order keeps its first 15 by the measure alone, with the rows tied with the 15th, then ranks
 * them by the measure and `key`: the same rows as ranking every row so. `labels`, when given (a
 * JOIN), gives those few rows their `key` and shown columns, not the thousands summed. The share
 * is of every request (or byte) in the selection, the error rate the share of 4xx and 5xx.
 */
const topByEachOrder = (sums: string, key: string, columns: string, labels = "") => `
  SELECT ranked_by, ${columns}, requests, bytes, share, error_rate, first_seen, last_seen
  FROM (
    SELECT *, coalesce(errors, 0) / requests AS error_rate,
           row_number() OVER (PARTITION BY ranked_by ORDER BY measure DESC NULLS LAST, ${key}) AS rank
    FROM (${TALKER_ORDERS.map(
      (order) => `
      SELECT '${order}' AS ranked_by, *, ${order} AS measure, ${order} / sum(${order}) OVER () AS share,
             rank() OVER (ORDER BY ${order} DESC NULLS LAST) AS measure_rank
      FROM ${sums}`,
    ).join("\n      UNION ALL")}
    ) ${labels}
    WHERE measure_rank <= 15
  )
  WHERE rank <= 15
  ORDER BY ranked_by, rank`;

/** One order's table of a ranking (clients or networks): its rows in rank order, without the tag. */
export function rankedBy<T extends {ranked_by?: unknown}>(rows: readonly T[], order: TalkerOrder): Omit<T, "ranked_by">[] {
  return rows.filter((row) => row.ranked_by === order).map(({ranked_by: _, ...row}) => row);
}

// Each client summed by its number, then its address and place joined to the busiest by requests
// and by bytes only (one place per client: an address GeoLite2 placed twice shows one of them).
export const clients = (where: Where) =>
  filtered(where, `
  WITH client_sums AS MATERIALIZED (
    SELECT any_value(place_id) AS place_id, ${TALKER_SUMS}
    FROM requests_by_client_id ${where.sql}
    GROUP BY client_id
  )${topByEachOrder("client_sums", "client_ip", "client_ip AS client, country, as_org AS organisation", "JOIN client_places USING (place_id)")}`);

// Each place summed, then grouped by its network, a label of the place found once when the
// rollups were made (client_places' `network`: data-loaders/contracts/network.ts), not from the address
// at each redraw. A client counts once however many places it has (GeoLite2 updated between two
// syncs): its places share its address, so its network.
export const networks = (where: Where) =>
  filtered(where, `
  WITH network_sums AS MATERIALIZED (
    SELECT coalesce(network, '(host names)') AS network, count(DISTINCT client_id) AS clients, ${SUMS_OF_SUMS}
    FROM ${placeSums(where, TALKER_SUMS)}
    GROUP BY 1
  )${topByEachOrder("network_sums", "network", "network, clients")}`);

/**
 * By autonomous system: only clients GeoLite2 ASN knows (none without the ASN database), so only
 * their places are summed; the share is of every request in the selection, counted from the
 * hourly rows, which count every request by the same filter columns in far fewer rows (at 10M
 * events, one instance: 13 ms of the question's 27 against the per-client rows).
 */
export const autonomousSystems = (where: Where): Query => ({
  sql: `
  SELECT asn, any_value(as_org) AS organisation, count(DISTINCT client_id) AS clients,
         sum(requests) AS requests, sum(bytes) AS bytes,
         sum(requests) / (SELECT sum(requests) FROM requests_hourly ${where.sql}) AS share,
         coalesce(sum(errors), 0) / sum(requests) AS error_rate,
         min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM ${placeSums({sql: andWhere(where, "place_id IN (SELECT place_id FROM client_places WHERE asn IS NOT NULL)"), params: where.params}, TALKER_SUMS)}
  GROUP BY asn
  ORDER BY requests DESC, asn
  LIMIT 15`,
  // The filter's values twice: for the share's total, then for the places' sums.
  params: [...where.params, ...where.params],
});

/** What the page asks with the default filter, in the page's order. */
export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(clients(where));
  await ask(networks(where));
  await ask(autonomousSystems(where));
}
