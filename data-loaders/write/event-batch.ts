// A batch of parsed events held column by column, strings replaced by dictionary ids, ready
// to be enriched once per distinct client and agent and written to Parquet in bulk.
import type {EventOrigin, ParsedLine, RejectedLine} from "../event.js";
import {Dictionary, Float64Column, Int32Column} from "./columns.js";

/** The object-level part of an event's origin: one row of the batch's origins table. */
export interface OriginRow {
  s3_key: string | null;
  topic: string | null;
  kafka_partition: number | null;
  log_group: string | null;
  log_stream: string | null;
}

/** The batch's columns with one entry per event, by field name (a piece of a batch carries these: write/batch-piece.ts). */
export const DOUBLE_ROW_FIELDS = ["ts", "ingestTs", "kafkaOffset", "bytes", "durationUs", "bytesReceived", "bytesSent"] as const;
export const INTEGER_ROW_FIELDS = [
  "status", "serverPort", "originId", "clientId", "agentId", "urlId", "referrerId", "vhostId", "identId", "authUserId", "methodId", "protocolId", "eventIdRef",
] as const;
/** The batch's dictionaries, and its lists with one entry per id of a dictionary (or per origin). */
export const DICTIONARY_FIELDS = ["clients", "agents", "urls", "referrers", "words", "eventIds"] as const;
export const PER_VALUE_FIELDS = ["urlParts", "referrerHosts", "origins"] as const;

export type DoubleRowField = (typeof DOUBLE_ROW_FIELDS)[number];
export type IntegerRowField = (typeof INTEGER_ROW_FIELDS)[number];

/** The rows added to a batch since the last take (EventBatch.takeRows): its per-event columns and rejected lines. */
export type BatchRows = {[F in DoubleRowField]: Float64Column} & {[F in IntegerRowField]: Int32Column} & {rejected: RejectedLine[]};

export class EventBatch {
  // One entry per event (DOUBLE_ROW_FIELDS, INTEGER_ROW_FIELDS); replaced only by takeRows.
  ts = new Float64Column();
  ingestTs = new Float64Column();
  kafkaOffset = new Float64Column();
  bytes = new Float64Column();
  durationUs = new Float64Column();
  bytesReceived = new Float64Column();
  bytesSent = new Float64Column();
  status = new Int32Column();
  serverPort = new Int32Column();
  originId = new Int32Column();
  clientId = new Int32Column();
  agentId = new Int32Column();
  urlId = new Int32Column();
  referrerId = new Int32Column();
  vhostId = new Int32Column();
  identId = new Int32Column();
  authUserId = new Int32Column();
  methodId = new Int32Column();
  protocolId = new Int32Column();
  /** Index into eventIds; null for events without an id of their own (S3 sink, export task). */
  eventIdRef = new Int32Column();

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

  rejected: RejectedLine[] = [];

  // Events of one object share an origin; remembering the last one avoids a lookup per event.
  private lastOrigin: OriginRow | null = null;
  private lastOriginId = -1;
  private readonly originIds = new Map<string, number>();

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

  /**
   * The rows added since the last take, and fresh columns for the next: the dictionaries stay, so
   * the ids in the rows taken keep their meaning (a parse worker sends each object's rows so).
   */
  takeRows(): BatchRows {
    const rows = {rejected: this.rejected} as BatchRows;
    this.rejected = [];
    for (const field of DOUBLE_ROW_FIELDS) {
      rows[field] = this[field];
      this[field] = new Float64Column();
    }
    for (const field of INTEGER_ROW_FIELDS) {
      rows[field] = this[field];
      this[field] = new Int32Column();
    }
    return rows;
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
