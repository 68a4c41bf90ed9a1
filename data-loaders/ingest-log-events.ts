// The hot loop of the source formats without Kafka: one object's log events (records/firehose.ts,
// records/export-task.ts) → parsed lines → rows of a batch. Every log event ends up as an event,
// a rejected line (with its reason) or a counted re-delivery; control messages are counted.
import {REJECTED_LINE_MAX_CHARS, type EventOrigin, type RejectedLine} from "./event.js";
import {NO_DAMAGE, type ObjectDamage} from "./ingest-object.js";
import type {InstanceParsers} from "./parse/instance-formats.js";
import {isParseError} from "./parse/log-format.js";
import type {LogEventItem} from "./records/log-event.js";
import type {EventBatch} from "./write/event-batch.js";

export interface LogEventCounts {
  /** Log events read (and, for a line that could not be read at all, the line). */
  records: number;
  events: number;
  rejected: number;
  /** Log events whose id the batch or the store already holds (Firehose re-deliveries). */
  duplicates: number;
  /** Firehose CONTROL_MESSAGE documents: health checks, no events. */
  controlMessages: number;
}

/**
 * Adds the object's log events to `batch`. An event whose id the batch already holds (Firehose
 * wrote the same documents into another object) is a duplicate, counted and not added again;
 * ids the store already holds are left out when the batch is committed (store/commit.ts).
 * `rejectedIds`: ids of events already rejected (by the store or this sync), so a re-delivered
 * line that does not parse is reported once; the ids rejected here are added to it.
 */
export function ingestLogEvents(
  items: Iterable<LogEventItem>,
  key: string,
  parsers: InstanceParsers,
  batch: EventBatch,
  rejectedIds: Set<string>,
  damage: ObjectDamage = NO_DAMAGE,
): LogEventCounts {
  const counts: LogEventCounts = {records: 0, events: 0, rejected: 0, duplicates: 0, controlMessages: 0};
  if (damage.problem !== null) {
    // The object itself: one row saying what was wrong with it, at line 0.
    batch.reject(rejectedLine(key, 0, `object: ${damage.problem}`, ""));
    counts.rejected++;
  }
  // Reused for every event: batch.add copies what it needs.
  const origin: EventOrigin = {ingest_ts: null, log_group: null, log_stream: null, topic: null, kafka_partition: null, kafka_offset: null, s3_key: key, event_id: null};
  for (const item of items) {
    if (item.kind === "control") {
      counts.controlMessages++;
      continue;
    }
    counts.records++;
    if (item.kind === "unreadable") {
      batch.reject(rejectedLine(key, item.position, item.reason, item.text));
      counts.rejected++;
      continue;
    }
    if (item.id !== null && (batch.hasEventId(item.id) || rejectedIds.has(item.id))) {
      counts.duplicates++;
      continue;
    }
    const parsed = parsers.parserFor(item.logGroup, item.logStream).parse(item.message);
    if (isParseError(parsed)) {
      batch.reject({...rejectedLine(key, item.position, `line: ${parsed.error}`, item.message), event_id: item.id});
      if (item.id !== null) rejectedIds.add(item.id);
      counts.rejected++;
      continue;
    }
    origin.ingest_ts = item.timestamp;
    origin.log_group = item.logGroup;
    origin.log_stream = item.logStream;
    origin.event_id = item.id;
    batch.add(origin, parsed);
    counts.events++;
  }
  return counts;
}

function rejectedLine(key: string, position: number, reason: string, line: string): RejectedLine {
  return {
    s3_key: key,
    topic: null,
    kafka_partition: null,
    kafka_offset: null,
    line_number: position,
    reason,
    line: line.length > REJECTED_LINE_MAX_CHARS ? line.slice(0, REJECTED_LINE_MAX_CHARS) : line,
  };
}
