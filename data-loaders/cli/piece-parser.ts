// The work of one thread of `weblog parse`: a piece of input (whole lines, cli/input-pieces.ts)
// in, its JSON lines out as bytes. Each thread has its own parser, GeoLite2 reader, agent
// classifier and JSON encoder (with their caches), made from settings plain enough to be sent to
// a worker. A piece is handled in one synchronous pass, its JSON encoded into bytes as it is made
// (cli/output-bytes.ts): no promise, and no object beyond the parser's, per line.
import {openGeoIp, type GeoIpPaths} from "../enrich/geoip.js";
import {createUserAgentClassifier} from "../enrich/user-agent.js";
import type {EventOrigin} from "../event.js";
import {lineParserFor} from "../parse/formats.js";
import {isParseError} from "../parse/log-format.js";
import {decodeSinkRecord} from "../records/cloudwatch.js";
import {createEventJsonEncoder} from "./event-json.js";
import {pieceLines} from "./input-pieces.js";
import {createOutputBytes} from "./output-bytes.js";

/** What every thread needs to parse as the command was asked to (structured-cloneable). */
export interface ParseSettings {
  /** A format name or an Apache LogFormat string, already checked by lineParserFor. */
  format: string;
  timeZone: string | null;
  geoip: GeoIpPaths;
}

/**
 * A piece's lines as JSON lines, one per input line (an error object in place of a line that
 * does not parse), numbered from `firstLine`. The parser never writes over the bytes it returned.
 */
export type PieceParser = (piece: Uint8Array, firstLine: number) => Buffer;

export async function createPieceParser(settings: ParseSettings): Promise<PieceParser> {
  const parser = lineParserFor(settings.format, {timeZone: settings.timeZone});
  const geoip = await openGeoIp(settings.geoip);
  const out = createOutputBytes();
  const writeEvent = createEventJsonEncoder(out, {classifyUserAgent: createUserAgentClassifier(), lookupGeo: geoip.lookup});

  return (piece, firstLine) => {
    const lines = pieceLines(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength).toString("utf8"));
    for (let i = 0; i < lines.length; i++) {
      const input = lines[i];
      let line = input;
      let origin = NO_ORIGIN;
      // S3 sink records are JSON (an object, or a bare string); access-log lines never start with { or ".
      const first = firstNonBlank(input);
      if (first === "{" || first === '"') {
        const record = decodeSinkRecord(input);
        if ("error" in record) {
          out.text(JSON.stringify({error: `record: ${record.error}`, line: firstLine + i}));
          out.newline();
          continue;
        }
        line = record.message;
        origin = {ingest_ts: record.ingest_ts, log_group: record.log_group, log_stream: record.log_stream, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null};
      }
      const parsed = parser.parse(line);
      if (isParseError(parsed)) out.text(JSON.stringify({error: parsed.error, line: firstLine + i}));
      else writeEvent(origin, parsed);
      out.newline();
    }
    return out.take();
  };
}

const NO_ORIGIN: Readonly<EventOrigin> = Object.freeze({ingest_ts: null, log_group: null, log_stream: null, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null});

/** The line's first character that is not white space (what trimStart leaves first), or "". */
function firstNonBlank(line: string): string {
  const code = line.charCodeAt(0);
  // Printable ASCII other than the space is never white space: the answer for nearly every line.
  if (code > 32 && code < 127) return line[0];
  return line.trimStart()[0] ?? "";
}
