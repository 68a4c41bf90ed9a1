// `weblog parse`: access-log lines or S3 sink JSON records on stdin, one JSON object per input
// line on stdout with the columns of docs/data-dictionary.md (EVENT_COLUMNS). A line that does not parse prints
// {"error": …, "line": N} in its place, and the exit code stays 0. The output is the same byte
// for byte on one thread or several.
import {once} from "node:events";
import {availableParallelism} from "node:os";
import {parseArgs} from "node:util";
import {loadConfig} from "../config.js";
import {geoIpPaths} from "../enrich/enrichers.js";
import {readGeoIpShared} from "../enrich/geoip.js";
import {lineParserFor} from "../parse/formats.js";
import {inputPieces} from "./input-pieces.js";
import {startParseThreads, type ParseThreads} from "./parse-threads.js";
import {createPieceParser, type ParseSettings, type PieceParser} from "./piece-parser.js";
import {UsageError} from "./usage-error.js";

/**
 * Stdin is parsed a piece of whole lines at a time (cli/input-pieces.ts), on worker threads from
 * the first full piece on. 256 KB to 1 MB measured alike on the 2-core machine
 * (docs/design-notes.md, Parsing); a piece is some 2,000 lines and 2 MB of output.
 */
export const PIECE_SIZE = 512 << 10;

/**
 * Pieces in flight (parsed or being parsed, not yet written) while the workers start: a worker
 * takes some 0.3 s of CPU to load and warm up before it answers for its first pieces, and with two
 * per thread in flight this thread waited for them, idle. Each waiting output is some 2 MB.
 */
const PIECES_IN_FLIGHT_AT_START = 8;

export async function runParse(args: string[]): Promise<number> {
  const {values} = parseCommandLine(args);
  const config = loadConfig();
  const format = values.format ?? "combined";
  try {
    lineParserFor(format, {timeZone: config.timeZone});
  } catch (error) {
    throw new UsageError(`--format: ${(error as Error).message}`);
  }
  const threads = threadCount(values.threads);
  const geoip = values.geoip ? {city: values.geoip, asn: values.asn ?? null} : {...(await geoIpPaths(config)), ...(values.asn ? {asn: values.asn} : {})};
  // On several threads the databases are read once, into memory the workers share.
  const settings: ParseSettings = {format, timeZone: config.timeZone, geoip, geoipBytes: threads > 1 ? await readGeoIpShared(geoip) : null, share: threads > 1};

  // Until more than a piece of input has come, pieces are parsed here: input of less than a piece
  // (or a log followed live, which comes a few lines at a time) should not pay for starting
  // workers. Then
  // this thread is one of `threads`: it takes a piece whenever each worker has two waiting, so
  // the workers never wait for work and one isolate fewer pays for starting (a worker costs
  // some 0.3 s of CPU to load, read GeoLite2 and warm up, which a loaded machine charges in full).
  let parsePiece: PieceParser | null = null;
  let workers: ParseThreads | null = null;
  // Each piece's output is written once it is parsed and the piece before it is written: in input
  // order, as soon as it can be. At most two pieces per thread wait (PIECES_IN_FLIGHT_AT_START
  // while the workers start): a slow reader of stdout holds up reading stdin rather than filling memory.
  let written = Promise.resolve();
  const waiting: Promise<void>[] = [];
  /** Whether a worker has given back a piece's output: it has started. */
  let workersAnswered = false;
  let bytesRead = 0;
  try {
    for await (const piece of inputPieces(process.stdin, PIECE_SIZE)) {
      bytesRead += piece.bytes.length;
      if (workers === null && (threads === 1 || bytesRead <= PIECE_SIZE)) {
        parsePiece ??= await createPieceParser(settings);
        await write(parsePiece.parse(piece.bytes, piece.firstLine), parsePiece);
        continue;
      }
      if (workers === null) {
        // Each thread hands the others the agents' and clients' JSON it made (cli/learned-json.ts),
        // so that a distinct value is classified and looked up about once, not once per thread.
        workers = startParseThreads(settings, threads - 1, (learned) => parsePiece?.learn(learned));
        if (parsePiece !== null) workers.share(parsePiece.takeLearned());
      }
      let output: Promise<Uint8Array> | Uint8Array;
      let maker: OutputMaker;
      if (workers.fewestWaiting() < 2) {
        output = workers.parse(piece);
        if (!workersAnswered) output.then(() => (workersAnswered = true), () => {});
        maker = workers;
      } else {
        parsePiece ??= await createPieceParser(settings);
        output = parsePiece.parse(piece.bytes, piece.firstLine);
        workers.share(parsePiece.takeLearned());
        maker = parsePiece;
      }
      written = written.then(async () => write(await output, maker));
      // A failure is seen when this piece's turn is awaited; until then it is not "unhandled".
      written.catch(() => {});
      waiting.push(written);
      // Until a worker answers, this thread goes on parsing the pieces the workers have no room for.
      const inFlight = workersAnswered ? 2 * threads : Math.max(2 * threads, PIECES_IN_FLIGHT_AT_START);
      while (waiting.length >= inFlight) await waiting.shift();
    }
    await written;
  } finally {
    await workers?.close();
  }
  return 0;
}

/** The thread that made a piece's output: its parser (this thread's) or the workers. */
type OutputMaker = Pick<PieceParser, "giveBack">;

/**
 * Hands a piece's output to stdout, and waits while stdout's queue is full (back-pressure). Once
 * stdout is done with the bytes, their buffer goes back to the thread that made them.
 */
async function write(output: Uint8Array, maker: OutputMaker): Promise<void> {
  if (output.length === 0) return maker.giveBack(output);
  if (!process.stdout.write(output, () => maker.giveBack(output))) await once(process.stdout, "drain");
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({args, options: {format: {type: "string"}, geoip: {type: "string"}, asn: {type: "string"}, threads: {type: "string"}}, strict: true, allowPositionals: false});
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * --threads N, by default one per core. On a quiet 2-core machine two threads read 1.3 to 1.6
 * times the lines per second of one; on a machine whose cores other work keeps busy a second
 * thread only adds CPU time (docs/design-notes.md, Parsing): `--threads 1` there.
 */
function threadCount(option: string | undefined): number {
  if (option === undefined) return availableParallelism();
  const count = Number(option);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--threads: expected a whole number of at least 1, found "${option}"`);
  return count;
}
