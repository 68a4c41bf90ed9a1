// A page's query: SQL text and the values for its `?` placeholders. The same text is run in Node
// when the site's data is made (the page's first view, shipped as a small file) and in the
// browser by DuckDB-WASM when the reader changes a filter; src/components/workbook.ts finds a
// shipped answer by the exact text and values, so the two can never drift apart.

/** A row as the workbook's queries give it: numbers, strings, booleans, Dates, nulls. */
export type Row = Record<string, unknown>;

export interface Query {
  sql: string;
  params: readonly unknown[];
  /**
   * Its rows are each one day's, counted from that day's rows alone (grouped by the day, no
   * LIMIT): the first views answer it a block of days at a time (filteredPerDay).
   */
  perDay?: boolean;
}

/** A filter's condition, to put after `FROM <table>`: what whereClause (src/components/filters.ts) gives. */
export interface Where {
  sql: string;
  params: readonly unknown[];
  /** It keeps every day, so a rollup's all-days view answers it (rowsOf); unset: it may not. */
  allDays?: boolean;
}

/**
 * The default filter's condition (all time, every instance and vhost, humans and bots, every
 * status and request class, your own traffic hidden): what every page opens on. The first view
 * of each page is computed with it, so it must be exactly what the filter bar gives at first.
 */
export const NO_FILTER: Where = whereClause(DEFAULT_FILTER);

/** The default filter's condition for the charts that rank paths: pages only (pathsWhereClause). */
export const DEFAULT_PATHS_WHERE: Where = pathsWhereClause(DEFAULT_FILTER);

/** Runs a query and gives its rows: in Node over the store, or in the browser. */
export type Ask = (query: Query) => Promise<Row[]>;

import {DEFAULT_FILTER, pathsWhereClause, whereClause} from "../components/event-filter.js";
import {allDaysView} from "../components/contracts.js";

export {andWhere} from "../components/event-filter.js";

/** A query of the filter: its SQL and the filter's values. */
export function filtered(where: Where, sql: string): Query {
  return {sql, params: where.params};
}

/**
 * A query of the filter whose rows are each one day's, counted from that day's rows alone (grouped
 * by the day, no LIMIT). Its first view is made a block of days at a time and each block's answer
 * kept, so a rebuild counts again only the days that changed (data-loaders/daily-answers.ts): for
 * the costly ones, distinct counts per day. In the browser it runs as any other.
 */
export function filteredPerDay(where: Where, sql: string): Query {
  return {sql, params: where.params, perDay: true};
}

/**
 * The rows a query of the filter reads from a per-day rollup view: the view's all-days version
 * (`requests_by_agent_all_days`, the same rows with the days added together) when the filter keeps
 * every day, else the view itself. The answer is the same either way; the all-days rows are 17 to
 * 30 times fewer over a month of history, so a redraw that picks an instance or a status reads far fewer.
 * Only for the views with an all-days version (ALL_DAYS_VIEWS, data-loaders/contracts/all-days.ts;
 * docs/writing-pages.md's table lists them): any other is an error.
 *   FROM ${rowsOf(where, "requests_by_agent")} ${where.sql}
 */
export function rowsOf(where: Where, view: string): string {
  // Named whatever the filter, so that a view without one is an error at once, not only once the reader picks no days.
  const allDays = allDaysView(view);
  return where.allDays ? allDays : view;
}
