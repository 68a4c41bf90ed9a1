// A CloudWatch log event as the source formats without Kafka carry it (Firehose documents,
// export-task lines), or what stood in its place in the object: a part that could not be read,
// or a Firehose health check. Each has its position in the object, for the rejected table.

export interface LogEvent {
  kind: "event";
  /** CloudWatch's event id when the format carries it (Firehose), else null. */
  id: string | null;
  /** CloudWatch's event timestamp, epoch ms. */
  timestamp: number;
  message: string;
  logGroup: string | null;
  logStream: string | null;
  /** Firehose: the 1-based number of the JSON document; export task: the 1-based line number. */
  position: number;
}

/** A document or line that holds no readable event: kept with why, never dropped silently. */
export interface UnreadablePart {
  kind: "unreadable";
  position: number;
  reason: string;
  text: string;
}

/** A CONTROL_MESSAGE document: CloudWatch checking that the destination is reachable; no events. */
export interface ControlMessage {
  kind: "control";
  position: number;
}

export type LogEventItem = LogEvent | UnreadablePart | ControlMessage;
