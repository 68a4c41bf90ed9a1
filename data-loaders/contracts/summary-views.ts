// Views that sum another rollup view's rows into far fewer: the all-days views (all-days.ts) and
// the visitors of one row a day, from the per-visitor rows. An engine makes one a table of its own
// once it holds the rows it sums (src/components/workbook.ts in the browser, for the summaries its
// page's queries name; site-database.ts for the first views, on first naming); until then it is a
// view over those rows, the same answers more slowly. site-data.ts defines their SQL and
// docs/writing-pages.md's table lists them.
import {ALL_DAYS_VIEWS, allDaysView} from "./all-days.js";

/**
 * The visitors that have one row that day in the per-visitor rows (`visitor_rows = 1`), counted
 * by the day and the filter columns (`visitors`). Such a visitor is one visitor whenever its row
 * passes a filter, so a day's visitors are these counts summed plus the other visitors' ids
 * counted distinct (the Traffic page's visitors per day): at 10M events 85% of an instance's
 * 3.2 million per-visitor rows are of such visitors, and here a few thousand rows in all count them.
 */
export const ONE_ROW_VISITORS_VIEW = "one_row_visitors_by_day";

/** The rollup view whose rows ONE_ROW_VISITORS_VIEW counts. */
export const PER_VISITOR_VIEW = "requests_by_visitor";

/** The summary views of a rollup view: those made from its rows. */
export function summaryViewsOf(view: string): string[] {
  return [...(ALL_DAYS_VIEWS.includes(view) ? [allDaysView(view)] : []), ...(view === PER_VISITOR_VIEW ? [ONE_ROW_VISITORS_VIEW] : [])];
}

/** Every summary view. */
export const SUMMARY_VIEWS: readonly string[] = [...ALL_DAYS_VIEWS.map(allDaysView), ONE_ROW_VISITORS_VIEW];
