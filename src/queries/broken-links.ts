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

/**
 * The missing paths linked to from the site's own pages (`internal`, by the linking page's path) or
 * from other sites (`external`, by their host), with where the links were.
 */
const brokenTargets = (where: Where, kind: "internal" | "external", linkedBy: "referrer_path" | "referrer_host", linkingCount: string) =>
  filtered(where, `
  SELECT error_target AS target, sum(requests) AS requests,
         count(DISTINCT ${linkedBy}) AS ${linkingCount},
         string_agg(DISTINCT ${linkedBy}, ', ' ORDER BY ${linkedBy}) AS linked_from
  FROM broken_links ${andWhere(where, `referrer_kind = '${kind}'`)}
  GROUP BY error_target
  ORDER BY requests DESC, target
  LIMIT 20`);

/** The missing paths the site's own pages link to, with the pages that do. */
export const internalTargets = (where: Where) => brokenTargets(where, "internal", "referrer_path", "linking_pages");

/** The missing paths other sites link to, with those sites. */
export const externalTargets = (where: Where) => brokenTargets(where, "external", "referrer_host", "linking_sites");

/** The site's own pages holding the most broken links (by the 404s they led to). */
export const linkingPages = (where: Where) =>
  filtered(where, `
  SELECT referrer_path AS page, sum(requests) AS requests
  FROM broken_links ${andWhere(where, "referrer_kind = 'internal'")}
  GROUP BY referrer_path
  ORDER BY requests DESC, page
  LIMIT 10`);

/** What the page asks with the default filter, in the page's order. */
export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(summary(where));
  await ask(linkingPages(where));
  await ask(internalTargets(where));
  await ask(externalTargets(where));
}
