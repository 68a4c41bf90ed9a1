// Which parser reads an event's line: a fleet mixes formats (one application logs %D, another
// vhost_combined), so `logFormats` gives the format of a log group, a log stream, or one stream of
// one group, and `logFormat` every other. Every parser is compiled at start, so a format that
// cannot be read (or local time with no timeZone) is refused before anything is listed.
import {ConfigError, type LogFormatRule, type WeblogConfig} from "../config.js";
import {lineParserFor} from "./formats.js";
import type {LineParser} from "./log-format.js";

/** The parser for each instance's lines. */
export interface InstanceParsers {
  /** The parser of an event from this log group and stream (either may be unknown: null). */
  parserFor(logGroup: string | null, logStream: string | null): LineParser;
}

/** One parser for every instance: a single format, as `weblog parse --format` or `weblog report --format`. */
export function everyInstance(parser: LineParser): InstanceParsers {
  return {parserFor: () => parser};
}

interface CompiledRule {
  logGroup: string | null;
  logStream: string | null;
  parser: LineParser;
}

/**
 * The configured parsers. Of the rules that match, the most specific wins: group and stream,
 * then stream alone, then group alone; among equals, the first listed. No rule: logFormat.
 */
export function configuredInstanceParsers(config: Pick<WeblogConfig, "logFormat" | "logFormats" | "timeZone">): InstanceParsers {
  const fallback = compile(config.logFormat, config.timeZone, "logFormat");
  if (config.logFormats.length === 0) return everyInstance(fallback);
  const rules: CompiledRule[] = config.logFormats
    .map((rule, i) => ({logGroup: rule.logGroup, logStream: rule.logStream, parser: compile(rule.format, config.timeZone, ruleName(rule, i))}))
    .map((rule, i) => ({rule, i}))
    .sort((a, b) => specificity(b.rule) - specificity(a.rule) || a.i - b.i)
    .map(({rule}) => rule);
  // Lines come in runs from one instance (an object holds one topic): remember the last answer,
  // and every answer by group and stream, so the hot loop pays one comparison per line.
  const chosen = new Map<string, LineParser>();
  let lastGroup: string | null | undefined;
  let lastStream: string | null | undefined;
  let last = fallback;
  return {
    parserFor(logGroup, logStream) {
      if (logGroup === lastGroup && logStream === lastStream) return last;
      const key = `${logGroup ?? ""}\u0000${logStream ?? ""}`;
      let parser = chosen.get(key);
      if (parser === undefined) {
        parser = rules.find((r) => (r.logGroup === null || r.logGroup === logGroup) && (r.logStream === null || r.logStream === logStream))?.parser ?? fallback;
        chosen.set(key, parser);
      }
      lastGroup = logGroup;
      lastStream = logStream;
      last = parser;
      return parser;
    },
  };
}

function specificity(rule: {logGroup: string | null; logStream: string | null}): number {
  return (rule.logStream !== null ? 2 : 0) + (rule.logGroup !== null ? 1 : 0);
}

function ruleName(rule: LogFormatRule, i: number): string {
  const names = [rule.logGroup !== null ? `logGroup "${rule.logGroup}"` : null, rule.logStream !== null ? `logStream "${rule.logStream}"` : null].filter(Boolean);
  return `logFormats[${i}] (${names.join(", ")})`;
}

function compile(format: string, timeZone: string | null, setting: string): LineParser {
  try {
    return lineParserFor(format, {timeZone});
  } catch (error) {
    throw new ConfigError(`${setting}: ${(error as Error).message}`);
  }
}
