// A rollup view summed over every day: the per-day view's rows with the day left out and the
// rows that differed only by it added together. A filter that names no days (whereClause's
// `allDays`) gets the same answer from it as from the per-day view, from far fewer rows: at 10M
// events over 30 days the agent rows of an instance are 352,863 a day apart and 13,014 together,
// and the User agents page's redraw takes about two thirds of the time (docs/design-notes.md).
// site-data.ts defines the views; the pages name them through rowsOf (src/queries/query.ts).

/**
 * The per-day views that have an all-days version: those whose rows many days repeat and whose
 * every measure is a sum (site-data.ts refuses a kind counting what does not add up across days).
 * Not the per-client rows: summing them cost each engine seconds for no faster redraw.
 */
export const ALL_DAYS_VIEWS: readonly string[] = ["requests_by_path", "requests_by_country", "requests_by_agent", "requests_by_referrer"];

/** The all-days view of a per-day rollup view: requests_by_agent → requests_by_agent_all_days. */
export function allDaysView(view: string): string {
  if (!ALL_DAYS_VIEWS.includes(view)) throw new Error(`${view} has no all-days view; those that have one: ${ALL_DAYS_VIEWS.join(", ")}`);
  return `${view}_all_days`;
}
