// Where a request's referrer points: a page of the site itself (its host is one of the configured
// own hosts), somewhere else, or nowhere (no referrer, or one that is not a URL). The Broken links
// page tells a site's own broken links from other sites' by it.
import {sqlString} from "../write/duckdb.js";

/** SQL over `referrer_host`: 'internal', 'external' or 'none'. */
export function referrerKindSql(ownHosts: readonly string[]): string {
  const own = ownHosts.length > 0 ? `referrer_host IN (${ownHosts.map(sqlString).join(", ")})` : "false";
  return `CASE WHEN referrer_host IS NULL THEN 'none' WHEN ${own} THEN 'internal' ELSE 'external' END`;
}

/**
 * SQL over `referrer`: the path of the page the link was on ("/blog/post"), for a referrer on
 * the site's own hosts; NULL otherwise (another site's pages are told apart by host alone).
 */
export function referrerPathSql(ownHosts: readonly string[]): string {
  const path = `regexp_extract(referrer, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)', 1)`;
  return `CASE WHEN (${referrerKindSql(ownHosts)}) = 'internal' THEN CASE WHEN ${path} = '' THEN '/' ELSE ${path} END END`;
}
