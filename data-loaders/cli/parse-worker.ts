// A worker thread of `weblog parse` (cli/parse-threads.ts): pieces of input in, their JSON lines
// out, each piece's bytes moved to the main thread and, once written, back, without a copy; with each piece's output
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

/** A piece's output, written out by the main thread: its buffer given back to be used again. */
export interface SpareTask {
  type: "spare";
  output: Uint8Array;
}

/** Its JSON lines, in an ArrayBuffer of their own (transferred), and what this thread learned. */
export interface PieceDone {
  id: number;
  output: Uint8Array;
  learned: LearnedJson;
}

const port = parentPort!;
const parser = await createPieceParser(workerData as ParseSettings);
port.on("message", (task: PieceTask | LearnTask | SpareTask) => {
  if (task.type === "learn") return parser.learn(task.learned);
  if (task.type === "spare") return parser.giveBack(task.output);
  const output = parser.parse(task.bytes, task.firstLine);
  port.postMessage({id: task.id, output, learned: parser.takeLearned()} satisfies PieceDone, [output.buffer as ArrayBuffer]);
});
