// `weblog sync`: take what is new in the bucket into the local Parquet store, and mark the
// site's data loaders stale so the next build re-exports the store. Always, not only when the
// store changed: the loader cache may hold another store's data (the demo's, say).
import {parseArgs} from "node:util";
import {loadConfig} from "../config.js";
import {markSiteDataStale} from "../site-loaders.js";
import {syncStore} from "../sync.js";
import {UsageError} from "./usage-error.js";

export async function runSync(args: string[]): Promise<number> {
  try {
    parseArgs({args, options: {}, strict: true, allowPositionals: false});
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const config = loadConfig();
  const started = performance.now();
  const result = await syncStore(config, {log: (message) => console.error(message)});
  await markSiteDataStale(process.cwd());
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(
    `sync: ${result.added} new and ${result.replaced} replaced objects, ${result.unchanged} unchanged; ` +
      `${result.events} events, ${result.rejected} rejected lines, ${result.duplicates} duplicate records skipped in ${seconds} s`,
  );
  return 0;
}
