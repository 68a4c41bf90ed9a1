// Every line that did not parse, with its object, line number and reason: the data-quality page.
import {loadConfig} from "../../data-loaders/config.js";
import {writeSiteParquet} from "../../data-loaders/site-data.js";
import {syncStore} from "../../data-loaders/sync.js";

const config = loadConfig();
await syncStore(config, {log: (message) => console.error(message)});
await writeSiteParquet(config, "rejected", process.stdout);
