// `weblog watch`: sync, wait pollSeconds, sync again… and each time the store changes, mark the
// site's loaders stale so a running `npm run dev` re-exports the data and reloads the pages.
// Ctrl-C waits for a sync in progress to commit, then stops.
import {loadConfig} from "../config.js";
import {refreshSiteData} from "../site-loaders.js";
import {syncStore} from "../sync.js";
import {createS3Client} from "../sources/s3-client.js";
import {KeptEnrichment} from "../enrich/kept-enrichment.js";
import {parseOptions, positiveInteger, summary} from "./sync.js";
import {stopOnSignals} from "./stop-switch.js";

export async function runWatch(args: string[]): Promise<number> {
  const {values} = parseOptions(args, {interval: {type: "string"}});
  const config = loadConfig();
  const seconds = positiveInteger(values.interval, "--interval") ?? config.pollSeconds;
  const client = createS3Client(config.source);
  const enrichment = new KeptEnrichment(config);
  const switched = stopOnSignals();
  console.error(`watch: syncing s3://${config.source.bucket}/${config.source.prefix} every ${seconds} s (Ctrl-C to stop)`);
  // The first pass refreshes the site's data even when the store did not change: the cache may
  // have been made from another store (the demo's, say).
  let first = true;
  while (!switched.stopping) {
    const started = performance.now();
    try {
      const result = await syncStore(config, {client, enrichment: () => enrichment.current()});
      if (result.changed || first) await refreshSiteData(process.cwd(), config.store, config.site);
      first = false;
      if (result.changed) {
        console.error(`${new Date().toISOString()} ${summary(result, performance.now() - started)}`);
      }
    } catch (error) {
      // A network blip or a throttled bucket must not end the watch: say so, try again next time.
      console.error(`${new Date().toISOString()} watch: sync failed, retrying in ${seconds} s: ${(error as Error).message}`);
    }
    await switched.pause(seconds);
  }
  client.destroy();
  console.error("watch: stopped");
  return 0;
}
