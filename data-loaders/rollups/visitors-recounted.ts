// A day's visits made again after new rows landed on it or beside it, without counting every
// visit again. A visit is one visitor's requests (rollups/visits.ts partitions by client address
// and agent string), so only the visitors the new rows are of can have other visits than before:
// the day's kept visit rows, less those visitors' visits as they were, plus their visits now,
// are the rows a count from nothing gives. Every measure of the visit kind is a count or a sum,
// so taking away and adding back is exact; but for `bytes`, which is NULL when none of a row's
// visits logged any (%b "-"): where what is left of a row could be visits of 0 bytes or visits of
// none, the row is "unsure" and the caller counts the day's visits from nothing instead.

/** The visit kind's columns, as the caller's rollup rows name them. */
export interface VisitRowColumns {
  /** What a row counts by (kind, ts, the filter columns, the kind's keys): equal keys, one row. */
  keys: readonly string[];
  /** How many visits a row counts. */
  count: string;
  /** The other measures that are counts or sums of values never NULL (pages, seconds, requests). */
  sums: readonly string[];
  /** The one measure that is NULL when no visit had any (bytes). */
  nullableSum: string;
}

/**
 * Rows of `kept` (the day's visit rows as they were) with `before` (the recounted visitors' rows
 * as they were counted into `kept`) taken away and `now` (their rows counted now) added, each
 * with `unsure`: true where the row cannot be told exactly (its bytes, above) or where `before`
 * is not within `kept`, which a kept file made from other rows than it says would give; and
 * `changed`: false where the recounted visitors' visits came out as before. A row
 * with no visits left comes out with 0 visits (and may be unsure): the caller drops it after
 * looking at every row's `unsure`.
 */
export function visitorsRecountedSql(kept: string, before: string, now: string, columns: VisitRowColumns): string {
  const {keys, count, nullableSum} = columns;
  const sums = [count, ...columns.sums];
  const keyList = keys.join(", ");
  const measures = [...sums, nullableSum];
  const bySource = (source: string) => measures.map((m) => `sum(${m}) FILTER (WHERE source = '${source}') AS ${source}_${m}`);
  const left = (m: string) => `coalesce(kept_${m}, 0) - coalesce(before_${m}, 0)`;
  // What `kept` holds of the row but the recounted visitors' visits: NULL when no visit is left or none logged bytes.
  const leftBytes = `CASE WHEN ${left(count)} = 0 OR kept_${nullableSum} IS NULL THEN NULL WHEN before_${nullableSum} IS NULL THEN kept_${nullableSum} ELSE ${left(nullableSum)} END`;
  const unsure = [
    ...sums.map((m) => `${left(m)} < 0`),
    `(before_${count} IS NOT NULL AND kept_${count} IS NULL)`,
    `(before_${nullableSum} IS NOT NULL AND (kept_${nullableSum} IS NULL OR ${left(nullableSum)} < 0))`,
    // Visits are left, and the bytes taken away are all the row had: they may have had 0 bytes, or none logged.
    `(${left(count)} > 0 AND before_${nullableSum} IS NOT NULL AND kept_${nullableSum} = before_${nullableSum})`,
  ].join(" OR ");
  return `
    SELECT ${keyList},
           ${sums.map((m) => `(${left(m)} + coalesce(now_${m}, 0))::BIGINT AS ${m}`).join(", ")},
           CASE WHEN left_bytes IS NULL AND now_${nullableSum} IS NULL THEN NULL ELSE (coalesce(left_bytes, 0) + coalesce(now_${nullableSum}, 0))::BIGINT END AS ${nullableSum},
           coalesce(${unsure}, false) AS unsure,
           ${measures.map((m) => `before_${m} IS DISTINCT FROM now_${m}`).join(" OR ")} AS changed
    FROM (
      SELECT *, ${leftBytes} AS left_bytes
      FROM (
        SELECT ${keyList}, ${[...bySource("kept"), ...bySource("before"), ...bySource("now")].join(", ")}
        FROM (
          SELECT ${keyList}, ${measures.join(", ")}, 'kept' AS source FROM (${kept})
          UNION ALL SELECT ${keyList}, ${measures.join(", ")}, 'before' FROM (${before})
          UNION ALL SELECT ${keyList}, ${measures.join(", ")}, 'now' FROM (${now})
        )
        GROUP BY ${keyList}
      )
    )`;
}
