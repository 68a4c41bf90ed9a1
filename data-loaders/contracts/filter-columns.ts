// The columns every page filters on, in `events` and in every rollup row: the one list the
// rollups and their views (site-data.ts), the docs table, the site files' signature and the
// pages' own reads of `events` are made from. whereClause (src/components/event-filter.ts)
// conditions on them; the pages have them from src/components/contracts.js (contracts/index.ts).

export interface FilterColumn {
  name: string;
  /** DuckDB type. */
  type: "TIMESTAMP" | "VARCHAR" | "BOOLEAN" | "SMALLINT";
  /** How docs/writing-pages.md's table of rollups names it ("hour × instance × …"). */
  inWords: string;
}

export const FILTER_COLUMNS: readonly FilterColumn[] = [
  {name: "ts", type: "TIMESTAMP", inWords: "time"},
  {name: "log_stream", type: "VARCHAR", inWords: "instance"},
  {name: "vhost", type: "VARCHAR", inWords: "vhost"},
  {name: "is_bot", type: "BOOLEAN", inWords: "bot"},
  {name: "status", type: "SMALLINT", inWords: "status"},
  {name: "request_class", type: "VARCHAR", inWords: "request class"},
  {name: "own_traffic", type: "BOOLEAN", inWords: "own traffic"},
];

/** Their names, comma-separated, for a SELECT. */
export const FILTER_COLUMN_LIST = FILTER_COLUMNS.map((c) => c.name).join(", ");
