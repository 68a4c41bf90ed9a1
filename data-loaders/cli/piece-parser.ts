// The work of one thread of `weblog parse`: a piece of input (whole lines, cli/input-pieces.ts)
// in, its JSON lines out as bytes. Each thread has its own parser, GeoLite2 reader, agent
// classifier and JSON encoder (with their caches), made from settings plain enough to be sent to
// a worker. What one thread made for the values it met first it can hand to the others
// (cli/learned-json.ts), so that each distinct agent and client is classified and looked up about
// once, not once per thread. A piece is handled in one synchronous pass, its JSON encoded into bytes as it is made
// (cli/output-bytes.ts): no promise, and no object beyond the parser's, per line.
import {openGeoIp, type GeoIpBytes, type GeoIpPaths} from "../enrich/geoip.js";
import {createUserAgentClassifier} from "../enrich/user-agent.js";
import type {EventOrigin} from "../event.js";
import {lineParserFor} from "../parse/formats.js";
import {isParseError} from "../parse/log-format.js";
import {decodeSinkRecord} from "../records/cloudwatch.js";
import {createEventJsonEncoder, type LearnedJson} from "./event-json.js";
import {decodedPieceLines} from "./input-pieces.js";
import {createOutputBytes} from "./output-bytes.js";

/** What every thread needs to parse as the command was asked to (structured-cloneable). */
export interface ParseSettings {
  /** A format name or an Apache LogFormat string, already checked by lineParserFor. */
  format: string;
  timeZone: string | null;
  geoip: GeoIpPaths;
  /** The databases' bytes, read once for every thread (shared memory), or null: each reads its own. */
  geoipBytes: GeoIpBytes | null;
  /** Whether other threads parse too: then what this one makes is kept for takeLearned. */
  share: boolean;
}

export interface PieceParser {
  /**
   * A piece's lines as JSON lines, one per input line (an error object in place of a line that
   * does not parse), numbered from `firstLine`, in an ArrayBuffer of their own (it can be
   * transferred to another thread). The bytes are the caller's until it gives their buffer back.
   */
  parse(piece: Uint8Array, firstLine: number): Uint8Array;
  /** An output parse returned, written out and no longer used: later pieces' output goes into its buffer. */
  giveBack(output: Uint8Array): void;
  /** The agents' and clients' JSON made since the last call, for the other threads (with `share`). */
  takeLearned(): LearnedJson;
  /** Another thread's, used from the next piece on. */
  learn(learned: LearnedJson): void;
}

export async function createPieceParser(settings: ParseSettings): Promise<PieceParser> {
  const parser = lineParserFor(settings.format, {timeZone: settings.timeZone});
  const geoip = await openGeoIp(settings.geoip, settings.geoipBytes === null ? {} : {bytes: settings.geoipBytes});
  // Each piece's output is copied out of this one buffer into a buffer the caller gives back once
  // written: on 500,000 lines a fresh buffer per piece or two was 0.3–0.4 s of page faults.
  const out = createOutputBytes(undefined, {copiedOut: true});
  const spare: ArrayBuffer[] = [];
  const ownBuffer = (written: Uint8Array): Uint8Array => {
    let buffer = spare.pop();
    while (buffer !== undefined && buffer.byteLength < written.length) buffer = spare.pop();
    // Room to spare: pieces' outputs differ a little in size, and a buffer should fit the next ones.
    buffer ??= new ArrayBuffer(written.length + (written.length >> 3));
    const bytes = new Uint8Array(buffer, 0, written.length);
    bytes.set(written);
    return bytes;
  };
  const encoder = createEventJsonEncoder(out, {classifyUserAgent: createUserAgentClassifier(), lookupGeo: geoip.lookup}, {share: settings.share});
  const writeEvent = encoder.write;

  const parse = (piece: Uint8Array, firstLine: number): Uint8Array => {
    const lines = decodedPieceLines(piece);
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
    return ownBuffer(out.take());
  };
  const giveBack = (output: Uint8Array): void => void spare.push(output.buffer as ArrayBuffer);
  return {parse, giveBack, takeLearned: encoder.takeLearned, learn: encoder.learn};
}

const NO_ORIGIN: Readonly<EventOrigin> = Object.freeze({ingest_ts: null, log_group: null, log_stream: null, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null});

/** The line's first character that is not white space (what trimStart leaves first), or "". */
function firstNonBlank(line: string): string {
  const code = line.charCodeAt(0);
  // Printable ASCII other than the space is never white space: the answer for nearly every line.
  if (code > 32 && code < 127) return line[0];
  return line.trimStart()[0] ?? "";
}
