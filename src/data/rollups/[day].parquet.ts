// One UTC day's rollups: request counts by hour and by each thing the pages rank (paths,
// countries, clients, agents, errors, suspicious requests: ROLLUP_KINDS in data-loaders/site-data.ts),
// pre-aggregated by the filter dimensions, so the pages open fast however many events there are.
// Made from the same store segments as data/events/<day>.parquet, and made again when they change.
import {parseArgs} from "node:util";
import {loadConfig} from "../../../data-loaders/config.js";
import {writeSiteParquet} from "../../../data-loaders/site-data.js";

// Framework passes the part of the file name in brackets as --day.
const {values} = parseArgs({options: {day: {type: "string"}}});
if (!values.day) throw new Error("this loader makes data/rollups/<day>.parquet; Framework passes --day");
await writeSiteParquet(loadConfig(), "rollups", process.stdout, {day: values.day});
