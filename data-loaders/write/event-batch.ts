// A batch of parsed events held column by column, strings replaced by dictionary ids, ready
// to be enriched once per distinct client and agent and written to Parquet in bulk.
import type {EventOrigin, ParsedLine, RejectedLine} from "../event.js";
import {columnParts, Dictionary, Float64Column, holding, Int32Column, type ColumnParts} from "./columns.js";

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

/**
 * A batch as it crosses to another thread (store/segment-writer.ts): its columns' arrays, moved
 * rather than copied (`transfer`), and each dictionary's distinct values once. Everything writing
 * the batch reads, nothing of adding to it (the dictionaries' lookups are made again).
 */
export interface BatchParts {
  float64: Record<(typeof FLOAT64_COLUMNS)[number], ColumnParts<Float64Array<ArrayBuffer>>>;
  int32: Record<(typeof INT32_COLUMNS)[number], ColumnParts<Int32Array<ArrayBuffer>>>;
  dictionaries: Record<(typeof DICTIONARIES)[number], string[]>;
  urlParts: EventBatch["urlParts"];
  referrerHosts: EventBatch["referrerHosts"];
  origins: OriginRow[];
  rejected: RejectedLine[];
}

export class EventBatch {
  // One entry per event.
  readonly ts = new Float64Column();
  readonly ingestTs = new Float64Column();
  readonly kafkaOffset = new Float64Column();
  readonly bytes = new Float64Column();
  readonly durationUs = new Float64Column();
  readonly bytesReceived = new Float64Column();
  readonly bytesSent = new Float64Column();
  readonly status = new Int32Column();
  readonly serverPort = new Int32Column();
  readonly originId = new Int32Column();
  readonly clientId = new Int32Column();
  readonly agentId = new Int32Column();
  readonly urlId = new Int32Column();
  readonly referrerId = new Int32Column();
  readonly vhostId = new Int32Column();
  readonly identId = new Int32Column();
  readonly authUserId = new Int32Column();
  readonly methodId = new Int32Column();
  readonly protocolId = new Int32Column();
  /** Index into eventIds; null for events without an id of their own (S3 sink, export task). */
  readonly eventIdRef = new Int32Column();

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

  /** An empty batch, or one holding what `parts` holds (a batch parsed on another thread). */
  constructor(parts?: BatchParts) {
    if (parts === undefined) return;
    // Object.assign: the fields stay readonly for everything that adds to a batch.
    Object.assign(this, {
      ...Object.fromEntries(FLOAT64_COLUMNS.map((name) => [name, holding(new Float64Column(), parts.float64[name])])),
      ...Object.fromEntries(INT32_COLUMNS.map((name) => [name, holding(new Int32Column(), parts.int32[name])])),
      ...Object.fromEntries(DICTIONARIES.map((name) => [name, Dictionary.of(parts.dictionaries[name])])),
      urlParts: parts.urlParts,
      referrerHosts: parts.referrerHosts,
      origins: parts.origins,
      rejected: parts.rejected,
    });
  }

  /**
   * What the batch holds, to hand to another thread, and the buffers to move with it: once
   * posted, this batch's columns are empty of them and it is not to be used again.
   */
  parts(): {parts: BatchParts; transfer: ArrayBuffer[]} {
    const float64 = Object.fromEntries(FLOAT64_COLUMNS.map((name) => [name, columnParts(this[name])])) as BatchParts["float64"];
    const int32 = Object.fromEntries(INT32_COLUMNS.map((name) => [name, columnParts(this[name])])) as BatchParts["int32"];
    const dictionaries = Object.fromEntries(DICTIONARIES.map((name) => [name, this[name].values])) as BatchParts["dictionaries"];
    const columns = [...Object.values(float64), ...Object.values(int32)];
    const transfer = columns.flatMap(({values, nulls}) => (nulls === null ? [values.buffer] : [values.buffer, nulls.buffer as ArrayBuffer]));
    return {parts: {float64, int32, dictionaries, urlParts: this.urlParts, referrerHosts: this.referrerHosts, origins: this.origins, rejected: this.rejected}, transfer};
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

  private originIdOf(origin: EventOrigin): number {
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
