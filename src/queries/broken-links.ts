// The Broken links page's queries (src/broken-links.md), over the broken_links rollup: requests
// answered 404 with where the link was (a page of the site's own hosts, another site, or none).
import * as filterBar from "./filter-bar.js";
import {andWhere, filtered, NO_FILTER, type Ask, type Where} from "./query.js";

export const summary = (where: Where) =>
  filtered(where, `
  SELECT coalesce(sum(requests), 0) AS not_found,
         coalesce(sum(requests) FILTER (WHERE referrer_kind = 'internal'), 0) AS internal,
         coalesce(sum(requests) FILTER (WHERE referrer_kind = 'external'), 0) AS external,
         coalesce(sum(requests) FILTER (WHERE referrer_kind = 'none'), 0) AS no_referrer
  FROM broken_links ${where.sql}`);

/** The missing paths the site's own pages link to, with the pages that do. */
export const internalTargets = (where: Where) =>
  filtered(where, `
  SELECT error_target AS target, sum(requests) AS requests,
         count(DISTINCT referrer_path) AS linking_pages,
         string_agg(DISTINCT referrer_path, ', ' ORDER BY referrer_path) AS linked_from
  FROM broken_links ${andWhere(where, "referrer_kind = 'internal'")}
  GROUP BY error_target
  ORDER BY requests DESC, target
  LIMIT 20`);

/** The site's own pages holding the most broken links (by the 404s they led to). */
export const linkingPages = (where: Where) =>
  filtered(where, `
  SELECT referrer_path AS page, sum(requests) AS requests
  FROM broken_links ${andWhere(where, "referrer_kind = 'internal'")}
  GROUP BY referrer_path
  ORDER BY requests DESC, page
  LIMIT 10`);

/** The missing paths other sites link to, with those sites. */
export const externalTargets = (where: Where) =>
  filtered(where, `
  SELECT error_target AS target, sum(requests) AS requests,
         count(DISTINCT referrer_host) AS linking_sites,
         string_agg(DISTINCT referrer_host, ', ' ORDER BY referrer_host) AS linked_from
  FROM broken_links ${andWhere(where, "referrer_kind = 'external'")}
  GROUP BY error_target
  ORDER BY requests DESC, target
  LIMIT 20`);

/** What the page asks with the default filter, in the page's order. */
export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(summary(where));
  await ask(linkingPages(where));
  await ask(internalTargets(where));
  await ask(externalTargets(where));
}
