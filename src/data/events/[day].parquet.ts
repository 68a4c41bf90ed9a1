// One UTC day of events, enriched and sorted by time: data/events/2023-05-14.parquet holds the
// events of 14 May 2023. Made from the local store (`npm run build` and `weblog watch` sync it
// first); only days that changed are made again, by `npm run build` beside Framework's own work
// (data-loaders/site-prepare.ts), this loader then shipping that file. Columns: docs/data-dictionary.md.
import {parseArgs} from "node:util";
import {loadConfig} from "../../../data-loaders/config.js";
import {writeSiteParquet} from "../../../data-loaders/site-data.js";

// Framework passes the part of the file name in brackets as --day.
const {values} = parseArgs({options: {day: {type: "string"}}});
if (!values.day) throw new Error("this loader makes data/events/<day>.parquet; Framework passes --day");
await writeSiteParquet(loadConfig(), "events", process.stdout, {day: values.day!});
