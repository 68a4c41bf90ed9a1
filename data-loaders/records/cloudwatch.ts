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
  const parsed = parsedJson(jsonLine);
  return "error" in parsed ? parsed : recordOfValue(parsed.value);
}

/** The line's JSON value, or why it is not JSON. */
function parsedJson(jsonLine: string): {value: unknown} | RecordError {
  try {
    return {value: JSON.parse(jsonLine)};
  } catch (error) {
    return {error: `not valid JSON (${(error as Error).message})`};
  }
}

function recordOfValue(value: unknown): SinkRecord | RecordError {
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

/**
 * Reads the records of one S3 sink object as decodeSinkRecord does, each the same, but the
 * records of an object in the object shape mostly without parsing their JSON whole: they differ
 * only in their time and message (one topic is one log stream). When the object's first record
 * has its only time and its message as its last two fields, the text JSON.stringify writes of it
 * up to the time's digits is kept: a later record made of that text, a time of plain digits,
 * ',"message":', one JSON string and "}" holds the same fields but its time and message, and is
 * read by comparing the text and parsing the message alone (a third less time a record:
 * docs/design-notes.md, "Ingest, eleventh round"). Whatever else a record holds, it is parsed whole.
 */
export class SinkRecordReader {
  private template: RecordTemplate | null = null;
  private firstRecord = true;

  read(jsonLine: string): SinkRecord | RecordError {
    const template = this.template;
    // Slices compared whole, here and in readWithTemplate, not startsWith: optimized, startsWith
    // reads a line (itself a slice of its object's text) a character at a time, ten times slower.
    if (template !== null && jsonLine.slice(0, template.beforeTime.length) === template.beforeTime) {
      const record = readWithTemplate(jsonLine, template);
      if (record !== null) return record;
    }
    const parsed = parsedJson(jsonLine);
    if ("error" in parsed) return parsed;
    const record = recordOfValue(parsed.value);
    if (this.firstRecord) {
      this.firstRecord = false;
      if (!("error" in record)) this.template = templateOf(parsed.value, record);
    }
    return record;
  }
}

/** The text an object's records share before their time, and what it says of them. */
interface RecordTemplate {
  /** The record's text up to its time's digits: its first fields and the time's name. */
  beforeTime: string;
  log_group: string | null;
  log_stream: string | null;
}

/** What follows the time in a template's records: the message, last. */
const MESSAGE_AFTER_TIME = ',"message":';
/** Digits of a time read by the template at most: any integer of 15 digits is exact in a double. */
const MAX_TIME_DIGITS = 15;

/**
 * The template of a record, its value `value` read as `record`, or null unless its last two
 * fields are its only time (a whole number) and its message. The text is JSON.stringify's of the
 * fields before, whatever the record's own: JSON.parse reads that text back as the same strings,
 * so a record with that text has the same log group and stream.
 */
function templateOf(value: unknown, record: SinkRecord): RecordTemplate | null {
  // A Connect envelope's message is its payload's.
  if (!isObject(value) || "payload" in value) return null;
  const names = Object.keys(value);
  const timeName = names.at(-2);
  if (names.at(-1) !== "message" || timeName === undefined || names.filter((name) => TIME_FIELDS.includes(name)).length !== 1 || !TIME_FIELDS.includes(timeName)) return null;
  const time = value[timeName];
  if (typeof time !== "number" || !Number.isSafeInteger(time) || time < 0 || String(time).length > MAX_TIME_DIGITS) return null;
  const firstFields = JSON.stringify(Object.fromEntries(names.slice(0, -2).map((name) => [name, value[name]])));
  const beforeTime = `${firstFields.slice(0, -1)}${names.length > 2 ? "," : ""}${JSON.stringify(timeName)}:`;
  return {beforeTime, log_group: record.log_group, log_stream: record.log_stream};
}

/**
 * The record, when `jsonLine` (which starts with the template's text) is that text, a time in
 * JSON's digits and MESSAGE_AFTER_TIME, one JSON string and "}"; else null.
 */
function readWithTemplate(jsonLine: string, template: RecordTemplate): SinkRecord | null {
  const timeStart = template.beforeTime.length;
  let end = timeStart;
  let time = 0;
  for (let c = jsonLine.charCodeAt(end); c >= 48 && c <= 57; c = jsonLine.charCodeAt(++end)) time = time * 10 + (c - 48);
  const digits = end - timeStart;
  // JSON writes no leading zero, and a longer time is left to JSON.parse.
  if (digits === 0 || digits > MAX_TIME_DIGITS || (digits > 1 && jsonLine.charCodeAt(timeStart) === 48)) return null;
  const messageStart = end + MESSAGE_AFTER_TIME.length;
  if (jsonLine.slice(end, messageStart) !== MESSAGE_AFTER_TIME || jsonLine.charCodeAt(jsonLine.length - 1) !== 125) return null;
  let message: unknown;
  try {
    message = JSON.parse(jsonLine.slice(messageStart, -1));
  } catch {
    return null;
  }
  return typeof message === "string" ? {message, log_group: template.log_group, log_stream: template.log_stream, ingest_ts: time} : null;
}
