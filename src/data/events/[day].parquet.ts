// One UTC day of events, enriched and sorted by time: data/events/2023-05-14.parquet holds the
// events of 14 May 2023. Made from the local store (`npm run build` and `weblog watch` sync it
// first); only days that changed are made again. Columns: docs/data-dictionary.md.
import {parseArgs} from "node:util";
import {loadConfig} from "../../../data-loaders/config.js";
import {timed} from "../../../data-loaders/build-timings.js";
import {writeSiteParquet} from "../../../data-loaders/site-data.js";

// Framework passes the part of the file name in brackets as --day.
const {values} = parseArgs({options: {day: {type: "string"}}});
if (!values.day) throw new Error("this loader makes data/events/<day>.parquet; Framework passes --day");
await timed("events-export", () => writeSiteParquet(loadConfig(), "events", process.stdout, {day: values.day!}));
