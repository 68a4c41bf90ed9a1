// `weblog parse`: access-log lines or S3 sink JSON records on stdin, one JSON object per input
// line on stdout with the columns of docs/data-dictionary.md. A line that does not parse prints
// {"error": …, "line": N} in its place, and the exit code stays 0.
import {createInterface} from "node:readline";
import {parseArgs} from "node:util";
import {loadConfig} from "../config.js";
import {geoIpPaths} from "../enrich/enrichers.js";
import {openGeoIp} from "../enrich/geoip.js";
import {createUserAgentClassifier} from "../enrich/user-agent.js";
import {EVENT_COLUMNS, type EventOrigin, type WeblogEvent} from "../event.js";
import {lineParserFor} from "../parse/formats.js";
import {isParseError} from "../parse/log-format.js";
import {decodeSinkRecord} from "../records/cloudwatch.js";
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
  const classifyUserAgent = createUserAgentClassifier();
  const out = new LineWriter(process.stdout);

  let lineNumber = 0;
  for await (const input of createInterface({input: process.stdin, crlfDelay: Infinity})) {
    lineNumber++;
    const origin = emptyOrigin();
    let line = input;
    // S3 sink records are JSON (an object, or a bare string); access-log lines never start with { or ".
    const first = input.trimStart()[0];
    if (first === "{" || first === '"') {
      const record = decodeSinkRecord(input);
      if ("error" in record) {
        await out.write(JSON.stringify({error: `record: ${record.error}`, line: lineNumber}));
        continue;
      }
      line = record.message;
      origin.ingest_ts = record.ingest_ts;
      origin.log_group = record.log_group;
      origin.log_stream = record.log_stream;
    }
    const parsed = parser.parse(line);
    if (isParseError(parsed)) {
      await out.write(JSON.stringify({error: parsed.error, line: lineNumber}));
      continue;
    }
    // ts is the log line's own time only (null for a format with no date); ingest_ts is CloudWatch's.
    const event: WeblogEvent = {...origin, ...parsed, ...classifyUserAgent(parsed.user_agent), ...geoip.lookup(parsed.client_ip)};
    await out.write(eventJson(event));
  }
  await out.end();
  return 0;
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({args, options: {format: {type: "string"}, geoip: {type: "string"}, asn: {type: "string"}}, strict: true, allowPositionals: false});
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function emptyOrigin(): EventOrigin {
  return {ingest_ts: null, log_group: null, log_stream: null, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null};
}

const TIMESTAMP_COLUMNS = new Set(EVENT_COLUMNS.filter((c) => c.type === "TIMESTAMP").map((c) => c.name));

/** The event with every column in contract order; timestamps as ISO 8601 UTC strings. */
export function eventJson(event: WeblogEvent): string {
  const ordered: Record<string, unknown> = {};
  for (const {name} of EVENT_COLUMNS) {
    const value = event[name];
    ordered[name] = TIMESTAMP_COLUMNS.has(name) && typeof value === "number" ? new Date(value).toISOString() : value ?? null;
  }
  return JSON.stringify(ordered);
}

/** Buffers output lines and respects stdout's back-pressure, so a large input never piles up in memory. */
class LineWriter {
  private buffer: string[] = [];
  private size = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}

  async write(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 1 << 16) await this.flush();
  }

  async end(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("\n") + "\n";
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise((resolve) => this.stream.once("drain", resolve));
  }
}
