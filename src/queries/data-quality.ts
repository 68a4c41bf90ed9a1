// The Data quality page's queries (src/data-quality.md), over the rejected lines.
import type {Ask, Query} from "./query.js";

// The lines parsed are counted from the hourly rollups, whose rows count every event (none is left
// out of them, whatever its time or status): the same number as count(*) over `events`, read from
// a few thousand rows instead of every day's events.
export const totals: Query = {sql: "SELECT (SELECT count(*) FROM rejected) AS rejected, (SELECT coalesce(sum(requests), 0) FROM requests_hourly) AS parsed", params: []};

export const byReason: Query = {
  sql: `
  SELECT regexp_replace(reason, '(: |, found | at column ).*$', '') AS reason, count(*) AS lines
  FROM rejected
  GROUP BY ALL
  ORDER BY lines DESC, reason`,
  params: [],
};

export const byObject: Query = {
  sql: `
  SELECT s3_key, count(*) AS lines, min(line_number) AS first_line
  FROM rejected
  GROUP BY s3_key
  ORDER BY lines DESC, s3_key
  LIMIT 50`,
  params: [],
};

export const samples: Query = {sql: "SELECT s3_key, line_number, reason, line FROM rejected ORDER BY s3_key, line_number LIMIT 500", params: []};

export async function firstView(ask: Ask): Promise<void> {
  for (const query of [totals, byReason, byObject, samples]) await ask(query);
}
