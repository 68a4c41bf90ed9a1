// The filter bar every page shares: time range, instance, virtual host (when the data has any),
// bots, status class ("unknown" for lines logged with no status), request class, and your own
// traffic (hidden by default). Changing one re-runs the page's queries in DuckDB-WASM, over data
// that comes into the page once, when the reader first reaches for a filter (a line under the bar
// says so while it comes); nothing is downloaded again. The choice is kept in
// the URL (so a link shares the view) and for the rest of the session (so it follows you
// from page to page).
// Bare import: bundled from node_modules. (Framework's observablehq:stdlib/inputs pulls htl from jsDelivr.)
import * as Inputs from "./inputs.js";
import {onRollupsProgress, queryRow, query, type RollupsProgress} from "./workbook.js";
import {formatBytes} from "./format.js";
import {
  BOT_LABELS, DEFAULT_FILTER, OWN_TRAFFIC_LABELS, REQUEST_CLASS_LABELS, REQUEST_CLASSES, STATUS_CHOICES, utcDay as day,
  type BotChoice, type EventFilter, type OwnTrafficChoice,
} from "./event-filter.js";
import {dataRange, instances as instancesQuery, vhosts as vhostsQuery} from "../queries/filter-bar.js";

export {andWhere, describeFilter, pathsWhereClause, STATUS_CHOICES, STATUS_CLASSES, UNKNOWN_STATUS, whereClause} from "./event-filter.js";
export type {BotChoice, EventFilter, OwnTrafficChoice, WhereClause} from "./event-filter.js";

const ALL_INSTANCES = "All instances";
const ALL_VHOSTS = "All vhosts";
const STORAGE_KEY = "weblog-workbook-filter";

/** The filter bar, with the instances and dates found in the data. Use as `view(await filterBar())`. */
export async function filterBar(): Promise<Inputs.Input<EventFilter>> {
  // Shipped with every page's first view (src/queries/filter-bar.ts); asked together, so they are
  // handed out in one turn (src/components/workbook.ts gives shipped answers a task per turn).
  const [range, instanceRows, vhostRows] = await Promise.all([
    queryRow<{first: Date | null; last: Date | null}>(dataRange),
    query<{log_stream: string}>(instancesQuery),
    query<{vhost: string}>(vhostsQuery),
  ]);
  const instances = instanceRows.map((r) => r.log_stream);
  const vhosts = vhostRows.map((r) => r.vhost);
  const initial = restoreFilter(instances, vhosts);
  const form = Inputs.form<{from: Date | null; to: Date | null; instance: string; vhost?: string; bots: BotChoice; statuses: string[]; classes: string[]; ownTraffic: OwnTrafficChoice}>(
    {
      from: Inputs.date({label: "From (UTC)", value: initial.from, min: day(range.first) ?? undefined, max: day(range.last) ?? undefined}),
      to: Inputs.date({label: "To (UTC)", value: initial.to, min: day(range.first) ?? undefined, max: day(range.last) ?? undefined}),
      instance: Inputs.select([ALL_INSTANCES, ...instances], {label: "Instance", value: initial.instance ?? ALL_INSTANCES}),
      // Only logs with %v have virtual hosts; without any, no choice to make.
      ...(vhosts.length > 0 ? {vhost: Inputs.select([ALL_VHOSTS, ...vhosts], {label: "Virtual host", value: initial.vhost ?? ALL_VHOSTS})} : {}),
      bots: Inputs.radio(["include", "exclude", "only"] as BotChoice[], {label: "Clients", value: initial.bots, format: (b) => BOT_LABELS[b]}),
      statuses: Inputs.checkbox(STATUS_CHOICES, {label: "Status", value: initial.statuses}),
      classes: Inputs.checkbox([...REQUEST_CLASSES] as string[], {label: "Request class", value: initial.classes, format: (c) => REQUEST_CLASS_LABELS[String(c) as keyof typeof REQUEST_CLASS_LABELS]}),
      ownTraffic: Inputs.radio(["hide", "show", "only"] as OwnTrafficChoice[], {label: "Own traffic", value: initial.ownTraffic, format: (o) => OWN_TRAFFIC_LABELS[o]}),
    },
    {template: filtersRow},
  );
  // Inputs.form's value, with "All instances" and "All vhosts" as null, is the filter the pages use.
  const filterOf = (): EventFilter => {
    const v = form.value;
    const vhost = v.vhost === undefined || v.vhost === ALL_VHOSTS ? null : v.vhost;
    return {from: v.from, to: v.to, instance: v.instance === ALL_INSTANCES ? null : v.instance, bots: v.bots, statuses: v.statuses, vhost, classes: v.classes, ownTraffic: v.ownTraffic};
  };
  const bar = document.createElement("div");
  bar.append(form, rollupsStatus());
  Object.defineProperty(bar, "value", {get: filterOf, enumerable: true});
  // One change, one redraw: Inputs' select and checkboxes send a second input event on "change"
  // when the first was not from the reader's own hand (a script, a test, the benchmark), and each
  // would re-run every query of the page. An event that leaves the filter as it was stops here.
  let current = JSON.stringify(filterOf());
  let unsaved: EventFilter | null = null;
  const saveUnsaved = () => {
    if (unsaved) saveFilter(unsaved);
    unsaved = null;
  };
  addEventListener("pagehide", saveUnsaved);
  form.addEventListener("input", (event) => {
    const filter = filterOf();
    const next = JSON.stringify(filter);
    if (next === current) return event.stopPropagation();
    current = next;
    // Kept for the next page and in the address once the page is idle (or left before then):
    // writing the address took 3–16 ms of the main thread, between the reader's change and the
    // first question it asks.
    unsaved = filter;
    whenIdle(saveUnsaved);
  });
  return bar as unknown as Inputs.Input<EventFilter>;
}

/**
 * A line under the filters while the data a filter change reads is coming into the page (from
 * when the reader first reaches for a filter: on a long history, tens to hundreds of MB), so a
 * first change that waits for it says why. Hidden otherwise.
 */
function rollupsStatus(): HTMLElement {
  const status = document.createElement("p");
  status.className = "filters-status";
  status.setAttribute("aria-live", "polite");
  status.hidden = true;
  onRollupsProgress(({fetched, expected, kindsComing}: RollupsProgress) => {
    status.hidden = kindsComing === 0;
    if (status.hidden) return;
    status.textContent =
      expected > 0 && fetched >= expected
        ? `Preparing this page's data for filtering (${formatBytes(expected)})…`
        : `Loading this page's data for filtering${fetched > 0 ? `: ${formatBytes(fetched)}${expected > 0 ? ` of ${formatBytes(expected)}` : ""}` : ""}…`;
  });
  return status;
}

/** The inputs side by side in one row. */
function filtersRow(inputs: Record<string, HTMLElement>): HTMLElement {
  const row = document.createElement("div");
  row.className = "filters";
  row.append(...Object.values(inputs));
  return row;
}

/** The filter in the URL, else the one kept for the session, else the default; a choice the data no longer has falls back to its default. */
function restoreFilter(instances: string[], vhosts: string[]): EventFilter {
  const fromUrl = new URLSearchParams(location.search).get("filter");
  const saved = fromUrl ?? sessionStorage.getItem(STORAGE_KEY);
  if (!saved) return DEFAULT_FILTER;
  try {
    const parsed = JSON.parse(saved) as {from?: string; to?: string; instance?: string; bots?: BotChoice; statuses?: string[]; vhost?: string; classes?: string[]; ownTraffic?: OwnTrafficChoice};
    return {
      from: parsed.from ? new Date(parsed.from) : null,
      to: parsed.to ? new Date(parsed.to) : null,
      instance: parsed.instance && instances.includes(parsed.instance) ? parsed.instance : null,
      bots: parsed.bots && parsed.bots in BOT_LABELS ? parsed.bots : DEFAULT_FILTER.bots,
      statuses: Array.isArray(parsed.statuses) ? parsed.statuses.filter((s) => STATUS_CHOICES.includes(s)) : DEFAULT_FILTER.statuses,
      vhost: parsed.vhost && vhosts.includes(parsed.vhost) ? parsed.vhost : null,
      classes: Array.isArray(parsed.classes) ? parsed.classes.filter((c) => (REQUEST_CLASSES as readonly string[]).includes(c)) : DEFAULT_FILTER.classes,
      ownTraffic: parsed.ownTraffic && parsed.ownTraffic in OWN_TRAFFIC_LABELS ? parsed.ownTraffic : DEFAULT_FILTER.ownTraffic,
    };
  } catch {
    return DEFAULT_FILTER;
  }
}

/** Runs `then` when the main thread is idle (within a second), or soon where browsers cannot say (Safari). */
function whenIdle(then: () => void): void {
  if (typeof requestIdleCallback === "function") requestIdleCallback(then, {timeout: 1000});
  else setTimeout(then, 100);
}

function saveFilter(filter: EventFilter): void {
  const saved = JSON.stringify({
    from: day(filter.from), to: day(filter.to), instance: filter.instance, bots: filter.bots, statuses: filter.statuses,
    vhost: filter.vhost, classes: filter.classes, ownTraffic: filter.ownTraffic,
  });
  sessionStorage.setItem(STORAGE_KEY, saved);
  const url = new URL(location.href);
  url.searchParams.set("filter", saved);
  history.replaceState(history.state, "", url);
}
