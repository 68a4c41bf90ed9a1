// The Top talkers page's queries (src/top-talkers.md), over requests_by_client: the clients and
// networks (IPv4 /24, IPv6 /48, and autonomous systems when GeoLite2 ASN is configured) that sent
// the most requests and took the most bytes.
import {networkSql} from "../components/network.js";
import * as filterBar from "./filter-bar.js";
import {filtered, NO_FILTER, type Ask, type Where} from "./query.js";

export type TalkerOrder = "requests" | "bytes";

/** What every talker table shows of a group of clients: its share of all requests (or bytes), error rate, first and last seen. */
const talkerColumns = (order: TalkerOrder) => `
         sum(requests) AS requests, sum(bytes) AS bytes,
         sum(${order}) / sum(sum(${order})) OVER () AS share,
         coalesce(sum(requests) FILTER (WHERE status >= 400), 0) / sum(requests) AS error_rate,
         min(first_ts) AS first_seen, max(last_ts) AS last_seen`;

export const clients = (where: Where, order: TalkerOrder) =>
  filtered(where, `
  SELECT any_value(client_ip) AS client, any_value(country) AS country, any_value(as_org) AS organisation,${talkerColumns(order)}
  FROM requests_by_client ${where.sql}
  GROUP BY client_id
  ORDER BY ${order} DESC NULLS LAST, client
  LIMIT 15`);

// Each client summed first, then its network found once per client rather than once per row (a
// client has a row per day and filter value): the same numbers, at a fraction of the string work.
export const networks = (where: Where, order: TalkerOrder) =>
  filtered(where, `
  SELECT coalesce(${networkSql()}, '(host names)') AS network, count(client_ip) AS clients,
         sum(requests) AS requests, sum(bytes) AS bytes,
         sum(${order}) / sum(sum(${order})) OVER () AS share,
         coalesce(sum(errors), 0) / sum(requests) AS error_rate,
         min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM (
    SELECT any_value(client_ip) AS client_ip, sum(requests) AS requests, sum(bytes) AS bytes, sum(requests) FILTER (WHERE status >= 400) AS errors,
           min(first_ts) AS first_seen, max(last_ts) AS last_seen
    FROM requests_by_client ${where.sql}
    GROUP BY client_id
  )
  GROUP BY ALL
  ORDER BY ${order} DESC NULLS LAST, network
  LIMIT 15`);

/** By autonomous system: only clients GeoLite2 ASN knows (none without the ASN database). */
export const autonomousSystems = (where: Where) =>
  filtered(where, `
  SELECT * FROM (
    SELECT asn, any_value(as_org) AS organisation, count(DISTINCT client_id) AS clients,${talkerColumns("requests")}
    FROM requests_by_client ${where.sql}
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
