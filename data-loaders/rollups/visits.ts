// Visits, as the Visits page defines them: the requests of one client address with one agent
// string, humans only, a new visit starting after `timeout` minutes without a request, and at
// least one of them a page (a run of stylesheets, images or feed polls alone is no visit). A visit
// belongs to the UTC day it starts on, so one spanning midnight is counted once. The filters
// apply to a visit through its first request (its instance, its status).

/** How long a visit lasted, in bands: each band's first second and its label, in order. */
export const VISIT_DURATION_BANDS: readonly {from: number; label: string}[] = [
  {from: 0, label: "0 s"},
  {from: 1, label: "1–10 s"},
  {from: 11, label: "11–30 s"},
  {from: 31, label: "31–60 s"},
  {from: 61, label: "1–3 min"},
  {from: 181, label: "3–10 min"},
  {from: 601, label: "10–30 min"},
  {from: 1801, label: "30 min and more"},
];

/** SQL over `seconds`: the band's first second (`label: false`) or its label. */
export function durationBandSql(label: boolean): string {
  const bands = [...VISIT_DURATION_BANDS].reverse();
  const value = (b: (typeof bands)[number]) => (label ? `'${b.label}'` : String(b.from));
  return `CASE ${bands.map((b) => `WHEN seconds >= ${b.from} THEN ${value(b)}`).join(" ")} END`;
}

/**
 * Which of a visit's requests is first (and last): by time, then path, instance and status, so
 * that requests of the same second give the same answer on every run.
 */
const REQUEST_ORDER = "(ts, coalesce(path, ''), coalesce(log_stream, ''), coalesce(status, -1))";

/** The columns of the events visitsOfDaySql reads besides `ts` and the filter columns. */
export const VISIT_REQUEST_COLUMNS = ["client_ip", "user_agent", "path", "bytes", "request_class", "is_bot"] as const;

/**
 * One row per visit that starts on `day` (YYYY-MM-DD, UTC), from `events`, which must hold that
 * day, the `timeout` minutes before it (to know whether its first requests continue a visit of
 * the evening before) and the day after (where its late visits go on). A visit still going at the
 * end of the day after, 24 hours of requests never `timeout` apart, is cut there.
 * Columns: ts (its first request's time), the filter columns `filterColumns` of its first request
 * (is_bot false), entry_path and exit_path (its first and last page), pages (at least one),
 * requests, bytes, seconds (last request's time minus the first's).
 */
export function visitsOfDaySql(events: string, day: string, timeoutMinutes: number, filterColumns: readonly string[]): string {
  // The visit's filter columns are its first request's; is_bot is false (humans only).
  const firstRequests = filterColumns.filter((c) => c !== "is_bot").map((c) => `arg_min(${c}, ${REQUEST_ORDER}) AS ${c}`);
  const start = `TIMESTAMP '${day}'`;
  const gap = `INTERVAL ${timeoutMinutes} MINUTE`;
  return `(
  WITH requests AS (
    SELECT ts, ${filterColumns.join(", ")}, client_ip, user_agent, path, bytes, coalesce(request_class = 'page', false) AS is_page
    FROM ${events}
    WHERE NOT is_bot AND ts >= ${start} - ${gap} AND ts < ${start} + INTERVAL 2 DAY
  ), starts AS (
    SELECT *, coalesce(ts - lag(ts) OVER (PARTITION BY client_ip, user_agent ORDER BY ts) > ${gap}, true) AS starts_visit
    FROM requests
  ), numbered AS (
    -- The default frame takes in requests of the same second, so they share a visit whatever their order.
    SELECT *, sum(starts_visit::INTEGER) OVER (PARTITION BY client_ip, user_agent ORDER BY ts) AS visit
    FROM starts
  )
  SELECT min(ts) AS ts,
         ${firstRequests.join(", ")},
         false AS is_bot,
         arg_min(path, ${REQUEST_ORDER}) FILTER (WHERE is_page) AS entry_path,
         arg_max(path, ${REQUEST_ORDER}) FILTER (WHERE is_page) AS exit_path,
         count(*) FILTER (WHERE is_page) AS pages,
         count(*) AS requests,
         sum(bytes) AS bytes,
         (epoch(max(ts)) - epoch(min(ts)))::BIGINT AS seconds
  FROM numbered
  GROUP BY client_ip, user_agent, visit
  HAVING min(ts) >= ${start} AND min(ts) < ${start} + INTERVAL 1 DAY AND count(*) FILTER (WHERE is_page) > 0
)`;
}
