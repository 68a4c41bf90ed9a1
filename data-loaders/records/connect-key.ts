// One line of an S3 sink key file → the CloudWatch log group, stream and time of the record
// beside it. Confluent's CloudWatch Logs source puts them in the record KEY, a Connect struct;
// the S3 sink (store.kafka.keys=true) writes one key per line, in the order of the values:
//   Struct{logGroupName=cloudwatchLogsEC2,logStreamName=i-0…,timestamp=1675092839000}   (keys format BYTES: the struct's text)
//   {"logGroupName":"cloudwatchLogsEC2","logStreamName":"i-0…","timestamp":1675092839000}   (a JSON key converter)
import type {TextPieces} from "../sources/object-text.js";

export interface ConnectKey {
  log_group: string | null;
  log_stream: string | null;
  /** CloudWatch's event timestamp (ingestion time), epoch ms. */
  ingest_ts: number | null;
}

export interface KeyError {
  error: string;
}

const STRUCT_OPEN = "Struct{";
/** A field of the struct's text: a name, "=", and the value up to the next ",name=" or the end. */
const STRUCT_FIELD = /(?:^|,)([A-Za-z_][A-Za-z0-9_]*)=/g;

export function decodeConnectKey(line: string): ConnectKey | KeyError {
  const text = line.trim();
  if (text.startsWith(STRUCT_OPEN)) {
    if (!text.endsWith("}")) return {error: "a Struct{…} key without its closing brace"};
    return keyFromFields(structFields(text.slice(STRUCT_OPEN.length, -1)));
  }
  if (text.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return {error: `not valid JSON (${(error as Error).message})`};
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {error: "a JSON key must be an object"};
    const fields = new Map<string, string>();
    for (const [name, field] of Object.entries(value)) if (typeof field === "string" || typeof field === "number") fields.set(name, String(field));
    return keyFromFields(fields);
  }
  return {error: "neither Struct{…} text nor a JSON object"};
}

/** The struct's fields by name. Log group and stream names hold no "," followed by "name=", so that is where a field ends. */
function structFields(body: string): Map<string, string> {
  const fields = new Map<string, string>();
  const starts = [...body.matchAll(STRUCT_FIELD)];
  starts.forEach((match, i) => {
    const valueStart = match.index + match[0].length;
    const valueEnd = i + 1 < starts.length ? starts[i + 1].index : body.length;
    fields.set(match[1], body.slice(valueStart, valueEnd));
  });
  return fields;
}

function keyFromFields(fields: Map<string, string>): ConnectKey | KeyError {
  const group = fields.get("logGroupName") ?? null;
  const stream = fields.get("logStreamName") ?? null;
  const time = fields.get("timestamp");
  if (group === null && stream === null && time === undefined) return {error: "no logGroupName, logStreamName or timestamp"};
  let ingest_ts: number | null = null;
  if (time !== undefined && time !== "null") {
    ingest_ts = /^\d+$/.test(time) ? Number(time) : NaN;
    if (!Number.isSafeInteger(ingest_ts)) return {error: `timestamp must be epoch milliseconds, found ${JSON.stringify(time.slice(0, 40))}`};
  }
  return {log_group: nonEmpty(group), log_stream: nonEmpty(stream), ingest_ts};
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === "" || value === "null" ? null : value;
}

/** A key file read whole: one decoded key (or the error) per non-blank line, in order. */
export interface KeyFile {
  keys: (ConnectKey | KeyError)[];
  /** Lines that do not decode, and the first few of them as found. */
  undecoded: number;
  examples: string[];
}

/** Undecoded lines kept as examples, cut to this length. */
const EXAMPLES = 3;
const EXAMPLE_CHARS = 200;

export function decodeKeyFile(text: string | TextPieces): KeyFile {
  const file: KeyFile = {keys: [], undecoded: 0, examples: []};
  // A piece holds whole lines (sources/object-text.ts).
  for (const line of (typeof text === "string" ? [text] : text).flatMap((piece) => piece.split("\n"))) {
    if (line.trim() === "") continue;
    const key = decodeConnectKey(line);
    file.keys.push(key);
    if ("error" in key) {
      file.undecoded++;
      if (file.examples.length < EXAMPLES) file.examples.push(`line ${file.keys.length}: ${key.error}: ${line.slice(0, EXAMPLE_CHARS)}`);
    }
  }
  return file;
}

/** What is wrong with an object's keys, as the Data quality page shows it. */
export interface KeyMismatch {
  problem: string;
  /** The first lines that do not decode. */
  examples: string[];
}

/**
 * The mismatch between a value object and its key file, or null when every record has its key.
 * No key file is a mismatch only when some event has no CloudWatch time of its own (bare string
 * values): objects whose values carry group, stream and time need none.
 */
export function keyMismatchOf(file: KeyFile | null, records: number, eventsWithoutTime: number): KeyMismatch | null {
  if (file === null) return eventsWithoutTime > 0 ? {problem: `no key file: ${eventsWithoutTime} events have no CloudWatch time`, examples: []} : null;
  const problems: string[] = [];
  if (file.keys.length !== records) problems.push(`${file.keys.length} keys for ${records} records (${file.keys.length < records ? "shorter" : "longer"} than its values)`);
  if (file.undecoded > 0) problems.push(`${file.undecoded} keys do not decode`);
  return problems.length === 0 ? null : {problem: problems.join("; "), examples: file.examples};
}
