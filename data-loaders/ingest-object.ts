// The hot loop: one S3 sink object's JSON lines → records → parsed lines → rows of a batch.
// Every record ends up as an event, a rejected line (with its reason) or a counted duplicate.
import {REJECTED_LINE_MAX_CHARS, type EventOrigin} from "./event.js";
import type {InstanceParsers} from "./parse/instance-formats.js";
import type {TextPieces} from "./sources/object-text.js";
import {isParseError} from "./parse/log-format.js";
import {decodeSinkRecord} from "./records/cloudwatch.js";
import {keyMismatchOf, type KeyFile, type KeyMismatch} from "./records/connect-key.js";
import {appendOffset, type OffsetRun} from "./store/offset-ledger.js";
import {splitTopicName} from "./records/topic-name.js";
import type {EventBatch} from "./write/event-batch.js";

/** What the pipeline knows of an object before reading it: its key and what its name says. */
export interface SinkObjectName {
  key: string;
  topic: string;
  partition: number;
  startOffset: number;
}

/** What reading the object found wrong with it, before any record was decoded. */
export interface ObjectDamage {
  /** The object as a whole (a gzip stream cut short…), or null. */
  problem: string | null;
  /** 1-based numbers of lines whose bytes are not UTF-8 (their text holds U+FFFD in place of the bad bytes). */
  invalidUtf8Lines: ReadonlySet<number>;
}

export const NO_DAMAGE: ObjectDamage = {problem: null, invalidUtf8Lines: new Set()};

export interface ObjectIngestCounts {
  /** Non-blank lines: Kafka records, at offsets startOffset, startOffset + 1, … */
  records: number;
  events: number;
  rejected: number;
  duplicates: number;
  /** The offsets taken in (as events or rejected lines), as sorted runs. */
  stored: OffsetRun[];
  /** What does not match between the object's records and its key file, or null. */
  keyMismatch: KeyMismatch | null;
}

/**
 * Adds the object's records to `batch`. `isTakenOffset` says whether another object already
 * holds a record at that offset (a connector restart can write a record twice): such records
 * are counted as duplicates and not added again. `keys`, the object's key file, gives record n
 * its log group, stream and CloudWatch time from key n; what it lacks comes from the value, then
 * from the topic name. The group and stream choose the parser (`logFormats`).
 */
export function ingestSinkObject(
  text: string | TextPieces,
  object: SinkObjectName,
  parsers: InstanceParsers,
  batch: EventBatch,
  isTakenOffset: (offset: number) => boolean = () => false,
  damage: ObjectDamage = NO_DAMAGE,
  keys: KeyFile | null = null,
): ObjectIngestCounts {
  const counts: ObjectIngestCounts = {records: 0, events: 0, rejected: 0, duplicates: 0, stored: [], keyMismatch: null};
  let eventsWithoutTime = 0;
  if (damage.problem !== null) {
    // The object itself: one row saying what was wrong with it, at line 0.
    batch.reject({s3_key: object.key, topic: object.topic, kafka_partition: object.partition, kafka_offset: null, line_number: 0, reason: `object: ${damage.problem}`, line: ""});
    counts.rejected++;
  }
  const fromTopic = splitTopicName(object.topic);
  // Reused for every record: batch.add copies what it needs.
  const origin: EventOrigin = {
    ingest_ts: null,
    log_group: null,
    log_stream: null,
    topic: object.topic,
    kafka_partition: object.partition,
    kafka_offset: null,
    s3_key: object.key,
    event_id: null,
  };
  let lineNumber = 0;
  const pieces = typeof text === "string" ? [text] : text;
  // A piece holds whole lines (sources/object-text.ts): no line spans two.
  for (const piece of pieces) for (let start = 0; start < piece.length; ) {
    let end = piece.indexOf("\n", start);
    if (end < 0) end = piece.length;
    const line = piece.charCodeAt(end - 1) === 13 ? piece.slice(start, end - 1) : piece.slice(start, end);
    start = end + 1;
    lineNumber++;
    if (isBlank(line)) continue;

    const index = counts.records;
    const offset = object.startOffset + index;
    counts.records++;
    if (isTakenOffset(offset)) {
      counts.duplicates++;
      continue;
    }
    appendOffset(counts.stored, offset);
    if (damage.invalidUtf8Lines.has(lineNumber)) {
      batch.reject(rejectedLine(object, offset, lineNumber, "record: not valid UTF-8", line));
      counts.rejected++;
      continue;
    }
    const record = decodeSinkRecord(line);
    if ("error" in record) {
      batch.reject(rejectedLine(object, offset, lineNumber, `record: ${record.error}`, line));
      counts.rejected++;
      continue;
    }
    const key = keys !== null && index < keys.keys.length ? keys.keys[index] : null;
    if (key !== null && !("error" in key)) {
      origin.ingest_ts = key.ingest_ts ?? record.ingest_ts;
      origin.log_group = key.log_group ?? record.log_group ?? fromTopic.log_group;
      origin.log_stream = key.log_stream ?? record.log_stream ?? fromTopic.log_stream;
    } else {
      origin.ingest_ts = record.ingest_ts;
      origin.log_group = record.log_group ?? fromTopic.log_group;
      origin.log_stream = record.log_stream ?? fromTopic.log_stream;
    }
    const parsed = parsers.parserFor(origin.log_group, origin.log_stream).parse(record.message);
    if (isParseError(parsed)) {
      batch.reject(rejectedLine(object, offset, lineNumber, `line: ${parsed.error}`, record.message));
      counts.rejected++;
      continue;
    }
    if (origin.ingest_ts === null) eventsWithoutTime++;
    origin.kafka_offset = offset;
    batch.add(origin, parsed);
    counts.events++;
  }
  counts.keyMismatch = keyMismatchOf(keys, counts.records, eventsWithoutTime);
  return counts;
}

function rejectedLine(object: SinkObjectName, offset: number, lineNumber: number, reason: string, line: string) {
  return {
    s3_key: object.key,
    topic: object.topic,
    kafka_partition: object.partition,
    kafka_offset: offset,
    line_number: lineNumber,
    reason,
    line: line.length > REJECTED_LINE_MAX_CHARS ? line.slice(0, REJECTED_LINE_MAX_CHARS) : line,
  };
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
