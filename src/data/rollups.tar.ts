// Each rollup kind's rows over every day (data/rollups/<kind>.parquet, one file per kind of
// ROLLUP_KINDS in data-loaders/site-data.ts): request counts by hour and by each thing the pages
// rank, pre-aggregated by the filter columns, so the pages open fast however many events there
// are. A page fetches only the kinds its queries read. Made from the rollups the store keeps per
// day, so after a sync only the changed days are counted again; combining them is one COPY per kind.
import {readFile} from "node:fs/promises";
import {loadConfig} from "../../data-loaders/config.js";
import {timed} from "../../data-loaders/build-timings.js";
import {kindRollupsFiles} from "../../data-loaders/site-data.js";
import {tarArchive} from "../../data-loaders/write/tar.js";

const kindFiles = await kindRollupsFiles(loadConfig());
await timed("rollups-archive", async () => {
  const files = new Map<string, Uint8Array>();
  for (const [kind, file] of kindFiles) files.set(`${kind}.parquet`, await readFile(file));
  process.stdout.write(tarArchive(files));
});
