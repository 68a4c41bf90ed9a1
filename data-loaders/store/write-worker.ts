// A sync's writer thread (segment-writer.ts: writesOnWriterThread): writes each batch it is handed
// into the store's segments with a DuckDB and GeoLite2 readers of its own, and hands back what it
// wrote. Batches come one at a time (the sync's commit queue waits for each).
import {parentPort, workerData} from "node:worker_threads";
import {enrichmentWith} from "../enrich/enrichers.js";
import {openGeoIp} from "../enrich/geoip.js";
import {EventBatch} from "../write/event-batch.js";
import {closeDuckDB} from "../write/duckdb.js";
import {errorMessage} from "../worker-thread.js";
import {writeBatchSegments} from "./commit.js";
import {openCommitDuckDB} from "./commit-queue.js";
import type {WriteDone, WriterSettings, WriteTask} from "./segment-writer.js";

const {store, tempDirectory, geoip, geoipBytes} = workerData as WriterSettings;
const port = parentPort!;
const opened = (async () => {
  const duckdb = await openCommitDuckDB(tempDirectory);
  // The sync's thread's copy of the databases when it shared them: GeoLite2 City is some 60 MB.
  return {duckdb, enrichment: enrichmentWith(await openGeoIp(geoip, {bytes: geoipBytes ?? undefined}))};
})();
// A failure to open is each write's to report.
opened.catch(() => {});

port.on("message", (message: (WriteTask & {id: number}) | "close") => {
  if (message === "close") {
    opened.then(({duckdb}) => closeDuckDB(duckdb)).finally(() => port.close());
    return;
  }
  const {id, parts, daysAtOnce} = message;
  opened
    .then(({duckdb, enrichment}) => writeBatchSegments(store, duckdb, new EventBatch(parts), enrichment, {daysAtOnce}))
    .then(
      (written) => port.postMessage({id, answer: written} satisfies WriteDone),
      (error: unknown) => port.postMessage({id, error: errorMessage(error)} satisfies WriteDone),
    );
});
