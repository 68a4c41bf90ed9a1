// The log formats users name, as Apache LogFormat strings, and the parser for a name or a string.
import {ConfigError, type WeblogConfig} from "../config.js";
import {compileLogFormat, isParseError, type LineParser, type LogFormatOptions} from "./log-format.js";

export const NAMED_FORMATS: Readonly<Record<string, string>> = {
  combined: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
  common: '%h %l %u %t "%r" %>s %b',
  vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  combinedio: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %I %O',
  // nginx's predefined `combined`: $remote_addr - $remote_user [$time_local] "$request" $status
  // $body_bytes_sent "$http_referer" "$http_user_agent", which is Apache's combined to the letter.
  nginx: '%h - %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
};

/**
 * Variants real servers write under the same name, tried in order when the first does not fit:
 * vhost_combined without the port (`%v %h …`), as Debian's and some distributions' configs log it.
 */
const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  vhost_combined: ['%v %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"'],
};

/**
 * The parser for a format name (see NAMED_FORMATS) or an Apache LogFormat string. Sync and
 * `weblog parse` both come here, with the configured time zone in `options`.
 */
export function lineParserFor(nameOrLogFormat: string, options: LogFormatOptions = {}): LineParser {
  if (nameOrLogFormat.includes("%")) return compileLogFormat(nameOrLogFormat, options);
  const format = NAMED_FORMATS[nameOrLogFormat];
  if (format === undefined) {
    throw new Error(`unknown log format "${nameOrLogFormat}": use one of ${Object.keys(NAMED_FORMATS).join(", ")}, or an Apache LogFormat string`);
  }
  const primary = compileLogFormat(format, options);
  const variants = (VARIANTS[nameOrLogFormat] ?? []).map((variant) => compileLogFormat(variant, options));
  if (variants.length === 0) return primary;
  return {
    format,
    parse(line) {
      const first = primary.parse(line);
      if (!isParseError(first)) return first;
      for (const variant of variants) {
        const parsed = variant.parse(line);
        if (!isParseError(parsed)) return parsed;
      }
      return first;
    },
  };
}

/** The parser for the configured logFormat and timeZone, or a ConfigError saying what to set. */
export function configuredLineParser(config: Pick<WeblogConfig, "logFormat" | "timeZone">): LineParser {
  try {
    return lineParserFor(config.logFormat, {timeZone: config.timeZone});
  } catch (error) {
    throw new ConfigError(`logFormat: ${(error as Error).message}`);
  }
}
