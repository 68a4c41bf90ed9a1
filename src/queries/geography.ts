// The Geography page's queries (src/geography.md), over requests_by_country and the per-client
// rows (requests_by_client_id, summed by place, with their labels: client-places.ts): located
// requests, countries, cities and networks.
import {placeSums} from "./client-places.js";
import * as filterBar from "./filter-bar.js";
import {filtered, NO_FILTER, rowsOf, type Ask, type Where} from "./query.js";

// Located or not is a question of the country alone: the per-country rows (a row per country and
// day) answer it, not the per-client ones (a row per client and day, about one per request).
export const located = (where: Where) =>
  filtered(where, `
  SELECT coalesce(sum(requests), 0) AS requests,
         coalesce(sum(requests) FILTER (WHERE country IS NOT NULL), 0) AS located,
         coalesce(sum(requests) FILTER (WHERE country IS NULL), 0) AS unknown
  FROM ${rowsOf(where, "requests_by_country")} ${where.sql}`);

export const countries = (where: Where) =>
  filtered(where, `
  SELECT country, any_value(country_code) AS country_code, sum(requests) AS requests, count(DISTINCT client_id) AS clients
  FROM ${placeSums(where, "sum(requests) AS requests")}
  WHERE country IS NOT NULL
  GROUP BY country
  ORDER BY requests DESC, country`);

// A city's point is the mean of its requests' locations, each address weighted by its requests.
export const cities = (where: Where) =>
  filtered(where, `
  SELECT city, country,
         sum(latitude * requests) / sum(requests) AS latitude,
         sum(longitude * requests) / sum(requests) AS longitude,
         sum(requests) AS requests
  FROM ${placeSums(where, "sum(requests) AS requests")}
  WHERE city IS NOT NULL AND latitude IS NOT NULL
  GROUP BY city, country
  ORDER BY requests DESC, city
  LIMIT 300`);

export const networks = (where: Where) =>
  filtered(where, `
  SELECT asn, as_org, sum(requests) AS requests, count(DISTINCT client_id) AS clients
  FROM ${placeSums(where, "sum(requests) AS requests")}
  WHERE asn IS NOT NULL
  GROUP BY asn, as_org
  ORDER BY requests DESC, asn
  LIMIT 100`);

export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(located(where));
  await ask(countries(where));
  await ask(cities(where));
  await ask(networks(where));
}
