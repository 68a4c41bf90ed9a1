// What the filter bar chooses, and the SQL that applies it to `events` or any rollup view (they
// all have the filter columns: data-loaders/site-data.ts FILTER_COLUMNS). Kept apart from the bar
// itself (filters.ts) so the SQL can be checked in Node against DuckDB.
import {REQUEST_CLASSES, REQUEST_CLASS_LABELS} from "./contracts.js";

export type BotChoice = "include" | "exclude" | "only";
/** Your own traffic (the configured ownTraffic rules): hidden by default. */
export type OwnTrafficChoice = "hide" | "show" | "only";

export interface EventFilter {
  /** First UTC day included, or null for the start of the data. */
  from: Date | null;
  /** Last UTC day included, or null for the end of the data. */
  to: Date | null;
  /** A log stream (EC2 instance id), or null for every instance. */
  instance: string | null;
  bots: BotChoice;
  /** Status choices included: classes "1xx" … "5xx", and UNKNOWN_STATUS for lines without a status. */
  statuses: string[];
  /** A virtual host (`%v`), or null for every one; offered only when the data has vhosts. */
  vhost: string | null;
  /** Request classes included (REQUEST_CLASSES); all of them by default. */
  classes: string[];
  ownTraffic: OwnTrafficChoice;
}

export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];
/** The choice for requests logged with no status (`-`), a choice of its own so it is never dropped unseen. */
export const UNKNOWN_STATUS = "unknown";
/** Every status choice, in the order the filter bar shows them. */
export const STATUS_CHOICES = [...STATUS_CLASSES, UNKNOWN_STATUS];

export const BOT_LABELS: Record<BotChoice, string> = {include: "Humans and bots", exclude: "Humans only", only: "Bots only"};
export const OWN_TRAFFIC_LABELS: Record<OwnTrafficChoice, string> = {hide: "Hide own traffic", show: "Show own traffic", only: "Own traffic only"};
export {REQUEST_CLASSES, REQUEST_CLASS_LABELS};

/** What every page opens on: all time, every instance and vhost, humans and bots, every status and class, your own traffic hidden. */
export const DEFAULT_FILTER: EventFilter = {from: null, to: null, instance: null, bots: "include", statuses: STATUS_CHOICES, vhost: null, classes: [...REQUEST_CLASSES], ownTraffic: "hide"};

/**
 * The filters the engine warms up with before the reader changes one (workbook.ts, warmUpFiltered),
 * one per shape of condition: the browser compiles DuckDB's code as it first runs it, and a change
 * of a shape the warm-up never ran pays for that (docs/design-notes.md, "A filter's shape the
 * warm-up did not run"). First a condition on each column readers filter by most (the time, an
 * instance, humans only, the status classes as one range), conditions DuckDB checks as it reads
 * the rows; then the same with a status class unticked (ranges and no status joined by OR, which
 * DuckDB checks after reading them). Values that keep most rows (the data's whole range `first`
 * to `last`, one of its instances, 3xx the class left out), so the sums after the conditions run too.
 */
export function warmUpFilters(first: Date, last: Date, instance: string | null): EventFilter[] {
  const scanned: EventFilter = {...DEFAULT_FILTER, from: first, to: last, instance, bots: "exclude", statuses: [...STATUS_CLASSES]};
  return [scanned, {...scanned, statuses: STATUS_CHOICES.filter((choice) => choice !== "3xx")}];
}

/** SQL to put after FROM events (as `WHERE …`) and the values for its placeholders. */
export interface WhereClause {
  sql: string;
  params: unknown[];
  /** It keeps every day (no `from` or `to`): a rollup's all-days view gives the same answer (rowsOf, src/queries/query.ts). */
  allDays: boolean;
}

export function whereClause(filter: EventFilter, table = ""): WhereClause {
  const column = (name: string) => (table ? `${table}.${name}` : name);
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.from) {
    conditions.push(`${column("ts")} >= CAST(? AS TIMESTAMP)`);
    params.push(filter.from.toISOString().slice(0, 10));
  }
  if (filter.to) {
    conditions.push(`${column("ts")} < CAST(? AS TIMESTAMP) + INTERVAL 1 DAY`);
    params.push(filter.to.toISOString().slice(0, 10));
  }
  if (filter.instance) {
    conditions.push(`${column("log_stream")} = ?`);
    params.push(filter.instance);
  }
  if (filter.bots === "exclude") conditions.push(`NOT ${column("is_bot")}`);
  if (filter.bots === "only") conditions.push(column("is_bot"));
  // Every choice ticked: no condition at all, so codes outside 1xx–5xx (a 0 or 999 some servers log) stay in.
  if (!STATUS_CHOICES.every((choice) => filter.statuses.includes(choice))) {
    const classes = STATUS_CLASSES.filter((c) => filter.statuses.includes(c)).map((c) => Number(c[0]));
    const allowed = hundredsRuns(classes).map(([first, last]) => `${column("status")} BETWEEN ${first * 100} AND ${last * 100 + 99}`);
    if (filter.statuses.includes(UNKNOWN_STATUS)) allowed.push(`${column("status")} IS NULL`);
    conditions.push(allowed.length ? `(${allowed.join(" OR ")})` : "false");
  }
  if (filter.vhost) {
    conditions.push(`${column("vhost")} = ?`);
    params.push(filter.vhost);
  }
  if (!REQUEST_CLASSES.every((c) => filter.classes.includes(c))) {
    const classes = REQUEST_CLASSES.filter((c) => filter.classes.includes(c));
    conditions.push(classes.length ? `${column("request_class")} IN (${classes.map((c) => `'${c}'`).join(", ")})` : "false");
  }
  if (filter.ownTraffic === "hide") conditions.push(`NOT ${column("own_traffic")}`);
  if (filter.ownTraffic === "only") conditions.push(column("own_traffic"));
  return {sql: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", params, allDays: !filter.from && !filter.to};
}

/**
 * The ticked classes (1 for 1xx …) as runs of neighbours, first and last: 2xx, 3xx and 5xx are
 * [[2, 3], [5, 5]]. Each run becomes one range of codes (`status BETWEEN 200 AND 399`): the
 * same rows as `status // 100 IN (2, 3, 5)` (a status is a whole number from 0 to 999,
 * parse/log-format.ts), and what the browser's database settles from each block of rows' minimum
 * and maximum where it can, else with two comparisons, instead of dividing every row's code (at
 * 10M events, 1xx–5xx over the per-visitor rows in 4 ms against 150 ms: docs/design-notes.md).
 */
function hundredsRuns(classes: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const hundred of classes) {
    const last = runs.at(-1);
    if (last && last[1] === hundred - 1) last[1] = hundred;
    else runs.push([hundred, hundred]);
  }
  return runs;
}

/**
 * The filter's condition for the charts that rank paths: pages only while the filter keeps every
 * request class (a ranking of paths is about pages; assets would crowd them out), else the
 * classes the reader picked.
 */
export function pathsWhereClause(filter: EventFilter, table = ""): WhereClause {
  const everyClass = REQUEST_CLASSES.every((c) => filter.classes.includes(c));
  return whereClause(everyClass ? {...filter, classes: ["page"]} : filter, table);
}

/** The filter's WHERE clause with one more condition: `FROM events ${andWhere(where, "status = 404")}`. */
export function andWhere(where: Pick<WhereClause, "sql">, condition: string): string {
  return where.sql ? `${where.sql} AND (${condition})` : `WHERE ${condition}`;
}

/** A one-line description of the filter, for captions: "i-0abc · Humans only · 4xx, 5xx". */
export function describeFilter(filter: EventFilter): string {
  const parts: string[] = [];
  if (filter.from || filter.to) parts.push(`${utcDay(filter.from) ?? "start"} to ${utcDay(filter.to) ?? "end"}`);
  if (filter.instance) parts.push(filter.instance);
  if (filter.vhost) parts.push(filter.vhost);
  if (filter.bots !== "include") parts.push(BOT_LABELS[filter.bots]);
  if (!STATUS_CHOICES.every((choice) => filter.statuses.includes(choice))) {
    parts.push(filter.statuses.length ? filter.statuses.map((s) => (s === UNKNOWN_STATUS ? "no status" : s)).join(", ") : "no status class");
  }
  if (!REQUEST_CLASSES.every((c) => filter.classes.includes(c))) {
    parts.push(filter.classes.length ? REQUEST_CLASSES.filter((c) => filter.classes.includes(c)).map((c) => REQUEST_CLASS_LABELS[c]).join(", ") : "no request class");
  }
  if (filter.ownTraffic === "show") parts.push("own traffic included");
  if (filter.ownTraffic === "only") parts.push("own traffic only");
  // Your own traffic is hidden unless the caption says otherwise.
  return parts.length ? parts.join(" · ") : "All requests but your own traffic";
}

/** YYYY-MM-DD of a date the filter holds (a UTC day), or null. */
export const utcDay = (date: Date | null) => date?.toISOString().slice(0, 10) ?? null;
