// A worker thread started from one of the library's own entries (`weblog parse`'s parsers,
// cli/parse-worker.ts; a sync's S3 reader, sources/read-worker.ts), whether the library runs
// bundled or from its TypeScript sources.
import {Worker} from "node:worker_threads";

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
  if (!import.meta.url.endsWith(".ts")) {
    const bundled = new URL(`./${entry.name}.mjs`, import.meta.url).href;
    return new Worker(`import("node:module").then(({default: module}) => (module.enableCompileCache?.(), import(${JSON.stringify(bundled)})));`, {eval: true, workerData});
  }
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(`import(${JSON.stringify(tsx)}).then(({register}) => (register(), import(${JSON.stringify(entry.source.href)})));`, {eval: true, workerData});
}
