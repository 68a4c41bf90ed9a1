// A worker thread of `weblog parse` (cli/parse-threads.ts): pieces of input in, their JSON lines
// out, each piece's bytes moved back to the main thread without a copy; with each piece's output
// goes the JSON it made for the agents and clients it met first, and it is given the other
// threads' in turn (cli/learned-json.ts).
import {parentPort, workerData} from "node:worker_threads";
import type {LearnedJson} from "./event-json.js";
import {createPieceParser, type ParseSettings} from "./piece-parser.js";

/** A piece to parse, from the main thread. */
export interface PieceTask {
  type: "piece";
  id: number;
  bytes: Uint8Array;
  firstLine: number;
}

/** What another thread learned, from the main thread. */
export interface LearnTask {
  type: "learn";
  learned: LearnedJson;
}

/** Its JSON lines, in an ArrayBuffer of their own (transferred), and what this thread learned. */
export interface PieceDone {
  id: number;
  output: Uint8Array;
  learned: LearnedJson;
}

const port = parentPort!;
const parser = await createPieceParser(workerData as ParseSettings);
port.on("message", (task: PieceTask | LearnTask) => {
  if (task.type === "learn") return parser.learn(task.learned);
  const written = parser.parse(task.bytes, task.firstLine);
  // The parser's buffer goes on being written: the piece's bytes leave in a copy of their own.
  const output = new Uint8Array(written.length);
  output.set(written);
  port.postMessage({id: task.id, output, learned: parser.takeLearned()} satisfies PieceDone, [output.buffer]);
});
