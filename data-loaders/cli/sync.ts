// `weblog sync`: take what is new in the bucket into the local Parquet store, and bring the
// site's cached data in step with it (site-loaders.ts), so the next build re-exports just the
// days that changed, or everything when the cache was made from another store (the demo's, say).
// `weblog compact`: merge each day's segments into one.
import {parseArgs} from "node:util";
import {loadConfig, type WeblogConfig} from "../config.js";
import {refreshSiteData, type SiteDataRefresh} from "../site-loaders.js";
import {compactStore} from "../store/compact.js";
import {DEFAULT_BATCH_EVENTS, syncStore, type SyncResult} from "../sync.js";
import {createProgressLine} from "./progress.js";
import {UsageError} from "./usage-error.js";

export async function runSync(args: string[]): Promise<number> {
  const {values} = parseOptions(args, {"batch-events": {type: "string"}, full: {type: "boolean"}});
  const batchEvents = positiveInteger(values["batch-events"], "--batch-events") ?? DEFAULT_BATCH_EVENTS;
  await syncAndRefresh(loadConfig(), {batchEvents, fullListing: values.full === true});
  return 0;
}

/**
 * Syncs with a progress line, brings the site's cached data in step (that of the project in the
 * current folder) and says what the sync did: `weblog sync`, and the first part of `weblog build`.
 */
export async function syncAndRefresh(config: WeblogConfig, {batchEvents = DEFAULT_BATCH_EVENTS, fullListing = false} = {}): Promise<SiteDataRefresh> {
  const started = performance.now();
  const progress = createProgressLine(process.stderr);
  const result = await syncStore(config, {log: progress.log, onProgress: progress.update, batchEvents, fullListing}).finally(() => progress.end());
  const refresh = await refreshSiteData(process.cwd(), config);
  console.error(summary(result, performance.now() - started));
  return refresh;
}

export async function runCompact(args: string[]): Promise<number> {
  parseOptions(args, {});
  const config = loadConfig();
  const result = await compactStore(config.store);
  const merged = result.merged.length === 0 ? "nothing to merge" : `merged ${result.merged.join(", ")}`;
  console.error(`compact: ${result.segmentsBefore} segments → ${result.segmentsAfter}; ${merged}`);
  return 0;
}

export function summary(result: SyncResult, milliseconds: number): string {
  return (
    `sync: ${result.added} new and ${result.replaced} replaced objects, ${result.unchanged} unchanged` +
    // The store mirrors the bucket: said only when it happened.
    (result.removed > 0 ? `, ${result.removed} gone from the bucket and removed` : "") +
    (result.backfilled > 0 ? `, ${result.backfilled} read again for offsets others no longer hold` : "") +
    "; " +
    `${result.events} events, ${result.rejected} rejected lines, ${result.duplicates} duplicate records skipped` +
    (result.controlMessages ? `, ${result.controlMessages} CONTROL_MESSAGE documents skipped` : "") +
    ` in ${(milliseconds / 1000).toFixed(1)} s`
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
