// Every line that did not parse, with its object, line number and reason: the data-quality page.
// Made from the local store (`npm run build` and `weblog watch` sync it first).
import {loadConfig} from "../../data-loaders/config.js";
import {writeSiteParquet} from "../../data-loaders/site-data.js";

await writeSiteParquet(loadConfig(), "rejected", process.stdout);
