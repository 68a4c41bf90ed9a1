// One block of days' rollups (data/rollups/<block>/<kind>.parquet, one file per kind of
// ROLLUP_KINDS in data-loaders/site-data.ts): request counts by hour and by each thing the pages
// rank, pre-aggregated by the filter columns, so the pages open fast however many events there
// are. A page fetches only the kinds its queries read, every block of them. Blocks are runs of days
// that stay the same as objects land (site-data.ts: rollupBlocks), so a rebuild runs this loader
// for the changed block alone; it combines the rollups the store keeps per day, so only the
// changed days are counted again.
import {readFile} from "node:fs/promises";
import {parseArgs} from "node:util";
import {timed} from "../../../data-loaders/build-timings.js";
import {loadConfig} from "../../../data-loaders/config.js";
import {blockRollupsFiles, rollupBlocks, storedDays} from "../../../data-loaders/site-data.js";
import {tarArchive} from "../../../data-loaders/write/tar.js";

// Framework passes the part of the file name in brackets as --block.
const {values} = parseArgs({options: {block: {type: "string"}}});
const config = loadConfig();
const block = rollupBlocks(await storedDays(config)).find((b) => b.name === values.block);
if (!block) throw new Error(`this loader makes data/rollups/<block>.tar for a block of the store's days; the store has no block ${JSON.stringify(values.block)}`);
const kindFiles = await blockRollupsFiles(config, block);
await timed("rollups-archive", async () => {
  const files = new Map<string, Uint8Array>();
  for (const [kind, file] of kindFiles) files.set(`${kind}.parquet`, await readFile(file));
  process.stdout.write(tarArchive(files));
});
