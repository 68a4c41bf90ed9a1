// A batch's events as the store's columns, already in the store's row order, ready to hand to
// DuckDB without a join or a sort: every text column as dictionary ids into that column's own
// distinct values (DuckDB takes them as ENUM vectors and keeps the strings), numbers as typed
// arrays. Enrichment still runs once per distinct client and agent; each event then only
// gathers ids. Built for every column of EVENT_COLUMNS from where that column comes from.
import {EVENT_COLUMNS, GEO_FIELD_NAMES, USER_AGENT_FIELD_NAMES, type ColumnType, type GeoFields, type UserAgentFields} from "../event.js";
import {Dictionary, Float64Column, Int32Column} from "./columns.js";
import type {EventBatch, OriginRow} from "./event-batch.js";

export interface Enrichers {
  geo(clientIp: string): GeoFields;
  userAgent(userAgent: string | null): UserAgentFields;
}

/** One column of the rows, in row order. */
export type RowColumn =
  /** ids[i] indexes values; -1 is null. */
  | {kind: "text"; name: string; ids: Int32Array; values: readonly string[]}
  /** A number as the batch holds it (DOUBLE or INTEGER), or a boolean (0/1); `valid[i]` is 0 for null. */
  | {kind: "double" | "integer" | "boolean"; name: string; values: Float64Array | Int32Array | Uint8Array; valid: Uint8Array | null};

export interface EventRows {
  /** Rows in the store's order: ts (nulls last), topic, kafka_partition, kafka_offset. */
  count: number;
  columns: RowColumn[];
  /** The UTC day number (ms / 86,400,000, floored) of each row, NaN when undated. */
  dayNumber: Float64Array;
}

/** How each store column is cut from the batch: by event, or through the id of a distinct value. */
type ColumnRecipe =
  | {from: "event"; column: (b: EventBatch) => Float64Column | Int32Column}
  | {from: "id"; id: (b: EventBatch) => Int32Column; value: (b: EventBatch, enriched: Enriched) => (id: number) => unknown; valueOfNull?: (enriched: Enriched) => unknown};

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

const byOrigin = (field: keyof OriginRow): ColumnRecipe => ({from: "id", id: (b) => b.originId, value: (b) => (id) => b.origins[id][field]});
const wordColumn = (id: (b: EventBatch) => Int32Column): ColumnRecipe => ({from: "id", id, value: (b) => (i) => b.words.values[i]});
const inDictionary = (id: (b: EventBatch) => Int32Column, dictionary: (b: EventBatch) => Dictionary): ColumnRecipe => ({from: "id", id, value: (b) => (i) => dictionary(b).values[i]});

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
  event_id: inDictionary((b) => b.eventIdRef, (b) => b.eventIds),
  client_ip: inDictionary((b) => b.clientId, (b) => b.clients),
  user_agent: inDictionary((b) => b.agentId, (b) => b.agents),
  url: inDictionary((b) => b.urlId, (b) => b.urls),
  path: {from: "id", id: (b) => b.urlId, value: (b) => (id) => b.urlParts[id].path},
  query: {from: "id", id: (b) => b.urlId, value: (b) => (id) => b.urlParts[id].query},
  referrer: inDictionary((b) => b.referrerId, (b) => b.referrers),
  referrer_host: {from: "id", id: (b) => b.referrerId, value: (b) => (id) => b.referrerHosts[id]},
  vhost: wordColumn((b) => b.vhostId),
  ident: wordColumn((b) => b.identId),
  auth_user: wordColumn((b) => b.authUserId),
  method: wordColumn((b) => b.methodId),
  protocol: wordColumn((b) => b.protocolId),
  ...Object.fromEntries(
    GEO_FIELD_NAMES.map((field): [string, ColumnRecipe] => [
      field,
      // An event without a client has no location (all null).
      {from: "id", id: (b) => b.clientId, value: (_, e) => (id) => e.geoOfClient(id)[field]},
    ]),
  ),
  ...Object.fromEntries(
    USER_AGENT_FIELD_NAMES.map((field): [string, ColumnRecipe] => [
      field,
      // An event without an agent still gets the fields of "no agent" (is_bot false, say).
      {from: "id", id: (b) => b.agentId, value: (_, e) => (id) => e.ofAgent(id)[field], valueOfNull: (e) => e.ofNoAgent()[field]},
    ]),
  ),
};

for (const column of EVENT_COLUMNS) {
  if (!(column.name in RECIPES)) throw new Error(`write/event-rows.ts: no recipe for the events column ${column.name}`);
}

/** The batch's rows in the store's order, every column of EVENT_COLUMNS. */
export function eventRows(batch: EventBatch, enrichers: Enrichers): EventRows {
  const order = rowOrder(batch);
  const enriched = enrichedOnce(batch, enrichers);
  const columns = EVENT_COLUMNS.map((spec) => rowColumn(spec.name, spec.type, RECIPES[spec.name], batch, enriched, order));
  const dayNumber = new Float64Array(order.length);
  const ts = batch.ts;
  const tsNulls = ts.nulls.bytes;
  for (let row = 0; row < order.length; row++) {
    const i = order[row];
    // The day of the timestamp as written: ms rounded to the µs, as CAST(ts * 1000 AS BIGINT) does.
    dayNumber[row] = isNull(tsNulls, i) ? NaN : Math.floor(Math.round(ts.values[i] * 1000) / 86_400_000_000);
  }
  return {count: order.length, columns, dayNumber};
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
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => key[a] - key[b] || rank[a] - rank[b] || offset[a] - offset[b] || 0);
  return order;
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

function rowColumn(name: string, type: ColumnType, recipe: ColumnRecipe, batch: EventBatch, enriched: Enriched, order: Uint32Array): RowColumn {
  const n = order.length;
  if (recipe.from === "event") {
    const source = recipe.column(batch);
    const values = source instanceof Float64Column ? new Float64Array(n) : new Int32Array(n);
    const valid = source.nulls.bytes === null ? null : new Uint8Array(n);
    for (let row = 0; row < n; row++) {
      const i = order[row];
      values[row] = source.values[i];
      if (valid !== null) valid[row] = isNull(source.nulls.bytes, i) ? 0 : 1;
    }
    return {kind: source instanceof Float64Column ? "double" : "integer", name, values, valid};
  }
  // Through an id: each distinct id's value once, then gathered per event.
  const idColumn = recipe.id(batch);
  const valueOf = recipe.value(batch, enriched);
  const distinct = idColumn === batch.originId ? batch.origins.length : distinctCount(idColumn);
  const nullValue = recipe.valueOfNull ? recipe.valueOfNull(enriched) : null;
  if (type === "VARCHAR") {
    const dictionary = new Dictionary();
    const textId = (value: unknown) => (value === null || value === undefined ? -1 : dictionary.idOf(String(value)));
    const byId = new Int32Array(distinct);
    for (let id = 0; id < distinct; id++) byId[id] = textId(valueOf(id));
    const ofNull = textId(nullValue);
    const ids = new Int32Array(n);
    const nulls = idColumn.nulls.bytes;
    for (let row = 0; row < n; row++) {
      const i = order[row];
      ids[row] = isNull(nulls, i) ? ofNull : byId[idColumn.values[i]];
    }
    return {kind: "text", name, ids, values: dictionary.values};
  }
  const kind = type === "DOUBLE" ? "double" : type === "BOOLEAN" ? "boolean" : "integer";
  const byIdValue = kind === "double" ? new Float64Array(distinct) : kind === "boolean" ? new Uint8Array(distinct) : new Int32Array(distinct);
  const byIdValid = new Uint8Array(distinct);
  for (let id = 0; id < distinct; id++) {
    const value = valueOf(id);
    if (value === null || value === undefined) continue;
    byIdValue[id] = Number(value);
    byIdValid[id] = 1;
  }
  const nullIsNull = nullValue === null || nullValue === undefined;
  const values = kind === "double" ? new Float64Array(n) : kind === "boolean" ? new Uint8Array(n) : new Int32Array(n);
  const valid = new Uint8Array(n);
  const nulls = idColumn.nulls.bytes;
  for (let row = 0; row < n; row++) {
    const i = order[row];
    if (isNull(nulls, i)) {
      if (!nullIsNull) {
        values[row] = Number(nullValue);
        valid[row] = 1;
      }
    } else {
      const id = idColumn.values[i];
      values[row] = byIdValue[id];
      valid[row] = byIdValid[id];
    }
  }
  return {kind, name, values, valid};
}

/** How many distinct ids a column of dictionary ids refers to: one past the largest. */
function distinctCount(ids: Int32Column): number {
  let max = -1;
  const nulls = ids.nulls.bytes;
  for (let i = 0; i < ids.length; i++) if (!isNull(nulls, i) && ids.values[i] > max) max = ids.values[i];
  return max + 1;
}

function isNull(mask: Uint8Array | null, i: number): boolean {
  return mask !== null && i >> 3 < mask.length && (mask[i >> 3] & (1 << (i & 7))) === 0;
}
