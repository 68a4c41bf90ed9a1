// `weblog parse`: access-log lines or S3 sink JSON records on stdin, one JSON object per input
// line on stdout with the columns of docs/data-dictionary.md (EVENT_COLUMNS). A line that does not parse prints
// {"error": …, "line": N} in its place, and the exit code stays 0.
import {once} from "node:events";
import {parseArgs} from "node:util";
import {loadConfig} from "../config.js";
import {geoIpPaths} from "../enrich/enrichers.js";
import {openGeoIp} from "../enrich/geoip.js";
import {createUserAgentClassifier} from "../enrich/user-agent.js";
import type {EventOrigin} from "../event.js";
import {lineParserFor} from "../parse/formats.js";
import {isParseError} from "../parse/log-format.js";
import {decodeSinkRecord} from "../records/cloudwatch.js";
import {createEventJsonEncoder} from "./event-json.js";
import {createOutputBytes} from "./output-bytes.js";
import {inputLines} from "./input-lines.js";
import {UsageError} from "./usage-error.js";

export async function runParse(args: string[]): Promise<number> {
  const {values} = parseCommandLine(args);
  const config = loadConfig();
  let parser;
  try {
    parser = lineParserFor(values.format ?? "combined", {timeZone: config.timeZone});
  } catch (error) {
    throw new UsageError(`--format: ${(error as Error).message}`);
  }
  const paths = values.geoip ? {city: values.geoip, asn: values.asn ?? null} : {...(await geoIpPaths(config)), ...(values.asn ? {asn: values.asn} : {})};
  const geoip = await openGeoIp(paths);
  // Each chunk of stdin is handled in one synchronous pass, its JSON encoded into bytes as it is
  // made (cli/output-bytes.ts) and handed to stdout with one call: no promise, and no object
  // beyond the parser's, per line.
  const out = createOutputBytes();
  const writeEvent = createEventJsonEncoder(out, {classifyUserAgent: createUserAgentClassifier(), lookupGeo: geoip.lookup});
  let lineNumber = 0;
  for await (const lines of inputLines(process.stdin)) {
    for (const input of lines) {
      lineNumber++;
      let line = input;
      let origin = NO_ORIGIN;
      // S3 sink records are JSON (an object, or a bare string); access-log lines never start with { or ".
      const first = firstNonBlank(input);
      if (first === "{" || first === '"') {
        const record = decodeSinkRecord(input);
        if ("error" in record) {
          out.text(JSON.stringify({error: `record: ${record.error}`, line: lineNumber}));
          out.newline();
          continue;
        }
        line = record.message;
        origin = {ingest_ts: record.ingest_ts, log_group: record.log_group, log_stream: record.log_stream, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null};
      }
      const parsed = parser.parse(line);
      if (isParseError(parsed)) out.text(JSON.stringify({error: parsed.error, line: lineNumber}));
      else writeEvent(origin, parsed);
      out.newline();
    }
    // Back-pressure: a slow reader of stdout holds up reading stdin rather than filling memory.
    const bytes = out.take();
    if (bytes.length > 0 && !process.stdout.write(bytes)) await once(process.stdout, "drain");
  }
  return 0;
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({args, options: {format: {type: "string"}, geoip: {type: "string"}, asn: {type: "string"}}, strict: true, allowPositionals: false});
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const NO_ORIGIN: Readonly<EventOrigin> = Object.freeze({ingest_ts: null, log_group: null, log_stream: null, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null});

/** The line's first character that is not white space (what trimStart leaves first), or "". */
function firstNonBlank(line: string): string {
  const code = line.charCodeAt(0);
  // Printable ASCII other than the space is never white space: the answer for nearly every line.
  if (code > 32 && code < 127) return line[0];
  return line.trimStart()[0] ?? "";
}
