// The hot loop: one S3 sink object's JSON lines → records → parsed lines → rows of a batch.
// Every record ends up as an event, a rejected line (with its reason) or a counted duplicate.
import {REJECTED_LINE_MAX_CHARS, type EventOrigin} from "./event.js";
import type {InstanceParsers} from "./parse/instance-formats.js";
import type {TextPieces} from "./sources/object-text.js";
import {isParseError} from "./parse/log-format.js";
import {SinkRecordReader} from "./records/cloudwatch.js";
import {isNullIn} from "./write/columns.js";
import {keyMismatchOf, type KeyFile, type KeyMismatch} from "./records/connect-key.js";
import {appendOffset, type OffsetRun} from "./store/offset-ledger.js";
import {splitTopicName} from "./records/topic-name.js";
import {ArrivingDictionaries, EventBatch, type BatchParts, type DictionarySizes} from "./write/event-batch.js";

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
  const records = new SinkRecordReader();
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
    const record = records.read(line);
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

/**
 * An object parsed on another thread (reader-thread.ts) into a batch of its own, every record
 * taken: which of them other objects hold is known only on the thread that keeps the ledger,
 * in offset order (addParsedSinkObject).
 */
export interface ParsedSinkObject {
  /** Its events and rejected lines; of the dictionaries, only the values new since the thread's last object. */
  parts: BatchParts;
  /** Which of the thread's sets of dictionaries its ids are of, and the sizes its new values follow. */
  dictionaries: {generation: number; from: DictionarySizes};
  /** As ingestSinkObject counts them with no offset taken. */
  counts: ObjectIngestCounts;
  /** Whether a key file was read with it: without one, events with no CloudWatch time are a mismatch. */
  keyFile: boolean;
  /** What was wrong with the object as a whole (ObjectDamage.problem). */
  problem: string | null;
}

/**
 * Values a parsing thread's dictionaries hold before it starts them again, bounding its memory
 * and the receiving thread's copy of them: well above what the benchmark's workloads hold in all
 * (the diverse one 25,000 clients, 8,855 agents and 6,271 paths), so that a value is sent again
 * only in a history far more varied.
 */
const GENERATION_VALUES = 1_000_000;

/**
 * Parses objects one by one on a thread of their own, each into a batch to hand over
 * (ParsedSinkObject). The batches share their dictionaries, so that each distinct value is
 * sent once, not with every object that has it.
 */
export class SinkObjectParser {
  private generation = 0;
  private dictionaries = new EventBatch({rows: 0});

  /** `generationValues`: values the dictionaries hold before they start again. */
  constructor(
    private readonly parsers: InstanceParsers,
    private readonly generationValues = GENERATION_VALUES,
  ) {}

  parse(text: TextPieces, object: SinkObjectName, damage: ObjectDamage, keys: KeyFile | null): {parsed: ParsedSinkObject; transfer: ArrayBuffer[]} {
    let sizes = this.dictionaries.dictionarySizes();
    if (Object.values(sizes).reduce((sum, size) => sum + size, 0) >= this.generationValues) {
      this.generation++;
      this.dictionaries = new EventBatch({rows: 0});
      sizes = this.dictionaries.dictionarySizes();
    }
    const batch = new EventBatch({rows: lineCount(text), dictionariesOf: this.dictionaries});
    const counts = ingestSinkObject(text, object, this.parsers, batch, undefined, damage, keys);
    const {parts, transfer} = batch.parts(sizes);
    return {parsed: {parts, dictionaries: {generation: this.generation, from: sizes}, counts, keyFile: keys !== null, problem: damage.problem}, transfer};
  }
}

/** A ParsedSinkObject as it arrived, with the parsing thread's dictionaries its ids are of (its own new values added). */
export interface ReceivedSinkObject {
  parsed: ParsedSinkObject;
  dictionaries: ArrivingDictionaries;
}

/**
 * What a SinkObjectParser's objects bring, taken as each arrives, in the order it parsed them
 * (their new values follow each other's). The latest generation of dictionaries is kept here;
 * an older one lives on with the objects of it not yet added to a batch.
 */
export class SinkObjectReceiver {
  private generation = -1;
  private dictionaries = new ArrivingDictionaries();

  receive(parsed: ParsedSinkObject): ReceivedSinkObject {
    if (parsed.dictionaries.generation !== this.generation) {
      this.generation = parsed.dictionaries.generation;
      this.dictionaries = new ArrivingDictionaries();
    }
    this.dictionaries.add(parsed.parts, parsed.dictionaries.from);
    return {parsed, dictionaries: this.dictionaries};
  }
}

/**
 * Adds an object parsed elsewhere to `batch` as ingestSinkObject would have parsed it here:
 * records at offsets `isTakenOffset` says another object holds are counted as duplicates and
 * left out, everything else is kept in order.
 */
export function addParsedSinkObject({parsed, dictionaries: theirs}: ReceivedSinkObject, object: SinkObjectName, batch: EventBatch, isTakenOffset: (offset: number) => boolean): ObjectIngestCounts {
  const {records} = parsed.counts;
  const taken = new Uint8Array(records);
  const stored: OffsetRun[] = [];
  let duplicates = 0;
  for (let i = 0; i < records; i++) {
    if (isTakenOffset(object.startOffset + i)) {
      taken[i] = 1;
      duplicates++;
    } else appendOffset(stored, object.startOffset + i);
  }
  if (duplicates === 0) {
    batch.append(parsed.parts, null, theirs);
    return parsed.counts;
  }
  const kept = (offset: number) => taken[offset - object.startOffset] === 0;
  const eventsBefore = batch.size;
  const rejectedBefore = batch.rejected.length;
  batch.append(parsed.parts, kept, theirs);
  const counts: ObjectIngestCounts = {records, events: batch.size - eventsBefore, rejected: batch.rejected.length - rejectedBefore, duplicates, stored, keyMismatch: parsed.counts.keyMismatch};
  if (!parsed.keyFile) counts.keyMismatch = keyMismatchOf(null, records, eventsWithoutTime(parsed.parts, kept));
  return counts;
}

/** Events of `parts` that `kept` keeps and that have no CloudWatch time. */
function eventsWithoutTime(parts: BatchParts, kept: (offset: number) => boolean): number {
  const {ingestTs, kafkaOffset} = parts.float64;
  let count = 0;
  for (let row = 0; row < kafkaOffset.length; row++) if (isNullIn(ingestTs.nulls, row) && kept(kafkaOffset.values[row])) count++;
  return count;
}

/** Lines in `text`, at most: room for the events of one object. */
function lineCount(text: TextPieces): number {
  let lines = 0;
  for (const piece of text) for (let at = piece.indexOf("\n"); ; at = piece.indexOf("\n", at + 1)) {
    lines++;
    if (at < 0) break;
  }
  return lines;
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
