// Every event, enriched and sorted by time: takes in what is new in the bucket, then writes
// the local store's events as Parquet to stdout. Columns: docs/data-dictionary.md.
import {loadConfig} from "../../data-loaders/config.js";
import {writeSiteParquet} from "../../data-loaders/site-data.js";
import {syncStore} from "../../data-loaders/sync.js";

const config = loadConfig();
await syncStore(config, {log: (message) => console.error(message)});
await writeSiteParquet(config, "events", process.stdout);
