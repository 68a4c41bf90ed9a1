// A page's query: SQL text and the values for its `?` placeholders. The same text is run in Node
// when the site's data is made (the page's first view, shipped as a small file) and in the
// browser by DuckDB-WASM when the reader changes a filter; src/components/workbook.ts finds a
// shipped answer by the exact text and values, so the two can never drift apart.

/** A row as the workbook's queries give it: numbers, strings, booleans, Dates, nulls. */
export type Row = Record<string, unknown>;

export interface Query {
  sql: string;
  params: readonly unknown[];
}

/** A filter's condition, to put after `FROM <table>`: what whereClause (src/components/filters.ts) gives. */
export interface Where {
  sql: string;
  params: readonly unknown[];
}

/**
 * The default filter's condition (all time, every instance, humans and bots, every status):
 * none. The first view of each page is computed with it.
 */
export const NO_FILTER: Where = {sql: "", params: []};

/** Runs a query and gives its rows: in Node over the store, or in the browser. */
export type Ask = (query: Query) => Promise<Row[]>;

export {andWhere} from "../components/event-filter.js";

/** A query of the filter: its SQL and the filter's values. */
export function filtered(where: Where, sql: string): Query {
  return {sql, params: where.params};
}
