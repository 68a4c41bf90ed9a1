// Where a sync's batches are written into the store's segments (commit.ts: writeBatchSegments):
// the batch's rows put in order, enriched once per distinct client and agent, and copied a day
// per file by DuckDB reading them through a table function (write/rows-function.ts). On this
// thread, or on a writer thread of its own: a large sync's critical path on two cores is this
// thread, parsing, and a batch's write (docs/design-notes.md, "Ingest, third round" and after)
// then runs beside the next batch's parsing instead of before it. The batch crosses with its
// columns moved, not copied, and its distinct values once; the writer thread has its own DuckDB and its own GeoLite2 readers. The
// manifest stays this thread's: the writer hands back the segments it renamed into place, and
// only the commit names them (a sync killed between the two leaves files the next one removes).
import type {DuckDBConnection} from "@duckdb/node-api";
import type {Enrichment} from "../enrich/enrichers.js";
import type {GeoIpBytes, GeoIpPaths} from "../enrich/geoip.js";
import type {BatchParts, EventBatch} from "../write/event-batch.js";
import type {ParquetOptions} from "../write/parquet.js";
import {startWorkerThread, WorkerTasks, type WorkerAnswer} from "../worker-thread.js";
import {writeBatchSegments, type WrittenSegment} from "./commit.js";

export interface SegmentWriter {
  /** Writes the batch's segments into the store (renamed into place, not yet in the manifest). */
  write(batch: EventBatch, options: Pick<ParquetOptions, "storedEventIds" | "daysAtOnce">): Promise<WrittenSegment[]>;
  /** Ends the writer thread, when there is one, once its last write is done. */
  close(): Promise<void>;
}

/** Writes with `duckdb` and `enrichment`, on this thread. */
export function writesOnThisThread(store: string, duckdb: DuckDBConnection, enrichment: Enrichment): SegmentWriter {
  return {write: (batch, options) => writeBatchSegments(store, duckdb, batch, enrichment, options), close: async () => {}};
}

/** What the writer thread opens for itself: the store, where its DuckDB spills, and the GeoLite2 databases this thread's enrichment opened. */
export interface WriterSettings {
  store: string;
  tempDirectory: string;
  geoip: GeoIpPaths;
  /** The databases' bytes, shared with the sync's thread (Enrichment's geoip.bytes); null: the thread reads the files. */
  geoipBytes: GeoIpBytes | null;
}

/** A batch for the writer thread to write. */
export interface WriteTask {
  parts: BatchParts;
  daysAtOnce: number | undefined;
}

/** What it wrote, or the error's message. */
export type WriteDone = WorkerAnswer<WrittenSegment[]>;

/**
 * Writes on a thread of its own, its DuckDB spilling to `tempDirectory`, enriching with the
 * GeoLite2 databases `enrichment` opened (enrichmentWith). The batch handed to `write` is emptied
 * of its columns.
 */
export function writesOnWriterThread(store: string, tempDirectory: string, enrichment: Enrichment): SegmentWriter {
  const settings: WriterSettings = {store, tempDirectory, geoip: {city: enrichment.geoip.city?.path ?? null, asn: enrichment.geoip.asn?.path ?? null}, geoipBytes: enrichment.geoip.bytes};
  const worker = startWorkerThread({name: "write-worker", source: new URL("./write-worker.ts", import.meta.url)}, settings);
  const writes = new WorkerTasks<WriteTask, WrittenSegment[]>(worker, "the writer thread");
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    write(batch, {storedEventIds, daysAtOnce}) {
      // The Firehose and export-task loops ask it of every commit, and write on the sync's own thread.
      if (storedEventIds) return Promise.reject(new Error("writesOnWriterThread: stored event ids are looked up on the sync's own thread"));
      const {parts, transfer} = batch.parts();
      return writes.ask({parts, daysAtOnce}, transfer);
    },
    async close() {
      // Asked to close, the thread closes its DuckDB and ends once nothing is left for it to do.
      worker.postMessage("close");
      await exited;
    },
  };
}
