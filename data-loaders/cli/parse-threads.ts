// The worker threads of `weblog parse`: each parses whole pieces of input (cli/parse-worker.ts)
// with its own parser, GeoLite2 reader and caches, so that every core of the machine works on
// the stream (the main thread parses too: cli/parse.ts). Pieces go to the worker with the fewest waiting; their bytes move both ways
// without a copy. What a worker learned (the JSON of the agents and clients it met first) goes to
// the other workers and to the caller. Putting the output back in input order is the caller's
// (cli/parse.ts).
import type {Worker} from "node:worker_threads";
import {startWorkerThread} from "../worker-thread.js";
import type {InputPiece} from "./input-pieces.js";
import type {LearnedJson} from "./event-json.js";
import type {LearnTask, PieceDone, PieceTask, SpareTask} from "./parse-worker.js";
import type {ParseSettings} from "./piece-parser.js";

export interface ParseThreads {
  /** The piece's JSON lines, once a worker has parsed them. The piece's bytes are moved to the worker. */
  parse(piece: InputPiece): Promise<Uint8Array>;
  /** The fewest pieces any worker has waiting (being parsed or queued). */
  fewestWaiting(): number;
  /** Gives every worker what the caller's own parser learned. */
  share(learned: LearnedJson): void;
  /** Gives a piece's output back to the worker that made it, once written, for later pieces' output. */
  giveBack(output: Uint8Array): void;
  /** Stops the workers. */
  close(): Promise<void>;
}

interface Waiting {
  resolve(output: Uint8Array): void;
  reject(error: unknown): void;
}

/** `learnedElsewhere` is given what each worker learned, as the other workers are. */
export function startParseThreads(settings: ParseSettings, count: number, learnedElsewhere: (learned: LearnedJson) => void): ParseThreads {
  // After one worker fails, no piece is sent anywhere: the command stops with that error.
  let failure: unknown = null;
  /** The worker each output's buffer came from, until it goes back. */
  const madeBy = new WeakMap<ArrayBufferLike, Worker>();
  const threads = Array.from({length: count}, () => {
    const worker = startWorkerThread({name: "parse-worker", source: new URL("./parse-worker.ts", import.meta.url)}, settings);
    const waiting = new Map<number, Waiting>();
    const failAll = (error: unknown) => {
      failure ??= error;
      for (const task of waiting.values()) task.reject(error);
      waiting.clear();
    };
    worker.on("message", ({id, output, learned}: PieceDone) => {
      const task = waiting.get(id)!;
      waiting.delete(id);
      madeBy.set(output.buffer, worker);
      task.resolve(output);
      if (isEmpty(learned)) return;
      learnedElsewhere(learned);
      for (const other of threads) if (other.worker !== worker) teach(other.worker, learned);
    });
    worker.on("error", failAll);
    worker.on("exit", (code) => failAll(new Error(`a parse worker stopped (exit code ${code})`)));
    return {worker, waiting};
  });
  let nextId = 0;

  return {
    parse(piece) {
      if (failure !== null) return Promise.reject(failure);
      const thread = threads.reduce((least, other) => (other.waiting.size < least.waiting.size ? other : least));
      const id = nextId++;
      const done = new Promise<Uint8Array>((resolve, reject) => thread.waiting.set(id, {resolve, reject}));
      // A failure is the caller's to see when it awaits this piece; until then it is not "unhandled".
      done.catch(() => {});
      const {bytes, firstLine} = piece;
      thread.worker.postMessage({type: "piece", id, bytes, firstLine} satisfies PieceTask, [bytes.buffer as ArrayBuffer]);
      return done;
    },
    share(learned) {
      if (failure !== null || isEmpty(learned)) return;
      for (const {worker} of threads) teach(worker, learned);
    },
    giveBack(output) {
      const worker = madeBy.get(output.buffer);
      if (worker === undefined || failure !== null) return;
      madeBy.delete(output.buffer);
      worker.postMessage({type: "spare", output} satisfies SpareTask, [output.buffer as ArrayBuffer]);
    },
    fewestWaiting() {
      return Math.min(...threads.map((thread) => thread.waiting.size));
    },
    async close() {
      failure ??= new Error("the parse workers were stopped");
      await Promise.all(threads.map(({worker}) => worker.terminate()));
    },
  };
}

/** Copied to the worker (never transferred: the sender and the other workers keep it too). */
function teach(worker: Worker, learned: LearnedJson): void {
  worker.postMessage({type: "learn", learned} satisfies LearnTask);
}

function isEmpty(learned: LearnedJson): boolean {
  return learned.agent.keys.length === 0 && learned.geo.keys.length === 0;
}
