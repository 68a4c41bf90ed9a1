// `weblog sync`: take what is new in the bucket into the local Parquet store, and mark the
// site's data loaders stale so the next build re-exports the store. Always, not only when the
// store changed: the loader cache may hold another store's data (the demo's, say).
// `weblog compact`: merge the store's segments into one.
import {parseArgs} from "node:util";
import {loadConfig} from "../config.js";
import {markSiteDataStale} from "../site-loaders.js";
import {compactStore} from "../store/compact.js";
import {DEFAULT_BATCH_EVENTS, syncStore, type SyncResult} from "../sync.js";
import {UsageError} from "./usage-error.js";

export async function runSync(args: string[]): Promise<number> {
  const {values} = parseOptions(args, {"batch-events": {type: "string"}});
  const batchEvents = positiveInteger(values["batch-events"], "--batch-events") ?? DEFAULT_BATCH_EVENTS;
  const config = loadConfig();
  const started = performance.now();
  const result = await syncStore(config, {log: (message) => console.error(message), batchEvents});
  await markSiteDataStale(process.cwd());
  console.error(summary(result, performance.now() - started));
  return 0;
}

export async function runCompact(args: string[]): Promise<number> {
  parseOptions(args, {});
  const config = loadConfig();
  const result = await compactStore(config.store);
  console.error(`compact: ${result.segmentsBefore} segments → ${result.segmentsAfter}; ${result.events} events, ${result.rejected} rejected lines`);
  return 0;
}

export function summary(result: SyncResult, milliseconds: number): string {
  return (
    `sync: ${result.added} new and ${result.replaced} replaced objects, ${result.unchanged} unchanged; ` +
    `${result.events} events, ${result.rejected} rejected lines, ${result.duplicates} duplicate records skipped in ${(milliseconds / 1000).toFixed(1)} s`
  );
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

export function parseOptions<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({args, options, strict: true, allowPositionals: false});
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function positiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, found "${value}"`);
  return n;
}
