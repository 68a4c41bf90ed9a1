// Apache's `%{format}t`: a strftime(3) format (`%{%Y-%m-%dT%H:%M:%S}t`) or one of mod_log_config's
// own tokens (`sec`, `msec`, `usec`, `msec_frac`, `usec_frac`, optionally after `begin:`/`end:`).
// Apache's docs build one time from several of these (`%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t`), so
// each reader fills in parts of one TimePieces, turned into an instant once the line is read.
import {civilToMillis, digitsAt, monthAbbreviationAt} from "./time.js";

/** Parts of the request time gathered from a line's `%{…}t` fields. -1 (or NaN) means "not logged". */
export interface TimePieces {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC, from %z (or a %Z of UTC/GMT). Without them the time is local (see log-format.ts). */
  offsetMinutes: number;
  fractionMs: number;
  /** From %{sec}t, %{msec}t or %{usec}t. */
  epochMs: number;
  /** Set when a %Z zone name cannot be turned into an offset. */
  problem: string | null;
}

export function emptyTimePieces(): TimePieces {
  return {year: -1, month: -1, day: -1, hour: 0, minute: 0, second: 0, offsetMinutes: 0, fractionMs: 0, epochMs: NaN, problem: null};
}

export function clearTimePieces(p: TimePieces): void {
  p.year = p.month = p.day = -1;
  p.hour = p.minute = p.second = p.offsetMinutes = p.fractionMs = 0;
  p.epochMs = NaN;
  p.problem = null;
}

/**
 * The instant the pieces name; null when no date was logged (a format with only %{%H:%M}t, say).
 * `localToUtc` turns a date and time logged with no offset into UTC (parse/time-zone.ts).
 */
export function timePiecesToMillis(p: TimePieces, localToUtc: ((localMs: number) => number) | null = null): number | null {
  if (!Number.isNaN(p.epochMs)) return p.epochMs + p.fractionMs;
  const ms = civilToMillis(p.year, p.month, p.day, p.hour, p.minute, p.second, p.offsetMinutes);
  if (ms === null) return null;
  return (localToUtc === null ? ms : localToUtc(ms)) + p.fractionMs;
}

/** What one `%{…}t` parameter logs, to tell whether a format writes local time. */
export interface TimeFormatContent {
  /** An instant of its own: %{sec}t, %{msec}t, %{usec}t. */
  epoch: boolean;
  /** A UTC offset or zone name: %z, %Z. */
  offset: boolean;
  /** Part of a calendar date: %d %e %m %b %h %B %Y %y %F %D. */
  date: boolean;
}

const DATE_CONVERSIONS = new Set(["d", "e", "m", "b", "h", "B", "Y", "y", "F", "D"]);

export function timeFormatContent(param: string): TimeFormatContent {
  const format = param.replace(/^(?:begin|end):/, "");
  const content = {epoch: format === "sec" || format === "msec" || format === "usec", offset: false, date: false};
  if (EPOCH_TOKENS[format] !== undefined) return content;
  for (let i = format.indexOf("%"); i >= 0 && i < format.length - 1; i = format.indexOf("%", i + 2)) {
    const conversion = format[i + 1];
    if (conversion === "z" || conversion === "Z") content.offset = true;
    if (DATE_CONVERSIONS.has(conversion)) content.date = true;
  }
  return content;
}

/** Reads one `%{…}t` field at `at` into `pieces`; returns where the field ends, or -1 when it does not fit. */
export type TimeFieldReader = (line: string, at: number, pieces: TimePieces) => number;

const EPOCH_TOKENS: Readonly<Record<string, (n: number, p: TimePieces) => void>> = {
  sec: (n, p) => void (p.epochMs = n * 1000),
  msec: (n, p) => void (p.epochMs = n),
  usec: (n, p) => void (p.epochMs = Math.floor(n / 1000)),
  msec_frac: (n, p) => void (p.fractionMs = n),
  usec_frac: (n, p) => void (p.fractionMs = Math.floor(n / 1000)),
};

/** The reader for the braced part of a `%{…}t` directive; throws for what it cannot read. */
export function compileTimeFormat(param: string, directive: string): TimeFieldReader {
  const format = param.replace(/^(?:begin|end):/, "");
  const epoch = EPOCH_TOKENS[format];
  if (epoch !== undefined) {
    return (line, at, pieces) => {
      let end = at;
      while (end < line.length && end - at < 19 && isDigit(line.charCodeAt(end))) end++;
      if (end === at) return -1;
      epoch(digitsAt(line, at, end - at), pieces);
      return end;
    };
  }
  const parts = strftimeParts(format, directive);
  return (line, at, pieces) => {
    let pos = at;
    for (const part of parts) {
      pos = typeof part === "string" ? (line.startsWith(part, pos) ? pos + part.length : -1) : part(line, pos, pieces);
      if (pos < 0) return -1;
    }
    return pos;
  };
}

type Part = string | TimeFieldReader;

const SHORTHANDS: Readonly<Record<string, string>> = {T: "%H:%M:%S", R: "%H:%M", F: "%Y-%m-%d", D: "%m/%d/%y"};
const LITERALS: Readonly<Record<string, string>> = {n: "\n", t: "\t", "%": "%"};

function strftimeParts(format: string, directive: string): Part[] {
  const parts: Part[] = [];
  let literal = "";
  const add = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const conversion = text[i + 1];
      if (text[i] !== "%" || conversion === undefined) {
        literal += text[i];
        continue;
      }
      i++;
      if (LITERALS[conversion] !== undefined) literal += LITERALS[conversion];
      else if (SHORTHANDS[conversion] !== undefined) add(SHORTHANDS[conversion]);
      else {
        const reader = CONVERSIONS[conversion];
        if (reader === undefined) {
          throw new Error(`log format: ${directive}: the time conversion %${conversion} is not supported (use %d %e %m %b %B %Y %y %H %M %S %T %F %z %Z %a %A, or %{sec}t / %{msec}t)`);
        }
        if (literal) parts.push(literal);
        literal = "";
        parts.push(reader);
      }
    }
  };
  add(format);
  if (literal) parts.push(literal);
  return parts;
}

const twoDigits = (set: (n: number, p: TimePieces) => void): TimeFieldReader => (line, at, p) => {
  const n = digitsAt(line, at, 2);
  if (n < 0) return -1;
  set(n, p);
  return at + 2;
};

const FULL_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const CONVERSIONS: Readonly<Record<string, TimeFieldReader>> = {
  d: twoDigits((n, p) => void (p.day = n)),
  e: (line, at, p) => {
    // Space-padded day: " 5" or "15".
    const n = line.charCodeAt(at) === 32 ? digitsAt(line, at + 1, 1) : digitsAt(line, at, 2);
    if (n < 0) return -1;
    p.day = n;
    return at + 2;
  },
  m: twoDigits((n, p) => void (p.month = n)),
  b: monthAbbreviation,
  h: monthAbbreviation,
  B: (line, at, p) => {
    const index = FULL_MONTHS.findIndex((name) => line.startsWith(name, at));
    if (index < 0) return -1;
    p.month = index + 1;
    return at + FULL_MONTHS[index].length;
  },
  Y: (line, at, p) => {
    const n = digitsAt(line, at, 4);
    if (n < 0) return -1;
    p.year = n;
    return at + 4;
  },
  // POSIX: 69–99 are 1969–1999, 00–68 are 2000–2068.
  y: twoDigits((n, p) => void (p.year = n < 69 ? 2000 + n : 1900 + n)),
  H: twoDigits((n, p) => void (p.hour = n)),
  M: twoDigits((n, p) => void (p.minute = n)),
  S: twoDigits((n, p) => void (p.second = n)),
  z: (line, at, p) => {
    const sign = line.charCodeAt(at);
    if (sign !== 43 && sign !== 45) return -1;
    const colon = line.charCodeAt(at + 3) === 58 ? 1 : 0;
    const hours = digitsAt(line, at + 1, 2);
    const minutes = digitsAt(line, at + 3 + colon, 2);
    if (hours < 0 || minutes < 0 || minutes > 59) return -1;
    p.offsetMinutes = (sign === 45 ? -1 : 1) * (hours * 60 + minutes);
    return at + 5 + colon;
  },
  Z: (line, at, p) => {
    const end = lettersEnd(line, at);
    if (end === at) return -1;
    const zone = line.slice(at, end);
    if (zone === "UTC" || zone === "GMT" || zone === "Z" || zone === "UT") p.offsetMinutes = 0;
    else p.problem = `the time zone name ${JSON.stringify(zone)} has no fixed offset (log %z instead)`;
    return end;
  },
  a: (line, at) => (lettersEnd(line, at) - at >= 3 ? at + 3 : -1),
  A: (line, at) => {
    const end = lettersEnd(line, at);
    return end - at >= 6 ? end : -1;
  },
};

function monthAbbreviation(line: string, at: number, p: TimePieces): number {
  const month = monthAbbreviationAt(line, at);
  if (month === 0) return -1;
  p.month = month;
  return at + 3;
}

function lettersEnd(line: string, at: number): number {
  let end = at;
  for (let c = line.charCodeAt(end); (c >= 65 && c <= 90) || (c >= 97 && c <= 122); c = line.charCodeAt(++end));
  return end;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
