// A batch of parsed events held column by column, strings replaced by dictionary ids, ready
// to be enriched once per distinct client and agent and written to Parquet in bulk.
import type {EventOrigin, ParsedLine, RejectedLine} from "../event.js";
import {columnParts, Dictionary, Float64Column, holding, Int32Column, isNullIn, type ColumnParts} from "./columns.js";

/** The object-level part of an event's origin: one row of the batch's origins table. */
export interface OriginRow {
  s3_key: string | null;
  topic: string | null;
  kafka_partition: number | null;
  log_group: string | null;
  log_stream: string | null;
}

// The batch's columns of one entry per event and its dictionaries, by name: what parts() gives
// and the constructor takes back.
const FLOAT64_COLUMNS = ["ts", "ingestTs", "kafkaOffset", "bytes", "durationUs", "bytesReceived", "bytesSent"] as const;
const INT32_COLUMNS = ["status", "serverPort", "originId", "clientId", "agentId", "urlId", "referrerId", "vhostId", "identId", "authUserId", "methodId", "protocolId", "eventIdRef"] as const;
const DICTIONARIES = ["clients", "agents", "urls", "referrers", "words", "eventIds"] as const;
type DictionaryName = (typeof DICTIONARIES)[number];

/** How many values each of a batch's dictionaries holds. */
export type DictionarySizes = Record<DictionaryName, number>;

/**
 * A batch as it crosses to another thread (store/segment-writer.ts): its columns' arrays, moved
 * rather than copied (`transfer`), and each dictionary's distinct values once. Everything writing
 * the batch reads, nothing of adding to it (the dictionaries' lookups are made again).
 */
export interface BatchParts {
  float64: Record<(typeof FLOAT64_COLUMNS)[number], ColumnParts<Float64Array<ArrayBuffer>>>;
  int32: Record<(typeof INT32_COLUMNS)[number], ColumnParts<Int32Array<ArrayBuffer>>>;
  /** Each dictionary's values, all of them or those after given sizes (`parts(from)`). */
  dictionaries: Record<DictionaryName, string[]>;
  urlParts: EventBatch["urlParts"];
  referrerHosts: EventBatch["referrerHosts"];
  origins: OriginRow[];
  rejected: RejectedLine[];
}

export class EventBatch {
  // One entry per event: made by the constructor, from the lists above.
  readonly ts!: Float64Column;
  readonly ingestTs!: Float64Column;
  readonly kafkaOffset!: Float64Column;
  readonly bytes!: Float64Column;
  readonly durationUs!: Float64Column;
  readonly bytesReceived!: Float64Column;
  readonly bytesSent!: Float64Column;
  readonly status!: Int32Column;
  readonly serverPort!: Int32Column;
  readonly originId!: Int32Column;
  readonly clientId!: Int32Column;
  readonly agentId!: Int32Column;
  readonly urlId!: Int32Column;
  readonly referrerId!: Int32Column;
  readonly vhostId!: Int32Column;
  readonly identId!: Int32Column;
  readonly authUserId!: Int32Column;
  readonly methodId!: Int32Column;
  readonly protocolId!: Int32Column;
  /** Index into eventIds; null for events without an id of their own (S3 sink, export task). */
  readonly eventIdRef!: Int32Column;

  // One entry per distinct value.
  readonly clients = new Dictionary();
  readonly agents = new Dictionary();
  readonly urls = new Dictionary();
  /** path and query of urls.values[i], as the parser cut them. */
  readonly urlParts: {path: string | null; query: string | null}[] = [];
  readonly referrers = new Dictionary();
  readonly referrerHosts: (string | null)[] = [];
  /** Short repeated tokens: methods, protocols, vhosts, ident and user names. */
  readonly words = new Dictionary();
  readonly origins: OriginRow[] = [];
  /** CloudWatch event ids, each once: no two events of a batch share one. */
  readonly eventIds = new Dictionary();

  readonly rejected: RejectedLine[] = [];

  // Events of one object share an origin; remembering the last one avoids a lookup per event.
  private lastOrigin: OriginRow | null = null;
  private lastOriginId = -1;
  private readonly originIds = new Map<string, number>();
  // For each other thread's dictionaries appended from: their ids → this batch's (append).
  private readonly idMaps = new WeakMap<ArrivingDictionaries, Record<(typeof INT32_COLUMNS)[number], ((id: number) => number) | null>>();

  /**
   * An empty batch (`rows`: the events it is made room for at first; it grows past them), or one
   * holding what `parts` holds (a batch parsed on another thread). `dictionariesOf`: a batch whose
   * dictionaries this one adds to as well, so that batches one after the other on a thread send
   * each distinct value once (`parts(from)`).
   */
  constructor(from: BatchParts | {rows: number; dictionariesOf?: EventBatch} = {rows: 4096}) {
    // Object.assign: the fields stay readonly for everything that adds to a batch.
    if ("rows" in from) {
      Object.assign(this, {
        ...Object.fromEntries(FLOAT64_COLUMNS.map((name) => [name, new Float64Column(from.rows)])),
        ...Object.fromEntries(INT32_COLUMNS.map((name) => [name, new Int32Column(from.rows)])),
      });
      const shared = from.dictionariesOf;
      if (shared !== undefined) {
        Object.assign(this, {
          ...Object.fromEntries(DICTIONARIES.map((name) => [name, shared[name]])),
          urlParts: shared.urlParts,
          referrerHosts: shared.referrerHosts,
        });
      }
      return;
    }
    Object.assign(this, {
      ...Object.fromEntries(FLOAT64_COLUMNS.map((name) => [name, holding(new Float64Column(0), from.float64[name])])),
      ...Object.fromEntries(INT32_COLUMNS.map((name) => [name, holding(new Int32Column(0), from.int32[name])])),
      ...Object.fromEntries(DICTIONARIES.map((name) => [name, Dictionary.of(from.dictionaries[name])])),
      urlParts: from.urlParts,
      referrerHosts: from.referrerHosts,
      origins: from.origins,
      rejected: from.rejected,
    });
  }

  /**
   * What the batch holds, to hand to another thread, and the buffers to move with it: once
   * posted, this batch's columns are empty of them and it is not to be used again. `from`: the
   * dictionaries' sizes the other thread has already (sent with an earlier batch sharing them),
   * whose values are not sent again.
   */
  parts(from: DictionarySizes | null = null): {parts: BatchParts; transfer: ArrayBuffer[]} {
    const float64 = Object.fromEntries(FLOAT64_COLUMNS.map((name) => [name, columnParts(this[name])])) as BatchParts["float64"];
    const int32 = Object.fromEntries(INT32_COLUMNS.map((name) => [name, columnParts(this[name])])) as BatchParts["int32"];
    const dictionaries = Object.fromEntries(DICTIONARIES.map((name) => [name, from === null ? this[name].values : this[name].values.slice(from[name])])) as BatchParts["dictionaries"];
    const urlParts = from === null ? this.urlParts : this.urlParts.slice(from.urls);
    const referrerHosts = from === null ? this.referrerHosts : this.referrerHosts.slice(from.referrers);
    const columns = [...Object.values(float64), ...Object.values(int32)];
    const transfer = columns.flatMap(({values, nulls}) => (nulls === null ? [values.buffer] : [values.buffer, nulls.buffer as ArrayBuffer]));
    return {parts: {float64, int32, dictionaries, urlParts, referrerHosts, origins: this.origins, rejected: this.rejected}, transfer};
  }

  dictionarySizes(): DictionarySizes {
    return Object.fromEntries(DICTIONARIES.map((name) => [name, this[name].size])) as DictionarySizes;
  }

  get size(): number {
    return this.ts.length;
  }

  add(origin: EventOrigin, line: ParsedLine): void {
    // The log line's time only: CloudWatch's clock stays in ingest_ts, never mixed into ts.
    this.ts.push(line.ts);
    this.ingestTs.push(origin.ingest_ts);
    this.kafkaOffset.push(origin.kafka_offset);
    this.bytes.push(line.bytes);
    this.durationUs.push(line.duration_us);
    this.bytesReceived.push(line.bytes_received);
    this.bytesSent.push(line.bytes_sent);
    this.status.push(line.status);
    this.serverPort.push(line.server_port);
    this.originId.push(this.originIdOf(origin));
    this.clientId.push(line.client_ip === null ? null : this.clients.idOf(line.client_ip));
    this.agentId.push(line.user_agent === null ? null : this.agents.idOf(line.user_agent));
    this.urlId.push(this.urlIdOf(line));
    this.referrerId.push(this.referrerIdOf(line));
    this.vhostId.push(this.wordId(line.vhost));
    this.identId.push(this.wordId(line.ident));
    this.authUserId.push(this.wordId(line.auth_user));
    this.methodId.push(this.wordId(line.method));
    this.protocolId.push(this.wordId(line.protocol));
    this.eventIdRef.push(origin.event_id === null ? null : this.eventIds.idOf(origin.event_id));
  }

  /** True when an event with this CloudWatch id is already in the batch: the caller counts it as a re-delivery instead of adding it. */
  hasEventId(eventId: string): boolean {
    return this.eventIds.has(eventId);
  }

  reject(line: RejectedLine): void {
    this.rejected.push(line);
  }

  /**
   * Adds the events and rejected lines of `parts` (a batch parsed on another thread), in their
   * order, each string given this batch's id. `theirs`: the other thread's dictionaries, when
   * its batches share them and send each value once (`parts(from)`); by default those of `parts`.
   * `keep`, when given, says by its Kafka offset which rows stay: a value only the others use is
   * not added. A rejected line without an offset (an object's own problem) stays.
   */
  append(parts: BatchParts, keep: ((offset: number) => boolean) | null = null, theirs: ArrivingDictionaries = ArrivingDictionaries.of(parts)): void {
    let rows: Int32Array | null = null;
    if (keep !== null) {
      const offsets = parts.float64.kafkaOffset;
      const kept: number[] = [];
      for (let row = 0; row < offsets.length; row++) if (isNullIn(offsets.nulls, row) || keep(offsets.values[row])) kept.push(row);
      if (kept.length < offsets.length) rows = Int32Array.from(kept);
    }
    for (const name of FLOAT64_COLUMNS) this[name].appendRows(parts.float64[name], rows);
    let idHere = this.idMaps.get(theirs);
    if (idHere === undefined) {
      idHere = this.idsHereOf(theirs);
      this.idMaps.set(theirs, idHere);
    }
    // An object's origins are its own, sent with it.
    const origins = new IdMap((id) => this.originIdOf(parts.origins[id]));
    idHere = {...idHere, originId: origins.idHere};
    for (const name of INT32_COLUMNS) this[name].appendRows(parts.int32[name], rows, idHere[name]);
    for (const line of parts.rejected) if (keep === null || line.kafka_offset === null || keep(line.kafka_offset)) this.rejected.push(line);
  }

  /** For each column of ids, `theirs`' id → this batch's, each looked up once. */
  private idsHereOf(theirs: ArrivingDictionaries): Record<(typeof INT32_COLUMNS)[number], ((id: number) => number) | null> {
    const {values} = theirs;
    const word = new IdMap((id) => this.words.idOf(values.words[id])).idHere;
    return {
      status: null,
      serverPort: null,
      originId: null,
      clientId: new IdMap((id) => this.clients.idOf(values.clients[id])).idHere,
      agentId: new IdMap((id) => this.agents.idOf(values.agents[id])).idHere,
      urlId: new IdMap((id) => {
        const mine = this.urls.idOf(values.urls[id]);
        if (mine === this.urlParts.length) this.urlParts.push(theirs.urlParts[id]);
        return mine;
      }).idHere,
      referrerId: new IdMap((id) => {
        const mine = this.referrers.idOf(values.referrers[id]);
        if (mine === this.referrerHosts.length) this.referrerHosts.push(theirs.referrerHosts[id]);
        return mine;
      }).idHere,
      vhostId: word,
      identId: word,
      authUserId: word,
      methodId: word,
      protocolId: word,
      eventIdRef: new IdMap((id) => this.eventIds.idOf(values.eventIds[id])).idHere,
    };
  }

  private wordId(value: string | null): number | null {
    return value === null ? null : this.words.idOf(value);
  }

  private urlIdOf(line: ParsedLine): number | null {
    if (line.url === null) return null;
    const id = this.urls.idOf(line.url);
    if (id === this.urlParts.length) this.urlParts.push({path: line.path, query: line.query});
    return id;
  }

  private referrerIdOf(line: ParsedLine): number | null {
    if (line.referrer === null) return null;
    const id = this.referrers.idOf(line.referrer);
    if (id === this.referrerHosts.length) this.referrerHosts.push(line.referrer_host);
    return id;
  }

  private originIdOf(origin: OriginRow): number {
    const last = this.lastOrigin;
    if (
      last !== null &&
      last.s3_key === origin.s3_key &&
      last.log_group === origin.log_group &&
      last.log_stream === origin.log_stream &&
      last.topic === origin.topic &&
      last.kafka_partition === origin.kafka_partition
    ) {
      return this.lastOriginId;
    }
    const key = `${origin.s3_key}\u0000${origin.topic}\u0000${origin.kafka_partition}\u0000${origin.log_group}\u0000${origin.log_stream}`;
    let id = this.originIds.get(key) ?? -1;
    if (id < 0) {
      id = this.origins.length;
      this.origins.push({
        s3_key: origin.s3_key,
        topic: origin.topic,
        kafka_partition: origin.kafka_partition,
        log_group: origin.log_group,
        log_stream: origin.log_stream,
      });
      this.originIds.set(key, id);
    }
    this.lastOrigin = this.origins[id];
    this.lastOriginId = id;
    return id;
  }
}

/**
 * Another thread's dictionaries as they arrive, each batch's new values after the last's, in the
 * order that thread made them (EventBatch.parts(from)).
 */
export class ArrivingDictionaries {
  readonly values = Object.fromEntries(DICTIONARIES.map((name) => [name, [] as string[]])) as Record<DictionaryName, string[]>;
  readonly urlParts: EventBatch["urlParts"] = [];
  readonly referrerHosts: EventBatch["referrerHosts"] = [];

  /** The dictionaries of `parts`, sent whole. */
  static of(parts: BatchParts): ArrivingDictionaries {
    const dictionaries = new ArrivingDictionaries();
    dictionaries.add(parts, Object.fromEntries(DICTIONARIES.map((name) => [name, 0])) as DictionarySizes);
    return dictionaries;
  }

  /** The values `parts` brings, which follow `from` values of each dictionary. */
  add(parts: BatchParts, from: DictionarySizes): void {
    for (const name of DICTIONARIES) {
      if (from[name] !== this.values[name].length) throw new Error(`a batch's ${name} follow ${from[name]} values, but ${this.values[name].length} have arrived`);
    }
    for (const name of DICTIONARIES) for (const value of parts.dictionaries[name]) this.values[name].push(value);
    for (const part of parts.urlParts) this.urlParts.push(part);
    for (const host of parts.referrerHosts) this.referrerHosts.push(host);
  }
}

/** Another batch's ids → this batch's, each looked up (`lookup`) the first time a row uses it and kept. */
class IdMap {
  private ids = new Int32Array(0);

  constructor(private readonly lookup: (theirs: number) => number) {}

  readonly idHere = (theirs: number): number => {
    if (theirs >= this.ids.length) {
      const grown = new Int32Array(Math.max(theirs + 1, this.ids.length * 2, 64)).fill(-1);
      grown.set(this.ids);
      this.ids = grown;
    }
    let id = this.ids[theirs];
    if (id < 0) this.ids[theirs] = id = this.lookup(theirs);
    return id;
  };
}

// Every column and dictionary of a batch crosses threads by the lists above: one left off them
// would reach the writer thread empty.
const LISTED = new Map<unknown, readonly string[]>([
  [Float64Column, FLOAT64_COLUMNS],
  [Int32Column, INT32_COLUMNS],
  [Dictionary, DICTIONARIES],
]);
for (const [name, value] of Object.entries(new EventBatch())) {
  const listed = LISTED.get((value as object | null)?.constructor);
  if (listed !== undefined && !listed.includes(name)) throw new Error(`write/event-batch.ts: the batch's ${name} is missing from the lists its parts are made by`);
}
