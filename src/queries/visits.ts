// The Visits page's queries (src/visits.md), over the visits_by_day rollup: one row per kind of
// visit on the day it started, made with the site's data (data-loaders/rollups/visits.ts).
import * as filterBar from "./filter-bar.js";
import {filtered, NO_FILTER, type Ask, type Where} from "./query.js";

export const summary = (where: Where) =>
  filtered(where, `
  SELECT coalesce(sum(visits), 0) AS visits,
         sum(pages) / sum(visits) AS pages_per_visit,
         sum(seconds) / sum(visits) AS seconds_per_visit,
         coalesce(sum(visits) FILTER (WHERE bounced), 0) / sum(visits) AS bounce_rate
  FROM visits_by_day ${where.sql}`);

export const visitsPerDay = (where: Where) =>
  filtered(where, `
  SELECT ts AS day, sum(visits) AS visits, sum(pages) / sum(visits) AS pages_per_visit
  FROM visits_by_day ${where.sql}
  GROUP BY ts
  ORDER BY day`);

export const durations = (where: Where) =>
  filtered(where, `
  SELECT duration_band AS duration, sum(visits) AS visits
  FROM visits_by_day ${where.sql}
  GROUP BY duration_band, duration_from
  ORDER BY duration_from`);

const pagesBy = (column: "entry_path" | "exit_path") => (where: Where) =>
  filtered(where, `
  SELECT ${column} AS page, sum(visits) AS visits,
         coalesce(sum(visits) FILTER (WHERE bounced), 0) / sum(visits) AS bounce_rate
  FROM visits_by_day ${where.sql}
  GROUP BY ALL
  ORDER BY visits DESC, page
  LIMIT 10`);

export const entryPages = pagesBy("entry_path");
export const exitPages = pagesBy("exit_path");

/** What the page asks with the default filter, in the page's order. */
export async function firstView(ask: Ask, where = NO_FILTER): Promise<void> {
  await filterBar.firstView(ask);
  await ask(summary(where));
  await ask(visitsPerDay(where));
  await ask(durations(where));
  await ask(entryPages(where));
  await ask(exitPages(where));
}
