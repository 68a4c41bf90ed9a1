// A worker thread started from one of the library's own entries (`weblog parse`'s parsers,
// cli/parse-worker.ts; a sync's S3 reader, read-worker.ts), whether the library runs
// bundled or from its TypeScript sources.
import {setFlagsFromString} from "node:v8";
import {Worker, type Transferable} from "node:worker_threads";

/**
 * Where a worker's heap first runs a full collection, in MB (V8's flag, read as each thread's heap
 * is made). A reader or writer thread's heap is small (9 MB at most) and its work is memory
 * outside the heap (objects' bytes, columns); V8 counts that memory against the heap's small first
 * limit, so the reader thread of a sync of 1M events ran 38–68 full collections (0.5 s of CPU and
 * more on the marking threads), and none with this (the writer thread two).
 */
const WORKER_INITIAL_OLD_SPACE_MB = 128;
let workerHeapsSet = false;

/** A worker's entry: its file in the bundle (`<name>.mjs`, scripts/bundle-cli.ts) and its source. */
export interface WorkerEntry {
  name: string;
  source: URL;
}

/**
 * Bundled (bin/bundle/), this module is a chunk beside each entry's own file. Run from the
 * TypeScript sources (tsx), the worker starts from the entry's source, registering tsx first: a
 * worker does not inherit the loader the main thread registered. Bundled, on Node 22.1 and later
 * the worker's code loads from V8's compile cache, as bin/weblog.js does for the main thread (the
 * call applies to the thread that makes it, so the worker makes its own before importing).
 */
export function startWorkerThread(entry: WorkerEntry, workerData: unknown): Worker {
  if (!workerHeapsSet) {
    // Process-wide, but only heaps made from now on read it: this thread's is made already.
    setFlagsFromString(`--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`);
    workerHeapsSet = true;
  }
  if (!import.meta.url.endsWith(".ts")) {
    const bundled = new URL(`./${entry.name}.mjs`, import.meta.url).href;
    return new Worker(`import("node:module").then(({default: module}) => (module.enableCompileCache?.(), import(${JSON.stringify(bundled)})));`, {eval: true, workerData});
  }
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(`import(${JSON.stringify(tsx)}).then(({register}) => (register(), import(${JSON.stringify(entry.source.href)})));`, {eval: true, workerData});
}

/** A worker thread's answer to a task (WorkerTasks): what it gave, or its error's message; `id` says which task. */
export type WorkerAnswer<Answer> = {id: number; answer: Answer} | {id: number; error: string};

/** The error's message, for a WorkerAnswer. */
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Tasks handed to a worker thread, each sent with an id and answered once by a WorkerAnswer of that
 * id. The thread's error or exit fails every task still waiting and every one asked after;
 * `stop` does the same when the caller ends it.
 */
export class WorkerTasks<Task extends object, Answer> {
  private readonly waiting = new Map<number, {done: (answer: Answer) => void; fail: (error: Error) => void}>();
  private nextId = 0;
  private stopped: Error | null = null;

  /** `name` says the thread in an error ("the S3 reader thread"); `failure` makes the error of an answer's message. */
  constructor(
    private readonly worker: Worker,
    name: string,
    failure: (message: string) => Error = (message) => new Error(message),
  ) {
    worker.on("message", (message: WorkerAnswer<Answer>) => {
      const task = this.waiting.get(message.id);
      if (task === undefined) return;
      this.waiting.delete(message.id);
      if ("error" in message) task.fail(failure(message.error));
      else task.done(message.answer);
    });
    worker.on("error", (error) => this.stop(error));
    worker.on("exit", (code) => this.stop(new Error(`${name} stopped (exit code ${code})`)));
  }

  /** Sends `task` (its `transfer` buffers moved, not copied) and gives its answer. */
  ask(task: Task, transfer: Transferable[] = []): Promise<Answer> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((done, fail) => {
      this.waiting.set(id, {done, fail});
      this.worker.postMessage({...task, id}, transfer);
    });
  }

  /** Fails every task waiting, and every one asked from now on, with `error`. */
  stop(error: Error): void {
    this.stopped ??= error;
    for (const {fail} of this.waiting.values()) fail(this.stopped);
    this.waiting.clear();
  }
}
