// An Apache LogFormat string read into literal text and directives, each directive named by what
// it fills in a ParsedLine. Everything a format can get wrong is found here, once, not per line.
import {compileTimeFormat, type TimeFieldReader} from "./time-format.js";

/** What a directive fills. */
export type FieldKind =
  | "client" | "ident" | "user" | "time" | "time_format" | "request" | "status" | "status_original"
  | "bytes" | "referrer" | "agent" | "header" | "duration_us" | "duration_ms" | "duration_s" | "vhost" | "port"
  | "bytes_received" | "bytes_sent" | "method" | "url_path" | "query_string" | "target" | "protocol" | "ignored";

export interface Directive {
  /** As written in the format, for messages: `%>s`, `%{User-Agent}i`. */
  text: string;
  kind: FieldKind;
  /** For `%{…}t`: reads the time written in that format. */
  time: TimeFieldReader | null;
}

export type FormatToken = string | Directive;

/** Headers may hold spaces, so an unquoted one is read up to where the rest of the line fits. */
export const FREE_TEXT_KINDS: ReadonlySet<FieldKind> = new Set(["referrer", "agent", "header"]);

/** %[conditions][<>]{param}letter; Apache reads modifiers and the braced param in any order. */
const DIRECTIVE = /%((?:[!<>,0-9]|\{[^}]*\})*)(\^t[io]|[a-zA-Z])/y;

/**
 * The format as literal text and directives. Throws an Error naming the directive for anything it
 * cannot read. `\"` (as LogFormat lines are written in httpd.conf) is read as `"`.
 */
export function readLogFormat(format: string): FormatToken[] {
  const source = format.replaceAll('\\"', '"');
  const tokens: FormatToken[] = [];
  let literal = "";
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== "%") {
      literal += source[i];
      continue;
    }
    if (source[i + 1] === "%") {
      literal += "%";
      i++;
      continue;
    }
    DIRECTIVE.lastIndex = i;
    const match = DIRECTIVE.exec(source);
    if (!match) throw new Error(`log format: cannot read the directive at "${source.slice(i, i + 12)}" (expected %letter, %>s, %{Name}i…)`);
    const [text, modifiers, letter] = match;
    const param = /\{([^}]*)\}/.exec(modifiers)?.[1] ?? null;
    if (literal) tokens.push(literal);
    literal = "";
    tokens.push(directive(text, letter, param, modifiers.includes("<")));
    i += text.length - 1;
  }
  if (literal) tokens.push(literal);
  return settle(tokens);
}

function directive(text: string, letter: string, param: string | null, original: boolean): Directive {
  const kind = (k: FieldKind): Directive => ({text, kind: k, time: null});
  switch (letter) {
    case "h":
    case "a":
      return kind("client");
    case "l":
      return kind("ident");
    case "u":
      return kind("user");
    case "t":
      return param === null ? kind("time") : {text, kind: "time_format", time: compileTimeFormat(param, text)};
    case "r":
      return kind("request");
    case "s":
      // %s and %<s are the original request's status, %>s (what Combined logs) the final one.
      return kind(original ? "status_original" : text.includes(">") ? "status" : "status_original");
    case "b":
    case "B":
      return kind("bytes");
    case "D":
      return kind("duration_us");
    case "T":
      if (param === null || param === "s") return kind("duration_s");
      if (param === "ms") return kind("duration_ms");
      if (param === "us") return kind("duration_us");
      throw new Error(`log format: ${text}: the unit must be s, ms or us`);
    case "v":
    case "V":
      return kind("vhost");
    case "p":
      return kind(param === null || param === "canonical" || param === "local" ? "port" : "ignored");
    case "I":
      return kind("bytes_received");
    case "O":
      return kind("bytes_sent");
    case "m":
      return kind("method");
    case "U":
      return kind("url_path");
    case "q":
      return kind("query_string");
    case "H":
      return kind("protocol");
    case "i": {
      const header = (param ?? "").toLowerCase();
      return kind(header === "referer" || header === "referrer" ? "referrer" : header === "user-agent" ? "agent" : "header");
    }
    case "o":
    case "^ti":
    case "^to":
      return kind("header");
    // Parsed and ignored: cookies, environment, notes, SSL variables (x, c), the local address,
    // process and thread ids, keep-alives, log ids, handlers, file names, connection status,
    // total bytes (mod_logio %S).
    case "C":
    case "e":
    case "n":
    case "x":
    case "c":
    case "A":
    case "P":
    case "k":
    case "L":
    case "R":
    case "f":
    case "X":
    case "S":
      return kind("ignored");
    default:
      throw new Error(`log format: unsupported directive ${text} (not one of Apache mod_log_config's)`);
  }
}

/** Resolves what depends on the whole format: which of several directives fills a column, [%t], %U%q. */
function settle(tokens: FormatToken[]): FormatToken[] {
  const directives = tokens.filter((t): t is Directive => typeof t !== "string");
  const has = (kind: FieldKind) => directives.some((d) => d.kind === kind);
  const ignore = (d: Directive) => (d.kind = "ignored");

  // The final status wins over the original one; only a format without %>s reports %s.
  for (const d of directives) if (d.kind === "status_original") d.kind = has("status") ? "ignored" : "status";
  // One client: the address (%a) over the possibly resolved host name (%h) over the peer (%{c}a).
  const clients = directives.filter((d) => d.kind === "client");
  const rank = (d: Directive) => (d.text.includes("{c}") ? 2 : d.text.endsWith("a") ? 0 : 1);
  const best = clients.reduce<Directive | null>((a, d) => (a === null || rank(d) < rank(a) ? d : a), null);
  for (const d of clients) if (d !== best) ignore(d);
  // %r says it all; %m %U %q %H beside it are repeats.
  if (has("request")) for (const d of directives) if (["method", "url_path", "query_string", "protocol"].includes(d.kind)) ignore(d);

  // %U%q written together is the request target: %q brings its own "?" (or nothing).
  for (let i = 0; i + 1 < tokens.length; i++) {
    const [path, query] = [tokens[i], tokens[i + 1]];
    if (typeof path !== "string" && path.kind === "url_path" && typeof query !== "string" && query.kind === "query_string") {
      tokens.splice(i, 2, {text: path.text + query.text, kind: "target", time: null});
    }
  }

  // Apache's %t prints its own brackets; "[%t]" in a format means the same bracketed time.
  for (let i = 1; i + 1 < tokens.length; i++) {
    const [before, time, after] = [tokens[i - 1], tokens[i], tokens[i + 1]];
    if (typeof time !== "string" && time.kind === "time" && typeof before === "string" && before.endsWith("[") && typeof after === "string" && after.startsWith("]")) {
      tokens[i - 1] = before.slice(0, -1);
      tokens[i + 1] = after.slice(1);
    }
  }
  return tokens.filter((t) => t !== "");
}
