// Any Apache LogFormat string compiled into a line parser: a list of steps (literal text, then a
// field, then literal text…) that a scanner walks with indexOf, never a backtracking regex, so a
// 100 KB line costs what its length costs.
import type {ParsedLine} from "../event.js";
import {unescapeLogField} from "./escapes.js";
import {referrerHost} from "./referrer.js";
import {splitRequestLine, splitTarget} from "./request-line.js";
import {parseApacheTime} from "./time.js";

export interface LineParseError {
  error: string;
}

export interface LineParser {
  /** The LogFormat string this parser reads. */
  readonly format: string;
  parse(line: string): ParsedLine | LineParseError;
}

export function isParseError(value: ParsedLine | LineParseError): value is LineParseError {
  return (value as LineParseError).error !== undefined;
}

/** What a directive fills. */
type FieldKind =
  | "client" | "ident" | "user" | "time" | "request" | "status" | "bytes" | "referrer" | "agent"
  | "duration_us" | "duration_ms" | "duration_s" | "vhost" | "port" | "bytes_received" | "bytes_sent"
  | "method" | "url_path" | "query_string" | "target" | "protocol" | "ignored";

interface Field {
  kind: FieldKind;
  /** The directive as written, for error messages: %>s, %{User-Agent}i. */
  directive: string;
  quoted: boolean;
  /** The literal text after the field ("" at the end of the format). */
  next: string;
}

type Step = {literal: string} | {field: Field};

/** Fields a real line may lack at its end (a Common line in a Combined log, say). */
const OPTIONAL_AT_END: ReadonlySet<FieldKind> = new Set(["referrer", "agent", "ignored", "duration_us", "duration_ms", "duration_s", "bytes_received", "bytes_sent", "port"]);

export function compileLogFormat(format: string): LineParser {
  const steps = compileSteps(format);
  const hasBodyBytes = steps.some((s) => "field" in s && s.field.kind === "bytes");
  return {
    format,
    parse: (line) => scan(line, steps, hasBodyBytes),
  };
}

function compileSteps(format: string): Step[] {
  const tokens: (string | {directive: string; kind: FieldKind})[] = [];
  let literal = "";
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== "%") {
      literal += format[i];
      continue;
    }
    if (format[i + 1] === "%") {
      literal += "%";
      i++;
      continue;
    }
    // %[!][codes][<>][{param}]letter
    const match = /^%(!?[\d,]*)([<>]?)(\{[^}]*\})?([a-zA-Z])/.exec(format.slice(i));
    if (!match) throw new Error(`log format: cannot read the directive at "${format.slice(i, i + 12)}"`);
    if (literal) tokens.push(literal);
    literal = "";
    const [directive, , , braced, letter] = match;
    tokens.push({directive, kind: fieldKind(letter, braced ? braced.slice(1, -1) : null, directive)});
    i += directive.length - 1;
  }
  if (literal) tokens.push(literal);

  // %U%q, written together, is the request target: %q brings its own "?" (or nothing).
  for (let i = 0; i + 1 < tokens.length; i++) {
    const [token, after] = [tokens[i], tokens[i + 1]];
    if (typeof token === "object" && token.kind === "url_path" && typeof after === "object" && after.kind === "query_string") {
      tokens.splice(i, 2, {directive: token.directive + after.directive, kind: "target"});
    }
  }

  // Apache's %t prints its own brackets; "[%t]" in a format means the same bracketed time.
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token === "string" || token.kind !== "time") continue;
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    if (typeof before === "string" && before.endsWith("[") && typeof after === "string" && after.startsWith("]")) {
      tokens[i - 1] = before.slice(0, -1);
      tokens[i + 1] = after.slice(1);
    }
  }

  const steps: Step[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token === "string") {
      if (token !== "") steps.push({literal: token});
      continue;
    }
    const before = tokens[i - 1];
    const after = tokens[i + 1];
    const next = typeof after === "string" ? after : "";
    if (typeof after === "object") throw new Error(`log format: ${token.directive} and ${after.directive} have nothing between them, so they cannot be told apart`);
    const quoted = typeof before === "string" && before.endsWith('"') && next.startsWith('"');
    steps.push({field: {kind: token.kind, directive: token.directive, quoted, next}});
  }
  return steps;
}

function fieldKind(letter: string, param: string | null, directive: string): FieldKind {
  switch (letter) {
    case "h":
    case "a":
      return param === "c" ? "ignored" : "client";
    case "l":
      return "ident";
    case "u":
      return "user";
    case "t":
      if (param !== null) throw new Error(`log format: ${directive}: only Apache's default time format (%t) is supported`);
      return "time";
    case "r":
      return "request";
    case "s":
      return "status";
    case "b":
    case "B":
      return "bytes";
    case "D":
      return "duration_us";
    case "T":
      return param === "ms" ? "duration_ms" : param === "us" ? "duration_us" : "duration_s";
    case "v":
    case "V":
      return "vhost";
    case "p":
      return param === null || param === "canonical" || param === "local" ? "port" : "ignored";
    case "I":
      return "bytes_received";
    case "O":
      return "bytes_sent";
    case "m":
      return "method";
    case "U":
      return "url_path";
    case "q":
      return "query_string";
    case "H":
      return "protocol";
    case "i": {
      const header = (param ?? "").toLowerCase();
      return header === "referer" || header === "referrer" ? "referrer" : header === "user-agent" ? "agent" : "ignored";
    }
    // Parsed and ignored: environment, notes, cookies, response headers, ids, ports, keepalives…
    case "x":
    case "e":
    case "n":
    case "o":
    case "C":
    case "P":
    case "k":
    case "L":
    case "R":
    case "f":
    case "X":
    case "S":
    case "A":
    case "F":
    case "M":
    case "^":
      return letter === "S" ? "ignored" : "ignored";
    default:
      throw new Error(`log format: unsupported directive ${directive}`);
  }
}

function emptyParsedLine(): ParsedLine {
  return {
    ts: null, vhost: null, client_ip: null, ident: null, auth_user: null, method: null, url: null, path: null, query: null,
    protocol: null, status: null, bytes: null, referrer: null, referrer_host: null, user_agent: null, server_port: null,
    duration_us: null, bytes_received: null, bytes_sent: null,
  };
}

function scan(line: string, steps: readonly Step[], hasBodyBytes: boolean): ParsedLine | LineParseError {
  if (line.trim() === "") return {error: "empty line"};
  const parsed = emptyParsedLine();
  let urlPath: string | null = null;
  let queryString: string | null = null;
  let pos = 0;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    if ("literal" in step) {
      if (line.startsWith(step.literal, pos)) {
        pos += step.literal.length;
        continue;
      }
      if (endsHere(line, pos) && restIsOptional(steps, s)) break;
      return {error: `expected ${JSON.stringify(step.literal)} at column ${pos + 1}, found ${JSON.stringify(line.slice(pos, pos + 20))}`};
    }
    const field = step.field;
    let value: string;
    if (field.kind === "time") {
      if (line.charCodeAt(pos) !== 91) return {error: `expected "[" before the time at column ${pos + 1}`};
      const close = line.indexOf("]", pos);
      if (close < 0) return {error: "no closing ] after the time"};
      value = line.slice(pos + 1, close);
      pos = close + 1;
    } else if (field.quoted) {
      const close = closingQuote(line, pos, field.next);
      if (close < 0) {
        if (endsHere(line, pos) && restIsOptional(steps, s)) break;
        return {error: `no closing quote after ${field.directive}`};
      }
      value = line.slice(pos, close);
      pos = close;
    } else {
      if (endsHere(line, pos) && restIsOptional(steps, s)) break;
      let end = field.next === "" ? line.indexOf(" ", pos) : line.indexOf(field.next[0], pos);
      if (end < 0) end = line.length;
      value = line.slice(pos, end);
      pos = end;
    }
    const problem = assign(parsed, field, value);
    if (problem !== null) {
      if (problem === URL_PATH) urlPath = value;
      else if (problem === QUERY_STRING) queryString = value;
      else return {error: problem};
    }
  }
  // Anything after the last field is accepted when it is separate (an extra field a newer
  // LogFormat added), and refused when it runs on from it.
  if (pos < line.length && line.charCodeAt(pos) !== 32 && line.charCodeAt(pos) !== 9) {
    return {error: `unexpected text after the last field at column ${pos + 1}: ${JSON.stringify(line.slice(pos, pos + 20))}`};
  }
  if (urlPath !== null && parsed.url === null) {
    // %U%q without %r: rebuild the target (%q already carries its "?").
    parsed.url = urlPath + (queryString ?? "");
    Object.assign(parsed, splitTarget(parsed.url));
  }
  // vhost_combined logs %O (bytes sent, headers included) and no %b; it is the best size there is.
  if (!hasBodyBytes && parsed.bytes === null) parsed.bytes = parsed.bytes_sent;
  return parsed;
}

const URL_PATH = "\u0000url_path";
const QUERY_STRING = "\u0000query_string";

/** Stores a field's value; returns an error message, or null. */
function assign(parsed: ParsedLine, field: Field, value: string): string | null {
  switch (field.kind) {
    case "client":
      parsed.client_ip = value === "-" ? null : value;
      return null;
    case "ident":
      parsed.ident = value === "-" ? null : value;
      return null;
    case "user":
      parsed.auth_user = value === "-" ? null : unescapeLogField(value);
      return null;
    case "time":
      parsed.ts = parseApacheTime(value);
      return parsed.ts === null ? `the time is not dd/Mon/yyyy:HH:MM:SS ±hhmm: ${JSON.stringify(value.slice(0, 40))}` : null;
    case "request":
      Object.assign(parsed, splitRequestLine(value));
      return null;
    case "status": {
      if (value === "-") return null;
      const status = wholeNumber(value);
      if (status === null || status > 999) return `the status is not a number: ${JSON.stringify(value.slice(0, 20))}`;
      parsed.status = status;
      return null;
    }
    case "bytes":
      return setNumber(parsed, "bytes", value, field);
    case "duration_us":
      return setNumber(parsed, "duration_us", value, field);
    // %D (µs) is the precise one; %T only fills in when a format has no %D.
    case "duration_ms":
      return parsed.duration_us !== null ? null : setNumber(parsed, "duration_us", value, field, 1000);
    case "duration_s":
      return parsed.duration_us !== null ? null : setNumber(parsed, "duration_us", value, field, 1_000_000);
    case "port":
      return setNumber(parsed, "server_port", value, field);
    case "bytes_received":
      return setNumber(parsed, "bytes_received", value, field);
    case "bytes_sent":
      return setNumber(parsed, "bytes_sent", value, field);
    case "vhost":
      parsed.vhost = value === "-" ? null : value;
      return null;
    case "referrer":
      parsed.referrer = value === "-" || value === "" ? null : unescapeLogField(value);
      parsed.referrer_host = referrerHost(parsed.referrer);
      return null;
    case "agent":
      parsed.user_agent = value === "-" || value === "" ? null : unescapeLogField(value);
      return null;
    case "method":
      parsed.method = value === "-" ? null : value;
      return null;
    case "protocol":
      parsed.protocol = value === "-" ? null : value;
      return null;
    case "target":
      if (value !== "-") Object.assign(parsed, {url: value, ...splitTarget(value)});
      return null;
    case "url_path":
      return value === "-" ? null : URL_PATH;
    case "query_string":
      return value === "" ? null : QUERY_STRING;
    case "ignored":
      return null;
  }
}

type NumberColumn = "bytes" | "duration_us" | "server_port" | "bytes_received" | "bytes_sent";

function setNumber(parsed: ParsedLine, column: NumberColumn, value: string, field: Field, scale = 1): string | null {
  if (value === "-") return null;
  const n = wholeNumber(value);
  if (n === null) return `${field.directive} is not a number: ${JSON.stringify(value.slice(0, 20))}`;
  parsed[column] = n * scale;
  return null;
}

/** Decimal digits only (no sign, no exponent), as a number; null otherwise. */
function wholeNumber(text: string): number | null {
  if (text.length === 0 || text.length > 15) return null;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Index of the quote that closes a quoted field starting at `from`: one not escaped by a
 * backslash and followed by the format's next literal. An unescaped quote inside the value (nginx
 * logs them raw in user agents) is skipped when what follows it does not fit.
 */
function closingQuote(line: string, from: number, next: string): number {
  const rest = next.slice(1);
  for (let at = line.indexOf('"', from); at >= 0; at = line.indexOf('"', at + 1)) {
    let backslashes = 0;
    for (let b = at - 1; b >= from && line.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 1) continue;
    if (rest === "") {
      // The last field: what follows must be the end of the line, or whole extra fields a newer
      // LogFormat appended (` "-"`), not the rest of a value holding a raw quote.
      const after = line.charCodeAt(at + 1);
      if (at + 1 === line.length) return at;
      if ((after === 32 || after === 9) && line.length - at < 1024 && EXTRA_FIELDS.test(line.slice(at + 1))) return at;
    } else if (line.startsWith(rest, at + 1)) {
      return at;
    }
  }
  return -1;
}

/** Whitespace-separated fields, quoted or bare, and nothing else. */
const EXTRA_FIELDS = /^(?:[ \t]+(?:"(?:[^"\\]|\\.)*"|[^\s"]+))*[ \t]*$/;

function endsHere(line: string, pos: number): boolean {
  for (let i = pos; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** True when every field from step `s` on may be missing at the end of a line. */
function restIsOptional(steps: readonly Step[], s: number): boolean {
  for (let i = s; i < steps.length; i++) {
    const step = steps[i];
    if ("field" in step && !OPTIONAL_AT_END.has(step.field.kind)) return false;
  }
  return true;
}
