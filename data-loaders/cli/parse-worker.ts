// A worker thread of `weblog parse` (cli/parse-threads.ts): pieces of input in, their JSON lines
// out, each piece's bytes moved back to the main thread without a copy.
import {parentPort, workerData} from "node:worker_threads";
import {createPieceParser, type ParseSettings} from "./piece-parser.js";

/** A piece to parse, from the main thread. */
export interface PieceTask {
  id: number;
  bytes: Uint8Array;
  firstLine: number;
}

/** Its JSON lines, in an ArrayBuffer of their own (transferred). */
export interface PieceDone {
  id: number;
  output: Uint8Array;
}

const port = parentPort!;
const parsePiece = await createPieceParser(workerData as ParseSettings);
port.on("message", ({id, bytes, firstLine}: PieceTask) => {
  const written = parsePiece(bytes, firstLine);
  // The parser's buffer goes on being written: the piece's bytes leave in a copy of their own.
  const output = new Uint8Array(written.length);
  output.set(written);
  port.postMessage({id, output} satisfies PieceDone, [output.buffer]);
});
