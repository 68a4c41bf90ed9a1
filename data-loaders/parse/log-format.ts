// Any Apache LogFormat string compiled into a line parser: a list of steps (literal text, then a
// field, then literal text…) that a scanner walks with indexOf and charCodeAt, never a
// backtracking regex, so a 100 KB line costs what its length costs. Numbers and times are read in
// place; only the text columns are sliced out of the line.
import type {ParsedLine} from "../event.js";
import {FREE_TEXT_KINDS, readLogFormat, type FieldKind, type FormatToken} from "./directives.js";
import {unescapeLogField} from "./escapes.js";
import {closingQuote, hasUnescapedQuote} from "./quoted.js";
import {referrerHost} from "./referrer.js";
import {bareRequestEnd, splitRequestLine, splitTarget} from "./request-line.js";
import {APACHE_TIME_LENGTH, parseApacheTime} from "./time.js";
import {clearTimePieces, emptyTimePieces, timeFormatContent, timePiecesToMillis, type TimeFieldReader, type TimePieces} from "./time-format.js";
import {localTimeToUtc} from "./time-zone.js";

export interface LineParseError {
  /** A short, human reason: `status is not a number: "abc"`. */
  error: string;
}

export interface LineParser {
  /** The LogFormat string this parser reads. */
  readonly format: string;
  /** The fields of one line (without its line break), or why it does not fit the format. Never throws. */
  parse(line: string): ParsedLine | LineParseError;
}

export function isParseError(value: ParsedLine | LineParseError): value is LineParseError {
  return (value as LineParseError).error !== undefined;
}

// How a step finds where it ends in the line.
const LITERAL = 0;
/** Apache's %t: `[dd/Mon/yyyy:HH:MM:SS ±hhmm]`, the brackets optional. */
const TIME = 1;
/** `%{…}t`: as its format says. */
const TIME_FORMAT = 2;
/** Between quotes: up to the closing quote (see quoted.ts). */
const QUOTED = 3;
/** A word: up to the literal that follows it. */
const TOKEN = 4;
/** An unquoted %r: method, target and protocol, with spaces between them. */
const BARE_REQUEST = 5;
/** An unquoted header, which may hold spaces: up to where the rest of the format fits the rest of the line. */
const FREE_TEXT = 6;

interface Step {
  read: number;
  /** What the field fills ("ignored" for literals). */
  kind: FieldKind;
  /** The literal text, or the directive as written. */
  text: string;
  /** Fields: the literal that follows ("" at the end of the format). */
  after: string;
  time: TimeFieldReader | null;
  /** Fields: no field follows this one. */
  lastField: boolean;
  /** Every field from this step on may be missing when a line ends here. */
  restOptional: boolean;
  /** Literals: where they sit ("after %>s"), and the format from here on, for messages. */
  where: string;
  formatRest: string;
}

/**
 * Fields a real line may lack at its end: a Common line inside a Combined log, or a line written
 * before the LogFormat gained fields at its end.
 */
const OPTIONAL_AT_END: ReadonlySet<FieldKind> = new Set([
  "referrer", "agent", "header", "ignored", "duration_us", "duration_ms", "duration_s", "bytes_received", "bytes_sent", "port",
]);

export interface LogFormatOptions {
  /**
   * IANA time zone of the servers' clocks, for a format whose `%{…}t` writes a local date and
   * time with no UTC offset (config `timeZone`). Ignored when the line carries its own offset.
   */
  timeZone?: string | null;
}

/** Thrown for a format that logs local time when no time zone is configured. */
export class TimeZoneRequiredError extends Error {
  override name = "TimeZoneRequiredError";
}

/** The parser for any Apache LogFormat string; throws an Error naming what it cannot handle. */
export function compileLogFormat(format: string, options: LogFormatOptions = {}): LineParser {
  const tokens = readLogFormat(format);
  if (tokens.every((t) => typeof t === "string")) throw new Error(`log format ${JSON.stringify(format)} has no % directives`);
  const steps = compileSteps(tokens);
  const hasBodyBytes = steps.some((s) => s.kind === "bytes");
  // One scratch object per parser: parse() runs to completion before it is called again.
  const pieces = steps.some((s) => s.read === TIME_FORMAT) ? emptyTimePieces() : null;
  const localTime = localTimeDirectives(tokens);
  let localToUtc: ((localMs: number) => number) | null = null;
  if (localTime.length > 0) {
    // Refused here, once, rather than on every line: a guessed zone would shift every event.
    if (!options.timeZone) {
      throw new TimeZoneRequiredError(
        `log format: ${localTime.join(" ")} writes the servers' local time with no UTC offset; ` +
          `set "timeZone" in weblog.config.json (or WEBLOG_TIME_ZONE) to their IANA time zone, e.g. "Europe/Berlin" or "UTC"`,
      );
    }
    localToUtc = localTimeToUtc(options.timeZone);
  }
  return {
    format,
    parse: (line) => scan(line, steps, pieces, hasBodyBytes, localToUtc),
  };
}

/**
 * The `%{…}t` directives of a format that together write a local date and time: a date, and no
 * offset, zone or epoch anywhere in the format (Apache's example splits one time over three
 * directives, `%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t`). Empty when the time is an instant.
 */
function localTimeDirectives(tokens: FormatToken[]): string[] {
  const directives = tokens.filter((t): t is Exclude<FormatToken, string> => typeof t !== "string" && (t.kind === "time" || t.kind === "time_format"));
  // Apache's own %t always carries its offset.
  if (directives.some((t) => t.kind === "time")) return [];
  const contents = directives.map((t) => timeFormatContent(t.text.slice(t.text.indexOf("{") + 1, t.text.lastIndexOf("}"))));
  if (contents.some((c) => c.epoch || c.offset) || !contents.some((c) => c.date)) return [];
  return directives.map((t) => t.text);
}

function compileSteps(tokens: FormatToken[]): Step[] {
  const steps: Step[] = [];
  const written = (t: FormatToken) => (typeof t === "string" ? t : t.text);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    const step: Step = {
      read: LITERAL, kind: "ignored", text: "", after: "", time: null, lastField: false, restOptional: false, where: "", formatRest: "",
    };
    if (typeof token === "string") {
      step.text = token;
      step.where = before === undefined ? "at the start of the line" : `after ${written(before)}`;
      const rest = tokens.slice(i).map(written).join("");
      step.formatRest = rest.length > 40 ? rest.slice(0, 40) + "…" : rest;
      steps.push(step);
      continue;
    }
    const selfDelimiting = token.kind === "time" || token.kind === "time_format";
    if (typeof after === "object" && !selfDelimiting) throw new Error(`log format: ${token.text} and ${after.text} have nothing between them, so they cannot be told apart`);
    step.kind = token.kind;
    step.text = token.text;
    step.after = typeof after === "string" ? after : "";
    step.time = token.time;
    step.lastField = tokens.slice(i + 1).every((t) => typeof t === "string");
    const quoted = typeof before === "string" && before.endsWith('"') && step.after.startsWith('"');
    step.read =
      token.kind === "time" ? TIME
      : token.kind === "time_format" ? TIME_FORMAT
      : quoted ? QUOTED
      : token.kind === "request" ? BARE_REQUEST
      : FREE_TEXT_KINDS.has(token.kind) ? FREE_TEXT
      : TOKEN;
    steps.push(step);
  }
  let optional = true;
  for (let s = steps.length - 1; s >= 0; s--) {
    if (steps[s].read !== LITERAL && !OPTIONAL_AT_END.has(steps[s].kind)) optional = false;
    steps[s].restOptional = optional;
  }
  return steps;
}

function emptyParsedLine(): ParsedLine {
  return {
    ts: null, vhost: null, client_ip: null, ident: null, auth_user: null, method: null, url: null, path: null, query: null,
    protocol: null, status: null, bytes: null, referrer: null, referrer_host: null, user_agent: null, server_port: null,
    duration_us: null, bytes_received: null, bytes_sent: null,
  };
}

function scan(
  line: string, steps: readonly Step[], pieces: TimePieces | null, hasBodyBytes: boolean, localToUtc: ((localMs: number) => number) | null,
): ParsedLine | LineParseError {
  if (isBlankFrom(line, 0)) return {error: "empty line"};
  // A CRLF file split on \n leaves a \r at the end of each line.
  const lastCode = line.charCodeAt(line.length - 1);
  if (lastCode === 13 || lastCode === 10) line = line.slice(0, contentEnd(line));
  const parsed = emptyParsedLine();
  if (pieces !== null) clearTimePieces(pieces);
  let pos = 0;
  fields: for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    if (step.read === LITERAL) {
      if (line.startsWith(step.text, pos)) {
        pos += step.text.length;
        continue;
      }
      if (step.restOptional && isBlankFrom(line, pos)) break;
      return {error: literalMismatch(line, pos, step)};
    }
    let end: number;
    switch (step.read) {
      case TIME: {
        const bracketed = line.charCodeAt(pos) === 91;
        const start = bracketed ? pos + 1 : pos;
        const ts = parseApacheTime(line, start);
        if (ts === null || (bracketed && line.charCodeAt(start + APACHE_TIME_LENGTH) !== 93)) return {error: timeMismatch(line, pos)};
        parsed.ts = ts;
        pos = start + APACHE_TIME_LENGTH + (bracketed ? 1 : 0);
        continue;
      }
      case TIME_FORMAT:
        end = step.time!(line, pos, pieces!);
        if (end < 0) return {error: `the time does not match ${step.text} at column ${pos + 1}: ${excerpt(line, pos, 30)}`};
        pos = end;
        continue;
      case QUOTED:
        end = closingQuote(line, pos, step.after.slice(1), step.lastField && step.after === '"');
        if (end < 0) {
          const name = `${FIELD_NAMES[step.kind] ?? "the field"} ${step.text}`;
          const closed = hasUnescapedQuote(line, pos);
          // The last quoted field with no quote after it at all: a line cut short at the end (the
          // real log has one, a user agent cut mid-way). Every column before it is sound; keep them.
          if (!closed && step.lastField && FREE_TEXT_KINDS.has(step.kind)) {
            const problem = assign(parsed, step, line, pos, contentEnd(line));
            if (problem !== null) return {error: problem};
            pos = line.length;
            break fields;
          }
          if (closed && step.lastField) return {error: `unexpected text after the closing quote of ${name}, opened at column ${pos}`};
          return {error: `no closing quote after ${name}, opened at column ${pos}`};
        }
        break;
      case BARE_REQUEST:
        if (step.restOptional && isBlankFrom(line, pos)) break fields;
        end = step.after === "" || step.after.charCodeAt(0) === 32 ? bareRequestEnd(line, pos, " ") : tokenEnd(line, pos, step.after);
        break;
      case FREE_TEXT:
        if (step.restOptional && isBlankFrom(line, pos)) break fields;
        end = freeTextEnd(line, pos, steps, s);
        if (end < 0) end = tokenEnd(line, pos, step.after);
        break;
      default:
        if (step.restOptional && isBlankFrom(line, pos)) break fields;
        end = tokenEnd(line, pos, step.after);
    }
    const problem = assign(parsed, step, line, pos, end);
    if (problem !== null) return {error: problem};
    pos = end;
  }
  // Text after the last field is accepted when it is separate (fields a newer LogFormat added),
  // and refused when it runs on from it.
  if (pos < line.length && !isBlankFrom(line, pos)) {
    const c = line.charCodeAt(pos);
    if (c !== 32 && c !== 9) return {error: `unexpected text after the last field at column ${pos + 1}: ${excerpt(line, pos, 20)}`};
  }
  if (pieces !== null) {
    if (pieces.problem !== null) return {error: pieces.problem};
    // %{msec_frac}t beside %t refines it; otherwise the %{…}t fields make the time.
    parsed.ts = parsed.ts !== null ? parsed.ts + pieces.fractionMs : timePiecesToMillis(pieces, localToUtc);
  }
  // %m %U %q %H without %r: the target rebuilt (%q was logged with its "?").
  if (parsed.url === null && parsed.path !== null) parsed.url = parsed.query === null ? parsed.path : parsed.path + "?" + parsed.query;
  // vhost_combined logs %O (bytes sent, headers included) and no %b; it is the best size there is.
  if (!hasBodyBytes && parsed.bytes === null) parsed.bytes = parsed.bytes_sent;
  return parsed;
}

/** Stores the field at [start, end) of the line; returns an error message, or null. */
function assign(parsed: ParsedLine, step: Step, line: string, start: number, end: number): string | null {
  switch (step.kind) {
    case "client":
      parsed.client_ip = textOrNull(line, start, end);
      return null;
    case "ident":
      parsed.ident = textOrNull(line, start, end);
      return null;
    case "user": {
      const user = textOrNull(line, start, end);
      parsed.auth_user = user === null ? null : unescapeLogField(user);
      return null;
    }
    case "vhost":
      parsed.vhost = textOrNull(line, start, end);
      return null;
    case "request":
      splitRequestLine(line.slice(start, end), parsed);
      return null;
    case "method":
      parsed.method = textOrNull(line, start, end);
      return null;
    case "protocol":
      parsed.protocol = textOrNull(line, start, end);
      return null;
    case "url_path":
      parsed.path = textOrNull(line, start, end);
      return null;
    case "query_string":
      // Apache's %q is "?query", or nothing at all.
      parsed.query = start === end ? null : line.slice(line.charCodeAt(start) === 63 ? start + 1 : start, end);
      return null;
    case "target": {
      const target = textOrNull(line, start, end);
      if (target !== null) {
        parsed.url = target;
        splitTarget(target, parsed);
      }
      return null;
    }
    case "status": {
      if (isDash(line, start, end)) return null;
      const status = numberAt(line, start, end);
      if (status < 0) return `status is not a number: ${fieldExcerpt(line, start, end)}`;
      if (status > 999) return `status is not a three-digit code: ${fieldExcerpt(line, start, end)}`;
      parsed.status = status;
      return null;
    }
    case "bytes":
      return setNumber(parsed, "bytes", step, line, start, end, 1);
    case "duration_us":
      return setNumber(parsed, "duration_us", step, line, start, end, 1);
    // %D (µs) is the precise one; %T only fills in when a format has no %D.
    case "duration_ms":
      return parsed.duration_us !== null ? null : setNumber(parsed, "duration_us", step, line, start, end, 1000);
    case "duration_s":
      return parsed.duration_us !== null ? null : setNumber(parsed, "duration_us", step, line, start, end, 1_000_000);
    case "port":
      return setNumber(parsed, "server_port", step, line, start, end, 1);
    case "bytes_received":
      return setNumber(parsed, "bytes_received", step, line, start, end, 1);
    case "bytes_sent":
      return setNumber(parsed, "bytes_sent", step, line, start, end, 1);
    case "referrer":
      parsed.referrer = headerOrNull(line, start, end);
      parsed.referrer_host = referrerHost(parsed.referrer);
      return null;
    case "agent":
      parsed.user_agent = headerOrNull(line, start, end);
      return null;
    default:
      // Times are read by the scanner itself; the rest is parsed and ignored.
      return null;
  }
}

const FIELD_NAMES: Partial<Record<FieldKind, string>> = {
  request: "the request line", agent: "the user agent", referrer: "the referrer", header: "the header", user: "the user",
};

type NumberColumn = "bytes" | "duration_us" | "server_port" | "bytes_received" | "bytes_sent";

const NUMBER_NAMES: Readonly<Record<NumberColumn, string>> = {
  bytes: "bytes", duration_us: "duration", server_port: "server port", bytes_received: "bytes received", bytes_sent: "bytes sent",
};

function setNumber(parsed: ParsedLine, column: NumberColumn, step: Step, line: string, start: number, end: number, scale: number): string | null {
  if (isDash(line, start, end)) return null;
  const n = numberAt(line, start, end);
  if (n < 0) return `${NUMBER_NAMES[column]} (${step.text}) is not a number: ${fieldExcerpt(line, start, end)}`;
  parsed[column] = n * scale;
  return null;
}

/** Decimal digits only (no sign, no exponent, at most 15 so the value is exact), or -1. */
function numberAt(line: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function isDash(line: string, start: number, end: number): boolean {
  return end - start === 1 && line.charCodeAt(start) === 45;
}

/** The field's text; null for "-" (Apache's "not known") and for nothing at all. */
function textOrNull(line: string, start: number, end: number): string | null {
  return end <= start || isDash(line, start, end) ? null : line.slice(start, end);
}

/** A logged header, unescaped; null for "-" or nothing. */
function headerOrNull(line: string, start: number, end: number): string | null {
  const text = textOrNull(line, start, end);
  return text === null ? null : unescapeLogField(text);
}

/**
 * A word ends at the literal after it, or at the first space before that: no column a token
 * fills holds a space, and stopping there turns a line with a field missing into a precise
 * error. Tab-separated formats are the exception: there a field may hold spaces.
 */
function tokenEnd(line: string, from: number, after: string): number {
  const end = after === "" ? -1 : line.indexOf(after, from);
  if (after.charCodeAt(0) === 9) return end < 0 ? line.length : end;
  const space = line.indexOf(" ", from);
  const stop = space < 0 ? line.length : space;
  return end < 0 || end > stop ? stop : end;
}

/**
 * Where an unquoted header at step `s` ends: the rest of the format matched from the end of the
 * line backwards, each word after its literal (`%{User-Agent}i %D %>s` gives the agent all but
 * the last two words). -1 when the rest holds something that cannot be read backwards (a quoted
 * field, a time, another header); the caller then takes one word.
 */
function freeTextEnd(line: string, from: number, steps: readonly Step[], s: number): number {
  let end = contentEnd(line);
  for (let k = steps.length - 1; k > s; k--) {
    const step = steps[k];
    if (step.read === LITERAL) {
      const start = end - step.text.length;
      if (start < from || !line.startsWith(step.text, start)) return -1;
      end = start;
    } else if (step.read === TOKEN) {
      const separator = steps[k - 1].text;
      const at = line.lastIndexOf(separator, end - separator.length);
      if (at < from) return -1;
      end = at + separator.length;
    } else {
      return -1;
    }
  }
  return end;
}

function literalMismatch(line: string, pos: number, step: Step): string {
  if (isBlankFrom(line, pos)) return `the line ends ${step.where} (column ${pos + 1}), where the format goes on with ${JSON.stringify(step.formatRest)}`;
  return `expected ${JSON.stringify(step.text)} ${step.where} at column ${pos + 1}, found ${excerpt(line, pos, 20)}`;
}

function timeMismatch(line: string, pos: number): string {
  const close = line.indexOf("]", pos);
  const shown = line.charCodeAt(pos) === 91 && close > pos && close - pos < 40 ? JSON.stringify(line.slice(pos, close + 1)) : excerpt(line, pos, 28);
  return `the time at column ${pos + 1} is not [dd/Mon/yyyy:HH:MM:SS ±hhmm]: ${shown}`;
}

function fieldExcerpt(line: string, start: number, end: number): string {
  return JSON.stringify(end - start > 20 ? line.slice(start, start + 20) + "…" : line.slice(start, end));
}

function excerpt(line: string, at: number, length: number): string {
  return JSON.stringify(line.length - at > length ? line.slice(at, at + length) + "…" : line.slice(at));
}

/** True when nothing but spaces, tabs and line breaks follows `from`. */
function isBlankFrom(line: string, from: number): boolean {
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}

/** The index just past the line's last character that is not a space, tab or line break. */
function contentEnd(line: string): number {
  let end = line.length;
  for (let c = line.charCodeAt(end - 1); end > 0 && (c === 32 || c === 9 || c === 13 || c === 10); c = line.charCodeAt(--end - 1));
  return end;
}
