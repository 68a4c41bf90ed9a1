// One Firehose object's text → the CloudWatch Logs subscription documents in it → log events.
// A subscription filter sends Firehose documents of the form
//   {"messageType":"DATA_MESSAGE","owner":…,"logGroup":…,"logStream":…,"subscriptionFilters":[…],
//    "logEvents":[{"id":…,"timestamp":…,"message":…},…]}
// and Firehose writes them one after another with no delimiter, so documents are cut apart by
// matching braces outside JSON strings before each is parsed on its own: a bad document costs
// that document, not the object. Reasons start with "document:" or "log event:" (the Data
// quality page groups by those first words); the document's number is the position.
import type {LogEventItem} from "./log-event.js";

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * The log events of the documents in `text`, with each unreadable document and each control
 * message in its place. `damagedText` is true when the object's bytes were not all UTF-8: a
 * document holding the replacement character is then rejected rather than loaded altered.
 */
export function* firehoseLogEvents(text: string, damagedText = false): Generator<LogEventItem> {
  let position = 0;
  for (let start = skipWhitespace(text, 0); start < text.length; start = skipWhitespace(text, start)) {
    position++;
    if (text.charCodeAt(start) !== OPEN) {
      // Not a document: the bytes up to the next brace are reported as one unreadable part.
      const next = text.indexOf("{", start);
      const end = next < 0 ? text.length : next;
      yield {kind: "unreadable", position, reason: `document: not a JSON document (at character ${start})`, text: text.slice(start, end)};
      start = end;
      continue;
    }
    const end = documentEnd(text, start);
    if (end < 0) {
      yield {kind: "unreadable", position, reason: `document: cut short (at character ${start}, ${text.length - start} characters to the end)`, text: text.slice(start)};
      return;
    }
    const documentText = text.slice(start, end);
    start = end;
    if (damagedText && documentText.includes("\uFFFD")) {
      yield {kind: "unreadable", position, reason: "document: not valid UTF-8", text: documentText};
      continue;
    }
    yield* documentEvents(documentText, position);
  }
}

function* documentEvents(documentText: string, position: number): Generator<LogEventItem> {
  let value: unknown;
  try {
    value = JSON.parse(documentText);
  } catch (error) {
    yield {kind: "unreadable", position, reason: `document: not valid JSON (${(error as Error).message})`, text: documentText};
    return;
  }
  if (!isObject(value)) {
    yield {kind: "unreadable", position, reason: "document: not a JSON object", text: documentText};
    return;
  }
  if (value.messageType === "CONTROL_MESSAGE") {
    yield {kind: "control", position};
    return;
  }
  if (value.messageType !== "DATA_MESSAGE" || !Array.isArray(value.logEvents)) {
    const found = value.messageType === undefined ? "no messageType" : `messageType ${JSON.stringify(value.messageType)}`;
    yield {kind: "unreadable", position, reason: `document: not a CloudWatch Logs DATA_MESSAGE with logEvents (${found})`, text: documentText};
    return;
  }
  const logGroup = typeof value.logGroup === "string" ? value.logGroup : null;
  const logStream = typeof value.logStream === "string" ? value.logStream : null;
  for (let i = 0; i < value.logEvents.length; i++) {
    const event: unknown = value.logEvents[i];
    const problem = logEventProblem(event);
    if (problem !== null) {
      yield {kind: "unreadable", position, reason: `log event: ${problem} (event ${i + 1} of the document)`, text: JSON.stringify(event) ?? ""};
      continue;
    }
    const {id, timestamp, message} = event as {id: string; timestamp: number; message: string};
    yield {kind: "event", id, timestamp, message, logGroup, logStream, position};
  }
}

function logEventProblem(event: unknown): string | null {
  if (!isObject(event)) return "a log event must be an object";
  if (typeof event.id !== "string" || event.id === "") return 'no "id"';
  if (typeof event.timestamp !== "number" || !Number.isFinite(event.timestamp)) return 'no numeric "timestamp"';
  if (typeof event.message !== "string") return 'no "message" string';
  return null;
}

/**
 * The index just past the brace that closes the object opening at `start`, or -1 when the text
 * ends first. Strings are skipped whole (a brace inside a message does not count), jumping from
 * quote to quote.
 */
export function documentEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i + 1);
      if (i < 0) return -1;
    } else if (c === OPEN) {
      depth++;
    } else if (c === CLOSE) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The index of the quote that ends the string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let j = text.indexOf('"', from); j >= 0; j = text.indexOf('"', j + 1)) {
    let backslashes = 0;
    for (let k = j - 1; k >= from && text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
  }
  return -1;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
