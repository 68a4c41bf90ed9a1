// The parse side of taking in S3 sink objects, on whichever thread runs it: an object's bytes and
// its key file's → text → records → parsed lines → rows of a batch (ingest-object.ts), handed on
// as the piece of rows the object added (write/batch-piece.ts). Every record is parsed: which
// offsets another object already holds is the writing side's to know, since it depends on the
// objects before this one in the sync, and it drops those rows when it appends the piece.
import type {WeblogConfig} from "./config.js";
import {ingestSinkObject, type SinkObjectName} from "./ingest-object.js";
import {configuredInstanceParsers, type InstanceParsers} from "./parse/instance-formats.js";
import {decodeKeyFile, type KeyMismatch} from "./records/connect-key.js";
import {decodeObjectText} from "./sources/object-text.js";
import {PieceCutter, type BatchPiece} from "./write/batch-piece.js";
import {EventBatch} from "./write/event-batch.js";

/** What the parsers need of the configuration: plain data, so it crosses to a worker. */
export type ParseSettings = Pick<WeblogConfig, "logFormat" | "logFormats" | "timeZone">;

export function parseSettingsOf(config: ParseSettings): ParseSettings {
  return {logFormat: config.logFormat, logFormats: config.logFormats, timeZone: config.timeZone};
}

/** One object to parse: its bytes (gunzipped), its key file's or null, and what reading it found wrong (null for none, or when it is read again for a backfill). */
export interface SinkObjectJob {
  object: SinkObjectName;
  bytes: Uint8Array;
  keyBytes: Uint8Array | null;
  problem: string | null;
}

export interface ParsedSinkObject {
  piece: BatchPiece;
  /** Non-blank lines: records at startOffset, startOffset + 1, … */
  records: number;
  /** Whether the object came with a key file; when it did, what does not match it (else the writing side works it out from the events it keeps). */
  hasKeyFile: boolean;
  keyMismatch: KeyMismatch | null;
  /** True when the parse side's batch reached its size with this object: the writing side commits its batch after it, and the next piece starts a new one. */
  endsBatch: boolean;
}

export class SinkObjectParser {
  private readonly parsers: InstanceParsers;
  private batch = new EventBatch();
  private cutter = new PieceCutter(this.batch);
  private events = 0;

  /** `batchEvents`: events per batch, counted before any is dropped as already stored. */
  constructor(settings: ParseSettings, private readonly batchEvents: number) {
    this.parsers = configuredInstanceParsers(settings);
  }

  parse(job: SinkObjectJob): ParsedSinkObject {
    const {text, invalidUtf8Lines} = decodeObjectText(job.bytes);
    const keys = job.keyBytes === null ? null : decodeKeyFile(decodeObjectText(job.keyBytes).text);
    const counts = ingestSinkObject(text, job.object, this.parsers, this.batch, undefined, {problem: job.problem, invalidUtf8Lines}, keys);
    const piece = this.cutter.cut();
    this.events += counts.events;
    const endsBatch = this.events >= this.batchEvents;
    if (endsBatch) this.endBatch();
    return {piece, records: counts.records, hasKeyFile: keys !== null, keyMismatch: keys === null ? null : counts.keyMismatch, endsBatch};
  }

  /** Starts a new batch: empty dictionaries, as the writing side's next batch has. */
  endBatch(): void {
    this.batch = new EventBatch();
    this.cutter = new PieceCutter(this.batch);
    this.events = 0;
  }
}
