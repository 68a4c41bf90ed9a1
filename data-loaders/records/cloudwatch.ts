// One line of an S3 sink object → the CloudWatch log event it carries. The connector's JSON
// converter writes the record value in one of three shapes (docs/design-notes.md, What the connectors write), all accepted:
//   {"message": "<access-log line>", "logGroupName": …, "logStreamName": …, "timestamp": …}
//   {"schema": {…}, "payload": <either of the other two>}      (schemas.enable=true)
//   "<access-log line>"                                        (a bare JSON string)

export interface SinkRecord {
  /** The log line Apache wrote. */
  message: string;
  log_group: string | null;
  log_stream: string | null;
  /** CloudWatch's event timestamp (ingestion time), epoch ms. */
  ingest_ts: number | null;
}

export interface RecordError {
  error: string;
}

// Field names vary with the connector and its version; the first present wins.
const GROUP_FIELDS = ["logGroupName", "logGroup", "log_group"];
const STREAM_FIELDS = ["logStreamName", "logStream", "log_stream"];
const TIME_FIELDS = ["timestamp", "ingestionTime", "ingestion_time", "eventTimestamp"];

export function decodeSinkRecord(jsonLine: string): SinkRecord | RecordError {
  let value: unknown;
  try {
    value = JSON.parse(jsonLine);
  } catch (error) {
    return {error: `not valid JSON (${(error as Error).message})`};
  }
  if (isObject(value) && "payload" in value && "schema" in value) value = value.payload;
  if (typeof value === "string") return {message: value, log_group: null, log_stream: null, ingest_ts: null};
  if (!isObject(value)) return {error: `a record value must be an object or a string, found ${value === null ? "null" : typeof value}`};
  const message = value.message;
  if (typeof message !== "string") return {error: message === undefined ? "the record has no \"message\" field" : `"message" must be a string, found ${typeof message}`};
  return {
    message,
    log_group: firstString(value, GROUP_FIELDS),
    log_stream: firstString(value, STREAM_FIELDS),
    ingest_ts: firstTime(value, TIME_FIELDS),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstString(value: Record<string, unknown>, names: readonly string[]): string | null {
  for (const name of names) {
    const field = value[name];
    if (typeof field === "string" && field !== "") return field;
  }
  return null;
}

/** Epoch milliseconds from a number, or from an ISO 8601 string. */
function firstTime(value: Record<string, unknown>, names: readonly string[]): number | null {
  for (const name of names) {
    const field = value[name];
    if (typeof field === "number" && Number.isFinite(field)) return field;
    if (typeof field === "string") {
      const ms = /^\d+$/.test(field) ? Number(field) : Date.parse(field);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return null;
}
