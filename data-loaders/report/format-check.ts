// Whether a file's lines are of the log format asked for, from its first lines: a file that is
// mostly something else (another format, an error log, not text) stops the report with one line
// saying which format to try, rather than filling Data quality with every line of it.
import {lineParserFor, NAMED_FORMATS} from "../parse/formats.js";
import {isParseError, type LineParser} from "../parse/log-format.js";

/** Lines looked at per file. */
export const SAMPLE_LINES = 100;

export interface FormatMismatch {
  /** Lines looked at, and how many of them did not parse. */
  lines: number;
  failed: number;
  /** The named format that parses most of them, when one parses most. */
  suggestion: string | null;
}

/** The first complete non-blank lines of a file's first bytes (at most SAMPLE_LINES). */
export function sampleLines(head: Buffer, final: boolean): string[] {
  const end = final ? head.length : head.lastIndexOf(0x0a) + 1;
  // Bytes that are not UTF-8 become U+FFFD: such lines do not parse, as a binary file's do not.
  return head.subarray(0, end).toString("utf8").split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "").slice(0, SAMPLE_LINES);
}

/** Null when more than half the lines parse with `parser`; else how many did not, and a format that fits better. */
export function checkFormat(lines: readonly string[], parser: LineParser, formatName: string): FormatMismatch | null {
  const failed = countFailures(lines, parser);
  if (lines.length === 0 || failed * 2 < lines.length) return null;
  let suggestion: string | null = null;
  let fewest = failed;
  for (const name of Object.keys(NAMED_FORMATS)) {
    if (name === formatName) continue;
    const n = countFailures(lines, lineParserFor(name));
    if (n * 2 < lines.length && n < fewest) [suggestion, fewest] = [name, n];
  }
  return {lines: lines.length, failed, suggestion};
}

function countFailures(lines: readonly string[], parser: LineParser): number {
  let failed = 0;
  for (const line of lines) if (isParseError(parser.parse(line))) failed++;
  return failed;
}
