// The Top talkers page's queries (src/top-talkers.md), over the per-client rows
// (requests_by_client_id, summed by client or place first, then joined to their labels:
// client-places.ts): the clients and networks (IPv4 /24, IPv6 /48, and autonomous systems when
// GeoLite2 ASN is configured) that sent the most requests and took the most bytes.
import {placeSums} from "./client-places.js";
import * as filterBar from "./filter-bar.js";
import {filtered, NO_FILTER, type Ask, type Where} from "./query.js";

export type TalkerOrder = "requests" | "bytes";

/** What every talker table shows of a group of clients: its share of all requests (or bytes), error rate, first and last seen. */
const talkerColumns = (order: TalkerOrder) => `
         sum(requests) AS requests, sum(bytes) AS bytes,
         sum(${order}) / sum(sum(${order})) OVER () AS share,
         coalesce(sum(requests) FILTER (WHERE status >= 400), 0) / sum(requests) AS error_rate,
         min(first_ts) AS first_seen, max(last_ts) AS last_seen`;

/** What a client's (or a place's) rows sum to, for the talker tables' columns over the sums (talkerColumnsOfSums). */
const TALKER_SUMS = `sum(requests) AS requests, sum(bytes) AS bytes, sum(requests) FILTER (WHERE status >= 400) AS errors,
           min(first_ts) AS first_seen, max(last_ts) AS last_seen`;

/** talkerColumns over rows already summed (TALKER_SUMS). */
const talkerColumnsOfSums = (order: TalkerOrder) => `
         sum(requests) AS requests, sum(bytes) AS bytes,
         sum(${order}) / sum(sum(${order})) OVER () AS share,
         coalesce(sum(errors), 0) / sum(requests) AS error_rate,
         min(first_seen) AS first_seen, max(last_seen) AS last_seen`;

// Each client summed by its number, and the address and place joined to the sums (one place per
// client: an address GeoLite2 placed twice shows one of them, as any_value did).
export const clients = (where: Where, order: TalkerOrder) =>
  filtered(where, `
  SELECT client_ip AS client, country, as_org AS organisation, requests, bytes, share, error_rate, first_seen, last_seen
  FROM (
    SELECT client_id, any_value(place_id) AS place_id,${talkerColumns(order)}
    FROM requests_by_client_id ${where.sql}
    GROUP BY client_id
  ) JOIN client_places USING (place_id)
  ORDER BY ${order} DESC NULLS LAST, client
  LIMIT 15`);

// Each place summed, then grouped by its network, a label of the place found once when the
// rollups were made (client_places' `network`: data-loaders/contracts/network.ts), not from the address
// at each redraw. A client counts once however many places it has (GeoLite2 updated between two
// syncs): its places share its address, so its network.
export const networks = (where: Where, order: TalkerOrder) =>
  filtered(where, `
  SELECT coalesce(network, '(host names)') AS network, count(DISTINCT client_id) AS clients,${talkerColumnsOfSums(order)}
  FROM ${placeSums(where, TALKER_SUMS)}
  GROUP BY ALL
  ORDER BY ${order} DESC NULLS LAST, network
  LIMIT 15`);

/** By autonomous system: only clients GeoLite2 ASN knows (none without the ASN database). */
export const autonomousSystems = (where: Where) =>
  filtered(where, `
  SELECT * FROM (
    SELECT asn, any_value(as_org) AS organisation, count(DISTINCT client_id) AS clients,${talkerColumnsOfSums("requests")}
    FROM ${placeSums(where, TALKER_SUMS)}
    GROUP BY asn
  ) WHERE asn IS NOT NULL
  ORDER BY requests DESC, asn
  LIMIT 15`);

/** What the page asks with the default filter, in the page's order. */
export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(clients(where, "requests"));
  await ask(clients(where, "bytes"));
  await ask(networks(where, "requests"));
  await ask(networks(where, "bytes"));
  await ask(autonomousSystems(where));
}
