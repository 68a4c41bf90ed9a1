// The filters every page shares: time range, instance, bots, status class. Changing one
// re-runs the page's queries in DuckDB-WASM; nothing is downloaded again. The choice is kept in
// the URL (so a link shares the view) and for the rest of the session (so it follows you
// from page to page).
// Bare import: bundled from node_modules. (Framework's observablehq:stdlib/inputs pulls htl from jsDelivr.)
import * as Inputs from "@observablehq/inputs";
import {queryRow, query} from "./workbook.js";
import {dataRange, instances as instancesQuery} from "../queries/filter-bar.js";
export {andWhere} from "../queries/query.js";

export type BotChoice = "include" | "exclude" | "only";

export interface EventFilter {
  /** First UTC day included, or null for the start of the data. */
  from: Date | null;
  /** Last UTC day included, or null for the end of the data. */
  to: Date | null;
  /** A log stream (EC2 instance id), or null for every instance. */
  instance: string | null;
  bots: BotChoice;
  /** Status classes included: "2xx" … "5xx". All four also include lines without a status. */
  statuses: string[];
}

export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];
const ALL_INSTANCES = "All instances";
const BOT_LABELS: Record<BotChoice, string> = {include: "Humans and bots", exclude: "Humans only", only: "Bots only"};
const STORAGE_KEY = "weblog-workbook-filter";

/** SQL to put after FROM events (as `WHERE …`) and the values for its placeholders. */
export interface WhereClause {
  sql: string;
  params: unknown[];
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
  if (filter.statuses.length < STATUS_CLASSES.length) {
    const classes = filter.statuses.map((s) => Number(s[0])).filter((n) => n >= 1 && n <= 5);
    conditions.push(classes.length ? `${column("status")} // 100 IN (${classes.join(", ")})` : "false");
  }
  return {sql: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", params};
}

/** A one-line description of the filter, for captions: "Humans only, i-0abc, 4xx and 5xx". */
export function describeFilter(filter: EventFilter): string {
  const parts: string[] = [];
  if (filter.from || filter.to) parts.push(`${day(filter.from) ?? "start"} to ${day(filter.to) ?? "end"}`);
  if (filter.instance) parts.push(filter.instance);
  if (filter.bots !== "include") parts.push(BOT_LABELS[filter.bots]);
  if (filter.statuses.length < STATUS_CLASSES.length) parts.push(filter.statuses.length ? filter.statuses.join(", ") : "no status class");
  return parts.length ? parts.join(" · ") : "All requests";
}

const day = (date: Date | null) => date?.toISOString().slice(0, 10) ?? null;

/** The filter bar, with the instances and dates found in the data. Use as `view(await filterBar())`. */
export async function filterBar(): Promise<Inputs.Input<EventFilter>> {
  // Shipped with every page's first view (src/queries/filter-bar.ts).
  const range = await queryRow<{first: Date | null; last: Date | null}>(dataRange);
  const instances = (await query<{log_stream: string}>(instancesQuery)).map((r) => r.log_stream);
  const initial = restoreFilter(instances);
  const form = Inputs.form<{from: Date | null; to: Date | null; instance: string; bots: BotChoice; statuses: string[]}>(
    {
      from: Inputs.date({label: "From (UTC)", value: initial.from, min: day(range.first) ?? undefined, max: day(range.last) ?? undefined}),
      to: Inputs.date({label: "To (UTC)", value: initial.to, min: day(range.first) ?? undefined, max: day(range.last) ?? undefined}),
      instance: Inputs.select([ALL_INSTANCES, ...instances], {label: "Instance", value: initial.instance ?? ALL_INSTANCES}),
      bots: Inputs.radio(["include", "exclude", "only"] as BotChoice[], {label: "Clients", value: initial.bots, format: (b) => BOT_LABELS[b]}),
      statuses: Inputs.checkbox(STATUS_CLASSES, {label: "Status", value: initial.statuses}),
    },
    {template: filtersRow},
  );
  // Inputs.form's value, with "All instances" as null, is the filter the pages use.
  const filterOf = (): EventFilter => {
    const v = form.value;
    return {from: v.from, to: v.to, instance: v.instance === ALL_INSTANCES ? null : v.instance, bots: v.bots, statuses: v.statuses};
  };
  const bar = document.createElement("div");
  bar.append(form);
  Object.defineProperty(bar, "value", {get: filterOf, enumerable: true});
  form.addEventListener("input", () => saveFilter(filterOf()));
  return bar as unknown as Inputs.Input<EventFilter>;
}

/** The inputs side by side in one row. */
function filtersRow(inputs: Record<string, HTMLElement>): HTMLElement {
  const row = document.createElement("div");
  row.className = "filters";
  row.append(...Object.values(inputs));
  return row;
}

const DEFAULT_FILTER: EventFilter = {from: null, to: null, instance: null, bots: "include", statuses: STATUS_CLASSES};

function restoreFilter(instances: string[]): EventFilter {
  const fromUrl = new URLSearchParams(location.search).get("filter");
  const saved = fromUrl ?? sessionStorage.getItem(STORAGE_KEY);
  if (!saved) return DEFAULT_FILTER;
  try {
    const parsed = JSON.parse(saved) as {from?: string; to?: string; instance?: string; bots?: BotChoice; statuses?: string[]};
    return {
      from: parsed.from ? new Date(parsed.from) : null,
      to: parsed.to ? new Date(parsed.to) : null,
      instance: parsed.instance && instances.includes(parsed.instance) ? parsed.instance : null,
      bots: parsed.bots && parsed.bots in BOT_LABELS ? parsed.bots : "include",
      statuses: Array.isArray(parsed.statuses) ? parsed.statuses.filter((s) => STATUS_CLASSES.includes(s)) : STATUS_CLASSES,
    };
  } catch {
    return DEFAULT_FILTER;
  }
}

function saveFilter(filter: EventFilter): void {
  const saved = JSON.stringify({from: day(filter.from), to: day(filter.to), instance: filter.instance, bots: filter.bots, statuses: filter.statuses});
  sessionStorage.setItem(STORAGE_KEY, saved);
  const url = new URL(location.href);
  url.searchParams.set("filter", saved);
  history.replaceState(history.state, "", url);
}
