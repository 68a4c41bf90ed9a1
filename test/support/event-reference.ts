// What `weblog parse` must print for an event, made the plain way, to check the fast encoder
// (data-loaders/cli/event-json.ts) against.
import {EVENT_COLUMNS, type EventOrigin, type GeoFields, type ParsedLine, type UserAgentFields} from "../../data-loaders/event.js";

/**
 * The plain way: the parts merged as {...origin, ...line, ...agent, ...geo} merges them (the last
 * part holding a column wins; spreading itself is too slow for 60,000 lines here), every column
 * in order, then JSON.stringify.
 */
export function referenceEventJson(origin: EventOrigin, line: ParsedLine, agent: UserAgentFields, geo: GeoFields): string {
  const parts: object[] = [geo, agent, line, origin];
  const event: Record<string, unknown> = {};
  for (const {name, type} of EVENT_COLUMNS) {
    const holder = parts.find((part) => Object.hasOwn(part, name)) as Record<string, unknown> | undefined;
    // The log line's time only: a format with no date has ts null, never the ingestion time.
    const value = name === "ts" ? line.ts : holder?.[name];
    event[name] = type === "TIMESTAMP" ? (typeof value === "number" ? new Date(value).toISOString() : null) : (value ?? null);
  }
  return JSON.stringify(event);
}

