// Sync's parse side in a worker thread (WEBLOG_PARSE_WORKER=1), while the main thread reads S3,
// keeps the offset ledger, appends the parsed pieces to its batch and commits (DuckDB writes on
// its own threads). Objects come back parsed in the order they were sent, and a parse failure is
// thrown where its object is awaited, as a parse in the main thread throws it.
import {Worker} from "node:worker_threads";
import type {ParsedSinkObject, ParseSettings, SinkObjectJob} from "./sink-object-parser.js";

export interface SinkObjectParsing {
  /**
   * The object parsed; objects are parsed in the order of these calls. A failure is thrown where
   * the promise is awaited, never as an unhandled rejection while it waits its turn.
   */
  parse(job: SinkObjectJob): Promise<ParsedSinkObject>;
  /** Ends the batch after the objects sent so far: the next object starts a new one (as the writing side commits). */
  endBatch(): void;
  close(): Promise<void>;
}

export type ParseWorkerRequest = {kind: "parse"; job: SinkObjectJob} | {kind: "end-batch"};
export type ParseWorkerReply = {kind: "parsed"; parsed: ParsedSinkObject} | {kind: "failed"; name: string; message: string; stack: string};

/** The parse side in a worker thread of its own; close it when the sync ends. */
export function parseInWorker(settings: ParseSettings, batchEvents: number): SinkObjectParsing {
  const worker = startWorker({settings, batchEvents});
  const waiting: {resolve(parsed: ParsedSinkObject): void; reject(error: Error): void}[] = [];
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on("message", (reply: ParseWorkerReply) => {
    const next = waiting.shift();
    if (next === undefined) return;
    if (reply.kind === "parsed") next.resolve(reply.parsed);
    else next.reject(Object.assign(new Error(reply.message), {name: reply.name, stack: reply.stack}));
  });
  worker.on("error", (error) => failAll(error));
  worker.on("exit", (code) => failAll(new Error(`the parse worker stopped (exit code ${code})`)));
  return {
    parse(job) {
      if (failure !== null) {
        const failed = Promise.reject(failure);
        failed.catch(() => {});
        return failed;
      }
      let settle!: (typeof waiting)[number];
      const parsed = new Promise<ParsedSinkObject>((resolve, reject) => (settle = {resolve, reject}));
      parsed.catch(() => {});
      // The bytes move to the worker when they own their memory whole (else they are copied: a
      // Buffer from Node's pool shares its memory with others).
      const transfer = [job.bytes, job.keyBytes].filter((b): b is Uint8Array => b !== null && b.byteLength > 0 && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength).map((b) => b.buffer as ArrayBuffer);
      worker.postMessage({kind: "parse", job} satisfies ParseWorkerRequest, transfer);
      // Waiting only once sent: replies come in the order of the objects sent.
      waiting.push(settle);
      return parsed;
    },
    endBatch() {
      worker.postMessage({kind: "end-batch"} satisfies ParseWorkerRequest);
    },
    async close() {
      failure ??= new Error("the parse worker was closed");
      await worker.terminate();
    },
  };
}

/**
 * The worker runs sink-object-worker's JavaScript beside this module in the command's bundle
 * (bin/bundle/, scripts/bundle-cli.ts), or its TypeScript through tsx when this module runs
 * from source: a worker does not inherit the loader that compiles it, so it registers tsx itself.
 */
function startWorker(workerData: {settings: ParseSettings; batchEvents: number}): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./sink-object-worker.mjs", import.meta.url), {workerData});
  const tsx = import.meta.resolve("tsx/esm/api");
  const script = new URL("./sink-object-worker.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({register}) => { register(); return import(${JSON.stringify(script)}); })`;
  return new Worker(bootstrap, {eval: true, workerData});
}
