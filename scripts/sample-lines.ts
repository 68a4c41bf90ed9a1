// The real log's lines as both samples hold them (scripts/make-sample.ts for the S3 sink,
// scripts/make-sample-sources.ts for Firehose and export tasks): moved to May 2023, in the
// servers' zone (+0530), each marked by whether it is well-formed Combined.

/** 2919 days = 417 weeks: 17 May 2015 (a Sunday) becomes 14 May 2023 (a Sunday). */
export const SHIFT_MS = 2919 * 86_400_000;
/** The sample's servers log in India's zone. */
export const SERVER_OFFSET_MINUTES = 5 * 60 + 30;

export interface LogLine {
  utcMillis: number;
  clientIp: string;
  text: string;
  /** False for the lines that must end up in the rejected table. */
  parses: boolean;
}

export function retime(text: string): LogLine {
  const match = /^(\S+) \S+ \S+ \[(\d\d)\/(\w\w\w)\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\]/.exec(text);
  if (!match) throw new Error(`real log line without a timestamp: ${text}`);
  const [, clientIp, day, month, year, hour, minute, second, offset] = match;
  const offsetMinutes = (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3)));
  const utcMillis = Date.UTC(Number(year), MONTHS.indexOf(month), Number(day), Number(hour), Number(minute), Number(second)) - offsetMinutes * 60_000 + SHIFT_MS;
  const start = text.indexOf("[");
  const end = text.indexOf("]", start);
  // The real log has a line or two cut short; a correct pipeline rejects them, so say which.
  return {utcMillis, clientIp, text: text.slice(0, start) + `[${apacheTime(utcMillis)}]` + text.slice(end + 1), parses: WELL_FORMED_COMBINED.test(text)};
}

/** Combined Log Format, strictly, as an independent check of which real lines are well formed. */
const WELL_FORMED_COMBINED = /^\S+ \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" \d{3} (?:\d+|-) "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*"$/;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Apache's %t in the servers' zone: 14/May/2023:15:35:03 +0530. */
export function apacheTime(utcMillis: number): string {
  const local = new Date(utcMillis + SERVER_OFFSET_MINUTES * 60_000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}:${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} +0530`;
}
