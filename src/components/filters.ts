// The filter bar every page shares: time range, instance, bots, status class ("unknown" for lines
// logged with no status). Changing one re-runs the page's queries in DuckDB-WASM; nothing is downloaded again. The choice is kept in
// the URL (so a link shares the view) and for the rest of the session (so it follows you
// from page to page).
// Bare import: bundled from node_modules. (Framework's observablehq:stdlib/inputs pulls htl from jsDelivr.)
import * as Inputs from "@observablehq/inputs";
import {queryRow, query} from "./workbook.js";
import {BOT_LABELS, STATUS_CHOICES, utcDay as day, type BotChoice, type EventFilter} from "./event-filter.js";
import {dataRange, instances as instancesQuery} from "../queries/filter-bar.js";

export {andWhere, describeFilter, STATUS_CHOICES, STATUS_CLASSES, UNKNOWN_STATUS, whereClause} from "./event-filter.js";
export type {BotChoice, EventFilter, WhereClause} from "./event-filter.js";

const ALL_INSTANCES = "All instances";
const STORAGE_KEY = "weblog-workbook-filter";

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
      statuses: Inputs.checkbox(STATUS_CHOICES, {label: "Status", value: initial.statuses}),
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

const DEFAULT_FILTER: EventFilter = {from: null, to: null, instance: null, bots: "include", statuses: STATUS_CHOICES};

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
      statuses: Array.isArray(parsed.statuses) ? parsed.statuses.filter((s) => STATUS_CHOICES.includes(s)) : STATUS_CHOICES,
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
