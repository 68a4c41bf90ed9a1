// A batch's events as the store's columns, already in the store's row order, ready to hand to
// DuckDB without a join or a sort: every text column as dictionary ids into that column's own
// distinct values (DuckDB takes them as ENUM vectors and keeps the strings), numbers as typed
// arrays. Enrichment still runs once per distinct client and agent; each event then only
// gathers ids. Built for every column of EVENT_COLUMNS from where that column comes from.
//
// Nothing here is a copy per row: a column says how to read each event's value (from the
// batch's own arrays, through the event's id of a distinct value), and the gather functions read
// one vector's worth of rows at a time into a buffer the writer reuses. Whole-batch copies of the
// 42 columns were 100-150 MB of typed arrays a batch, and the garbage collections they caused.
import {EVENT_COLUMNS, GEO_FIELD_NAMES, USER_AGENT_FIELD_NAMES, type ColumnType, type GeoFields, type UserAgentFields} from "../event.js";
import {Float64Column, type Int32Column} from "./columns.js";
import type {EventBatch, OriginRow} from "./event-batch.js";

export interface Enrichers {
  geo(clientIp: string): GeoFields;
  userAgent(userAgent: string | null): UserAgentFields;
}

/** One column of the rows: row r holds the value of event order[r]. */
export type RowColumn =
  /**
   * Text: the event's id into `values` is textIds[source id] (the source id itself when textIds
   * is null: the column's values are the batch's own dictionary), `ofNull` for an event whose
   * source id is null; -1 is a null value.
   */
  | {kind: "text"; name: string; values: readonly string[]; source: Int32Column; textIds: Int32Array | null; ofNull: number}
  /** A number the event holds itself (DOUBLE or INTEGER), null where the column's mask says. */
  | {kind: "double" | "integer"; name: string; from: "event"; source: Float64Column | Int32Column}
  /**
   * A number (or a boolean as 0/1) of the event's distinct value: byId[source id] where
   * validById says so; `ofNull` (null: none) for an event whose source id is null.
   */
  | {kind: "double" | "integer" | "boolean"; name: string; from: "id"; source: Int32Column; byId: Float64Array | Int32Array | Uint8Array; validById: Uint8Array; ofNull: number | null};

export interface EventRows {
  /** Rows in the store's order: ts (nulls last), topic, kafka_partition, kafka_offset. */
  count: number;
  /** The batch index of each row's event. */
  order: Uint32Array;
  columns: RowColumn[];
  /** The UTC day number (ms / 86,400,000, floored) of each row, NaN when undated. */
  dayNumber: Float64Array;
}

/** Where a column's distinct values come from: the events' ids, and how many distinct ids there are. */
interface IdSource {
  ids: (b: EventBatch) => Int32Column;
  count: (b: EventBatch) => number;
}

/** How each store column is cut from the batch: by event, through the id of a distinct value, or as the batch's own dictionary. */
type ColumnRecipe =
  | {from: "event"; column: (b: EventBatch) => Float64Column | Int32Column}
  | {from: "dictionary"; source: IdSource; values: (b: EventBatch) => readonly string[]}
  | {from: "id"; source: IdSource; value: (b: EventBatch, enriched: Enriched) => (id: number) => unknown; valueOfNull?: (enriched: Enriched) => unknown};

/** The enrichment of the batch's distinct clients and agents, each looked up once for all the columns. */
interface Enriched {
  geoOfClient(id: number): GeoFields;
  ofAgent(id: number): UserAgentFields;
  ofNoAgent(): UserAgentFields;
}

function enrichedOnce(batch: EventBatch, enrichers: Enrichers): Enriched {
  const geo: (GeoFields | undefined)[] = [];
  const agents: (UserAgentFields | undefined)[] = [];
  let noAgent: UserAgentFields | undefined;
  return {
    geoOfClient: (id) => (geo[id] ??= enrichers.geo(batch.clients.values[id])),
    ofAgent: (id) => (agents[id] ??= enrichers.userAgent(batch.agents.values[id])),
    ofNoAgent: () => (noAgent ??= enrichers.userAgent(null)),
  };
}

const CLIENTS: IdSource = {ids: (b) => b.clientId, count: (b) => b.clients.size};
const AGENTS: IdSource = {ids: (b) => b.agentId, count: (b) => b.agents.size};
const URLS: IdSource = {ids: (b) => b.urlId, count: (b) => b.urls.size};
const REFERRERS: IdSource = {ids: (b) => b.referrerId, count: (b) => b.referrers.size};
const ORIGINS: IdSource = {ids: (b) => b.originId, count: (b) => b.origins.length};
const EVENT_IDS: IdSource = {ids: (b) => b.eventIdRef, count: (b) => b.eventIds.size};
const wordsOf = (ids: (b: EventBatch) => Int32Column): IdSource => ({ids, count: (b) => b.words.size});

const byOrigin = (field: keyof OriginRow): ColumnRecipe => ({from: "id", source: ORIGINS, value: (b) => (id) => b.origins[id][field]});
const wordColumn = (ids: (b: EventBatch) => Int32Column): ColumnRecipe => ({from: "id", source: wordsOf(ids), value: (b) => (i) => b.words.values[i]});

/**
 * Where each column comes from. Geo and agent fields are derived from GEO_FIELD_NAMES and
 * USER_AGENT_FIELD_NAMES, so a new enrichment field needs no entry here.
 */
const RECIPES: Record<string, ColumnRecipe> = {
  ts: {from: "event", column: (b) => b.ts},
  ingest_ts: {from: "event", column: (b) => b.ingestTs},
  kafka_offset: {from: "event", column: (b) => b.kafkaOffset},
  bytes: {from: "event", column: (b) => b.bytes},
  duration_us: {from: "event", column: (b) => b.durationUs},
  bytes_received: {from: "event", column: (b) => b.bytesReceived},
  bytes_sent: {from: "event", column: (b) => b.bytesSent},
  status: {from: "event", column: (b) => b.status},
  server_port: {from: "event", column: (b) => b.serverPort},
  log_group: byOrigin("log_group"),
  log_stream: byOrigin("log_stream"),
  topic: byOrigin("topic"),
  kafka_partition: byOrigin("kafka_partition"),
  s3_key: byOrigin("s3_key"),
  // The batch's dictionaries hold each distinct value once: the column's values as they are.
  event_id: {from: "dictionary", source: EVENT_IDS, values: (b) => b.eventIds.values},
  client_ip: {from: "dictionary", source: CLIENTS, values: (b) => b.clients.values},
  user_agent: {from: "dictionary", source: AGENTS, values: (b) => b.agents.values},
  url: {from: "dictionary", source: URLS, values: (b) => b.urls.values},
  path: {from: "id", source: URLS, value: (b) => (id) => b.urlParts[id].path},
  query: {from: "id", source: URLS, value: (b) => (id) => b.urlParts[id].query},
  referrer: {from: "dictionary", source: REFERRERS, values: (b) => b.referrers.values},
  referrer_host: {from: "id", source: REFERRERS, value: (b) => (id) => b.referrerHosts[id]},
  vhost: wordColumn((b) => b.vhostId),
  ident: wordColumn((b) => b.identId),
  auth_user: wordColumn((b) => b.authUserId),
  method: wordColumn((b) => b.methodId),
  protocol: wordColumn((b) => b.protocolId),
  ...Object.fromEntries(
    GEO_FIELD_NAMES.map((field): [string, ColumnRecipe] => [
      field,
      // An event without a client has no location (all null).
      {from: "id", source: CLIENTS, value: (_, e) => (id) => e.geoOfClient(id)[field]},
    ]),
  ),
  ...Object.fromEntries(
    USER_AGENT_FIELD_NAMES.map((field): [string, ColumnRecipe] => [
      field,
      // An event without an agent still gets the fields of "no agent" (is_bot false, say).
      {from: "id", source: AGENTS, value: (_, e) => (id) => e.ofAgent(id)[field], valueOfNull: (e) => e.ofNoAgent()[field]},
    ]),
  ),
};

for (const column of EVENT_COLUMNS) {
  if (!(column.name in RECIPES)) throw new Error(`write/event-rows.ts: no recipe for the events column ${column.name}`);
  if (RECIPES[column.name].from === "dictionary" && column.type !== "VARCHAR") throw new Error(`write/event-rows.ts: ${column.name} is no text, yet comes from a dictionary`);
}

/** The batch's rows in the store's order, every column of EVENT_COLUMNS. */
export function eventRows(batch: EventBatch, enrichers: Enrichers): EventRows {
  const order = rowOrder(batch);
  const enriched = enrichedOnce(batch, enrichers);
  const columns = EVENT_COLUMNS.map((spec) => rowColumn(spec.name, spec.type, RECIPES[spec.name], batch, enriched));
  const dayNumber = new Float64Array(order.length);
  const ts = batch.ts;
  const tsNulls = ts.nulls.bytes;
  for (let row = 0; row < order.length; row++) {
    const i = order[row];
    // The day of the timestamp as written: ms rounded to the µs, as CAST(ts * 1000 AS BIGINT) does.
    dayNumber[row] = isNull(tsNulls, i) ? NaN : Math.floor(Math.round(ts.values[i] * 1000) / 86_400_000_000);
  }
  return {count: order.length, order, columns, dayNumber};
}

/**
 * Event indexes in the store's order: ts (nulls last), topic, kafka_partition, kafka_offset. The
 * lines of an object come nearly in time order, so the sort mostly merges runs.
 */
export function rowOrder(batch: EventBatch): Uint32Array {
  const n = batch.size;
  const ts = batch.ts.values;
  const tsNulls = batch.ts.nulls.bytes;
  const offsets = batch.kafkaOffset.values;
  const offsetNulls = batch.kafkaOffset.nulls.bytes;
  // Origins ranked once by (topic, partition): a null sorts last, as in DuckDB's ORDER BY.
  const originRank = rankOrigins(batch.origins);
  const originId = batch.originId.values;
  const key = new Float64Array(n);
  const rank = new Int32Array(n);
  const offset = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    key[i] = isNull(tsNulls, i) ? Infinity : ts[i];
    rank[i] = originRank[originId[i]];
    offset[i] = isNull(offsetNulls, i) ? Infinity : offsets[i];
  }
  // An Array, not a Uint32Array: V8 sorts an Array by TimSort, which merges the runs already in
  // order (each object's lines) where a typed array's merge sort compares them all again: 55 → 33
  // ms for 500,000 rows of 500 objects.
  const indexes = new Array<number>(n);
  for (let i = 0; i < n; i++) indexes[i] = i;
  indexes.sort((a, b) => key[a] - key[b] || rank[a] - rank[b] || offset[a] - offset[b] || 0);
  return Uint32Array.from(indexes);
}

function rankOrigins(origins: readonly OriginRow[]): Int32Array {
  const ids = origins.map((_, id) => id);
  const text = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : compareUtf8(a, b));
  const number = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);
  ids.sort((a, b) => text(origins[a].topic, origins[b].topic) || number(origins[a].kafka_partition, origins[b].kafka_partition));
  const rank = new Int32Array(origins.length);
  // Origins that tie (same topic and partition, other keys) share a rank: the offset orders them.
  ids.forEach((id, i) => (rank[id] = i > 0 && text(origins[ids[i - 1]].topic, origins[id].topic) === 0 && origins[ids[i - 1]].kafka_partition === origins[id].kafka_partition ? rank[ids[i - 1]] : i));
  return rank;
}

/** Strings in DuckDB's VARCHAR order (UTF-8 bytes), which differs from JavaScript's (UTF-16 units) past U+FFFF. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function rowColumn(name: string, type: ColumnType, recipe: ColumnRecipe, batch: EventBatch, enriched: Enriched): RowColumn {
  if (recipe.from === "event") {
    const source = recipe.column(batch);
    return {kind: source instanceof Float64Column ? "double" : "integer", name, from: "event", source};
  }
  const source = recipe.source.ids(batch);
  if (recipe.from === "dictionary") return {kind: "text", name, values: recipe.values(batch), source, textIds: null, ofNull: -1};
  // Through an id: each distinct id's value once, each event then reads it by its id.
  const valueOf = recipe.value(batch, enriched);
  const distinct = recipe.source.count(batch);
  const nullValue = recipe.valueOfNull ? recipe.valueOfNull(enriched) : null;
  if (type === "VARCHAR") {
    // The column's own distinct values (a city is the value of many clients), each once: an ENUM holds no value twice.
    const idOfText = new Map<string, number>();
    const values: string[] = [];
    const textId = (value: unknown) => {
      if (value === null || value === undefined) return -1;
      const text = String(value);
      let id = idOfText.get(text);
      if (id === undefined) {
        id = values.length;
        values.push(text);
        idOfText.set(text, id);
      }
      return id;
    };
    const textIds = new Int32Array(distinct);
    for (let id = 0; id < distinct; id++) textIds[id] = textId(valueOf(id));
    return {kind: "text", name, values, source, textIds, ofNull: textId(nullValue)};
  }
  const kind = type === "DOUBLE" ? "double" : type === "BOOLEAN" ? "boolean" : "integer";
  const byId = kind === "double" ? new Float64Array(distinct) : kind === "boolean" ? new Uint8Array(distinct) : new Int32Array(distinct);
  const validById = new Uint8Array(distinct);
  for (let id = 0; id < distinct; id++) {
    const value = valueOf(id);
    if (value === null || value === undefined) continue;
    byId[id] = Number(value);
    validById[id] = 1;
  }
  return {kind, name, from: "id", source, byId, validById, ofNull: nullValue === null || nullValue === undefined ? null : Number(nullValue)};
}

/**
 * The source ids of rows start … start + count - 1 into `into`, -1 where the event has none. The
 * columns read through one source (a client's address and its places, an agent and its browser,
 * device and bot) start from these, gathered once for them all: reading them by the row order
 * is the random access into the batch that costs, the reading through each id after it is not.
 */
export function gatherSourceIds(source: Int32Column, order: Uint32Array, start: number, count: number, into: Int32Array): void {
  const ids = source.values;
  const nulls = source.nulls.bytes;
  for (let k = 0; k < count; k++) {
    const i = order[start + k];
    into[k] = isNull(nulls, i) ? -1 : ids[i];
  }
}

/**
 * A text column's ids into `into` (-1 for null) from its source's ids (`sourceIds`, as
 * gatherSourceIds gives them; `into` may be `sourceIds` itself), and their validity into
 * `validity` in DuckDB's layout (bit k of byte k >> 3; all of it written only when some row is
 * null). Returns whether some row is null.
 */
export function textIdsFrom(column: RowColumn & {kind: "text"}, sourceIds: Int32Array, count: number, into: Int32Array, validity: Uint8Array): boolean {
  const {textIds, ofNull} = column;
  let anyNull = false;
  for (let k = 0; k < count; k++) {
    const sourceId = sourceIds[k];
    const id = sourceId < 0 ? ofNull : textIds === null ? sourceId : textIds[sourceId];
    into[k] = id;
    if (id < 0) {
      anyNull = markNull(validity, k, count, anyNull);
    }
  }
  return anyNull;
}

/** The text ids of rows start … start + count - 1 of a text column, as textIdsFrom gives them. */
export function gatherTextIds(column: RowColumn & {kind: "text"}, order: Uint32Array, start: number, count: number, into: Int32Array, validity: Uint8Array): boolean {
  gatherSourceIds(column.source, order, start, count, into);
  return textIdsFrom(column, into, count, into, validity);
}

/** The values of rows start … start + count - 1 of a number the event holds into `into`, validity as textIdsFrom. */
export function gatherEventNumbers(column: Extract<RowColumn, {from: "event"}>, order: Uint32Array, start: number, count: number, into: Float64Array | Int32Array, validity: Uint8Array): boolean {
  const values = column.source.values;
  const nulls = column.source.nulls.bytes;
  let anyNull = false;
  for (let k = 0; k < count; k++) {
    const i = order[start + k];
    into[k] = values[i];
    if (isNull(nulls, i)) {
      anyNull = markNull(validity, k, count, anyNull);
    }
  }
  return anyNull;
}

/** A number column read through an id into `into` from its source's ids (gatherSourceIds), validity as textIdsFrom. */
export function numbersFrom(column: Extract<RowColumn, {from: "id"}>, sourceIds: Int32Array, count: number, into: Float64Array | Int32Array | Uint8Array, validity: Uint8Array): boolean {
  const {byId, validById, ofNull} = column;
  let anyNull = false;
  for (let k = 0; k < count; k++) {
    const id = sourceIds[k];
    const valid = id < 0 ? ofNull !== null : validById[id] === 1;
    if (valid) into[k] = id < 0 ? ofNull! : byId[id];
    else anyNull = markNull(validity, k, count, anyNull);
  }
  return anyNull;
}

/** Marks row k of a vector of `count` null; `anyNull`: whether one is marked already (else every row is first marked valid). */
function markNull(validity: Uint8Array, k: number, count: number, anyNull: boolean): true {
  if (!anyNull) startValidity(validity, count);
  validity[k >> 3] &= ~(1 << (k & 7));
  return true;
}

/** Marks every row of a vector of `count` valid, before the first null is cleared. */
function startValidity(validity: Uint8Array, count: number): void {
  validity.fill(0xff, 0, validityBytes(count));
}

/** Bytes of a validity mask for `count` rows: whole 64-bit words, as DuckDB keeps them. */
export function validityBytes(count: number): number {
  return Math.ceil(count / 64) * 8;
}

function isNull(mask: Uint8Array | null, i: number): boolean {
  return mask !== null && i >> 3 < mask.length && (mask[i >> 3] & (1 << (i & 7))) === 0;
}
