// One line of an S3 sink key file → the CloudWatch log group, stream and time of the record
// beside it. Confluent's CloudWatch Logs source puts them in the record KEY, a Connect struct;
// the S3 sink (store.kafka.keys=true) writes one key per line, in the order of the values:
//   Struct{logGroupName=cloudwatchLogsEC2,logStreamName=i-0…,timestamp=1675092839000}   (keys format BYTES: the struct's text)
//   {"logGroupName":"cloudwatchLogsEC2","logStreamName":"i-0…","timestamp":1675092839000}   (a JSON key converter)
import {decodeLine} from "../sources/object-text.js";

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

/** A key as the S3 sink writes the CloudWatch source's struct into a key file (keys format BYTES): the text decodeConnectKey reads. */
export function connectKeyText(logGroup: string, logStream: string, timestamp: number): string {
  return `${STRUCT_OPEN}logGroupName=${logGroup},logStreamName=${logStream},timestamp=${timestamp}}`;
}

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

/**
 * A key file's bytes read whole, line by line as decodeConnectKey reads each line's text (a line
 * that is not UTF-8 read with U+FFFD in place of its bad bytes, as object-text.ts decodes one).
 */
export function decodeKeyFile(bytes: Uint8Array): KeyFile {
  const file: KeyFile = {keys: [], undecoded: 0, examples: []};
  // A Buffer's view of the same memory: its indexOf and compare are memchr and memcmp.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sameButTime: KeyTemplate | null = null;
  for (let start = 0; start <= buffer.length; ) {
    const newline = buffer.indexOf(0x0a, start);
    const end = newline < 0 ? buffer.length : newline;
    const timed = sameButTime === null ? null : keyWithTime(buffer, start, end, sameButTime);
    if (timed !== null) {
      file.keys.push(timed);
    } else {
      const line = decodeLine(buffer.subarray(start, end)).text;
      if (line.trim() !== "") {
        const key = decodeConnectKey(line);
        file.keys.push(key);
        if ("error" in key) {
          file.undecoded++;
          if (file.examples.length < EXAMPLES) file.examples.push(`line ${file.keys.length}: ${key.error}: ${line.slice(0, EXAMPLE_CHARS)}`);
        } else {
          sameButTime ??= templateOf(line, key);
        }
      }
    }
    start = end + 1;
  }
  return file;
}

/**
 * A struct key's bytes up to its time's digits, and what they decode to. The connector writes the
 * keys of one object's records alike but for the CloudWatch time, the last field: a line that is
 * these bytes followed by other digits and "}" decodes, field by field, to the same group and
 * stream with those digits as its time. Reading it so costs a comparison of bytes instead of the
 * line's decoding into text and the fields' search: 0.09 µs a key instead of 0.85 (a key file of
 * the benchmark's; 0.27 with the same comparison made of text, the bytes decoded first).
 */
interface KeyTemplate {
  bytesBeforeTime: Buffer;
  log_group: string | null;
  log_stream: string | null;
}

const TIME_FIELD = ",timestamp=";
/** Digits of a time read by the template at most: more are left to the fields' search, which refuses what is not a safe integer. */
const TIME_DIGITS = 16;

/** The template of a struct key that decoded with a time, or null when its text is not of that plain shape. */
function templateOf(line: string, key: ConnectKey): KeyTemplate | null {
  if (!line.startsWith(STRUCT_OPEN) || !line.endsWith("}") || key.ingest_ts === null) return null;
  const time = line.lastIndexOf(TIME_FIELD);
  if (time < 0) return null;
  const template = {bytesBeforeTime: Buffer.from(line.slice(0, time + TIME_FIELD.length)), log_group: key.log_group, log_stream: key.log_stream};
  // Its own decoding by the template must be what the fields gave it: then any other time is too.
  const lineBytes = Buffer.from(line);
  const again = keyWithTime(lineBytes, 0, lineBytes.length, template);
  return again !== null && again.ingest_ts === key.ingest_ts ? template : null;
}

/** The key of bytes[start, end) when they are the template's bytes followed by a time in digits and "}"; otherwise null. */
function keyWithTime(bytes: Buffer, start: number, end: number, template: KeyTemplate): ConnectKey | null {
  const before = template.bytesBeforeTime;
  const digits = start + before.length;
  const brace = end - 1;
  if (brace <= digits || brace - digits > TIME_DIGITS || bytes[brace] !== 0x7d) return null;
  if (bytes.compare(before, 0, before.length, start, digits) !== 0) return null;
  // Exact below 2^53: each step's value is an integer no larger than the whole time's.
  let ingest_ts = 0;
  for (let i = digits; i < brace; i++) {
    const digit = bytes[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    ingest_ts = ingest_ts * 10 + digit;
  }
  return ingest_ts <= Number.MAX_SAFE_INTEGER ? {log_group: template.log_group, log_stream: template.log_stream, ingest_ts} : null;
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
