// An event as the JSON line `weblog parse` prints: every column of EVENT_COLUMNS in order, absent
// values null, timestamps as ISO 8601 UTC, byte for byte what JSON.stringify of the merged event
// {...origin, ...line, ...agent, ...geo} gives. The command's hot path (one call per input line):
// the agent's columns are a function of the user agent and the GeoIP columns of the client, and
// the same few thousand of each repeat over millions of lines, so their JSON is made once per
// distinct value and kept as bytes. Only the line's own columns are written per line, each value
// on its own with no object built, as one string per stretch between the cached runs, encoded
// straight into the output (cli/output-bytes.ts). Measured on 500,000 lines from 25,000 clients:
// the whole command took 4.9 s of CPU where JSON.stringify of one object per line took 6.7–7.6 s.
import {createValueCache} from "../enrich/value-cache.js";
import {EVENT_COLUMNS, GEO_FIELD_NAMES, USER_AGENT_FIELD_NAMES, type EventOrigin, type GeoFields, type ParsedLine, type UserAgentFields} from "../event.js";
import {packLearned, unpackLearned, type KeyedRuns, type LearnedGroup} from "./learned-json.js";
import type {OutputBytes} from "./output-bytes.js";

/** Writes one event's JSON (without a line break) to the encoder's output. */
export type EventJsonWriter = (origin: EventOrigin, line: ParsedLine) => void;

/** The agent's and the GeoIP columns' JSON an encoder made for values it met first. */
export interface LearnedJson {
  agent: LearnedGroup;
  geo: LearnedGroup;
}

export interface EventJsonEncoder {
  write: EventJsonWriter;
  /**
   * The JSON made since the last call, for other threads' encoders (with `share` only; nothing
   * otherwise). Values given by `learn` are not in it.
   */
  takeLearned(): LearnedJson;
  /** JSON another encoder made, kept as if made here (the same value gives the same bytes). */
  learn(learned: LearnedJson): void;
}

/** What the encoder asks for a line's enrichment: the enrichers the library uses for events. */
export interface EventEnrichers {
  classifyUserAgent(userAgent: string | null): UserAgentFields;
  lookupGeo(clientIp: string | null): GeoFields;
}

export interface EventJsonOptions {
  /** Distinct user agents, and distinct clients, whose columns' JSON is remembered; 0: none. */
  cacheSize?: number;
  /** Keep what is made for takeLearned (the command on several threads). */
  share?: boolean;
}

/** Enough for a busy site's distinct agents or clients; the enrichers keep more behind it. */
export const DEFAULT_FRAGMENT_CACHE_SIZE = 100_000;
/** Longer keys are written afresh each time: an attacker's endless distinct agents evict nothing worth keeping. */
const MAX_CACHED_KEY_LENGTH = 512;

/**
 * The columns whose values follow from one of the line's own fields. The user agent's text goes
 * with the agent's columns (it sits just before them, so its JSON is kept with theirs).
 */
const KEYED_GROUPS = {
  agent: {key: "user_agent", columns: new Set<string>(["user_agent", ...USER_AGENT_FIELD_NAMES])},
  geo: {key: "client_ip", columns: new Set<string>(GEO_FIELD_NAMES)},
} as const;
type GroupName = keyof typeof KEYED_GROUPS;
const GROUP_NAMES = Object.keys(KEYED_GROUPS) as GroupName[];

/** Printable ASCII but the quote and the backslash: a string JSON.stringify would only put in quotes. */
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Text beyond ASCII, which UTF-8 writes in more than a byte per character. */
const NON_ASCII = /[^\x00-\x7f]/;

/** A value as JSON.stringify writes it as an object member (undefined as null). */
export function jsonValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      // Nearly every string in a log; the rest (escapes, Unicode, lone surrogates) is JSON.stringify's.
      return PLAIN_JSON_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
    case "number":
      // A finite number's JSON is its String().
      return Number.isFinite(value) ? "" + value : "null";
    case "boolean":
      return value ? "true" : "false";
    default:
      return value === null || value === undefined ? "null" : JSON.stringify(value);
  }
}

/** The encoder: one per thread of work (it remembers the last day's date text and each group's JSON). */
export function createEventJsonEncoder(out: OutputBytes, enrichers: EventEnrichers, options: EventJsonOptions = {}): EventJsonEncoder {
  const isoTime = createIsoTime();
  const time = (value: unknown): string => (typeof value === "number" ? `"${isoTime(value)}"` : "null");
  // EVENT_COLUMNS cut into runs: a run of one group's columns is written from its cached bytes;
  // the other columns, per line, as one string for each stretch between runs.
  const runs: Record<GroupName, string[][]> = {agent: [], geo: []};
  const statements: string[] = [];
  let stretch: string[] = [];
  const endStretch = () => {
    if (stretch.length > 0) statements.push(`text(${stretch.join(" + ")});`);
    stretch = [];
  };
  let previousGroup: GroupName | null = null;
  for (const {name, type} of EVENT_COLUMNS) {
    // Column names go into generated code: only plain identifiers may.
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`column name ${JSON.stringify(name)} is not a plain identifier`);
    const group = GROUP_NAMES.find((g) => KEYED_GROUPS[g].columns.has(name)) ?? null;
    if (group === null) {
      stretch.push(JSON.stringify(labelOf(name)), `${type === "TIMESTAMP" ? "time" : "json"}(${sourceOf(name)})`);
    } else if (group !== previousGroup) {
      endStretch();
      statements.push(`raw(${group}[${runs[group].length}]);`);
      runs[group].push([name]);
    } else {
      runs[group][runs[group].length - 1].push(name);
    }
    previousGroup = group;
  }
  stretch.push(`"}"`);
  endStretch();
  const {agent, geo} = bytesOfGroups(enrichers, runs, options.cacheSize ?? DEFAULT_FRAGMENT_CACHE_SIZE, options.share ?? false);
  // A stretch is ASCII unless one of its strings went to JSON.stringify with text beyond ASCII
  // (labels, numbers, times and plain strings are ASCII): nearly every stretch is, and is copied a
  // byte per character rather than encoded as UTF-8.
  let ascii = true;
  const json = (value: unknown): string => {
    if (typeof value !== "string") return jsonValue(value);
    if (PLAIN_JSON_TEXT.test(value)) return `"${value}"`;
    if (NON_ASCII.test(value)) ascii = false;
    return JSON.stringify(value);
  };
  const text = (stretch: string): void => {
    if (ascii) return out.ascii(stretch);
    out.text(stretch);
    ascii = true;
  };
  const write = new Function("text", "raw", "json", "time", "agentBytes", "geoBytes", `return function writeEvent(o, l) {
    const agent = agentBytes(l.${KEYED_GROUPS.agent.key} ?? null), geo = geoBytes(l.${KEYED_GROUPS.geo.key} ?? null);
    ${statements.join("\n    ")}
  };`)(text, out.raw, json, time, agent.bytesOf, geo.bytesOf) as EventJsonWriter;
  return {
    write,
    takeLearned: () => ({agent: packLearned(agent.takeMade()), geo: packLearned(geo.takeMade())}),
    learn(learned) {
      agent.keep(unpackLearned(learned.agent));
      geo.keep(unpackLearned(learned.geo));
    },
  };
}

/** `{"name":` for the first column, `,"name":` for the others. */
function labelOf(name: string): string {
  return `${name === EVENT_COLUMNS[0].name ? "{" : ","}"${name}":`;
}

/**
 * Where the generated code reads a line's own column, as merging {...origin, ...line} would: the
 * parsed line when it has that field (its fields are null, never undefined, when absent), else
 * the origin.
 */
function sourceOf(name: string): string {
  // The log line's own time only (null for a format with no date); ingest_ts is CloudWatch's.
  if (name === "ts") return "l.ts";
  return `(l.${name} !== undefined ? l.${name} : o.${name})`;
}

/** A group's runs of JSON by the value of its key, made on first sight and kept. */
interface GroupBytes {
  bytesOf(key: string | null): Uint8Array[];
  /** What was made since the last call (when sharing). */
  takeMade(): KeyedRuns[];
  /** Another thread's, for the values not kept here already. */
  keep(entries: readonly KeyedRuns[]): void;
}

/** For each group, its runs' JSON by the key's value, made from the enricher's answer on first sight. */
function bytesOfGroups(enrichers: EventEnrichers, runs: Record<GroupName, string[][]>, cacheSize: number, share: boolean): Record<GroupName, GroupBytes> {
  // Read by name, never spread: spreading the enrichers' frozen objects is slow.
  const runBytes = (names: string[], valueOf: (name: string) => unknown): Uint8Array => Buffer.from(names.map((name) => labelOf(name) + jsonValue(valueOf(name))).join(""));
  const agent = kept(cacheSize, share, (userAgent) => {
    const fields = enrichers.classifyUserAgent(userAgent) as unknown as Record<string, unknown>;
    return runs.agent.map((names) => runBytes(names, (name) => (name === KEYED_GROUPS.agent.key ? userAgent : fields[name])));
  });
  const geo = kept(cacheSize, share, (clientIp) => {
    const fields = enrichers.lookupGeo(clientIp) as unknown as Record<string, unknown>;
    return runs.geo.map((names) => runBytes(names, (name) => fields[name]));
  });
  return {agent, geo};
}

/** `make` memoised by its key's value; null once, over-long keys never. */
function kept(cacheSize: number, share: boolean, make: (key: string | null) => Uint8Array[]): GroupBytes {
  const cache = createValueCache<Uint8Array[]>(cacheSize);
  let ofNull: Uint8Array[] | undefined;
  // Only what the cache keeps is worth sharing; bounded like the cache, should no one take it.
  let made: KeyedRuns[] = [];
  const sharing = share && cacheSize > 0;
  return {
    bytesOf(key) {
      if (key === null) return (ofNull ??= make(null));
      if (key.length > MAX_CACHED_KEY_LENGTH) return make(key);
      let bytes = cache.get(key);
      if (bytes === undefined) {
        // The enricher's own cache keeps the copy too.
        const own = ownCopy(key);
        bytes = make(own);
        cache.set(own, bytes);
        if (sharing) {
          if (made.length >= cacheSize) made = [];
          made.push([own, bytes]);
        }
      }
      return bytes;
    },
    takeMade() {
      const taken = made;
      made = [];
      return taken;
    },
    keep(entries) {
      for (const [key, bytes] of entries) if (cache.get(key) === undefined) cache.set(key, bytes);
    },
  };
}

/**
 * The key's text in a string of its own. A field cut from a line is a view into the whole piece
 * of input it came from: kept as a cache key, it would keep that piece alive and make each lookup
 * read it from far away in memory (half the command's time on 25,000 clients went to lookups).
 */
function ownCopy(key: string): string {
  // JSON text round-trips every string exactly, lone surrogates included.
  return JSON.parse(JSON.stringify(key)) as string;
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({length: 60}, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({length: 1000}, (_, i) => String(i).padStart(3, "0"));

/**
 * Epoch milliseconds as Date#toISOString gives them, without a Date per line: the date part is
 * made once per day, the time of day from lookup tables (a sixth of the command's time went to
 * toISOString).
 */
export function createIsoTime(): (value: number | null) => string | null {
  let day = NaN;
  let datePart = "";
  return (value) => {
    if (typeof value !== "number") return null;
    // As Date does: a fractional time is cut toward zero.
    value = Math.trunc(value);
    const today = Math.floor(value / DAY_MS);
    if (today !== day) {
      // Also where a value out of Date's range throws, as toISOString does.
      const iso = new Date(today * DAY_MS).toISOString();
      datePart = iso.slice(0, iso.indexOf("T") + 1);
      day = today;
    }
    const ms = value - today * DAY_MS;
    const seconds = Math.floor(ms / 1000);
    return `${datePart}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[ms % 1000]}Z`;
  };
}
