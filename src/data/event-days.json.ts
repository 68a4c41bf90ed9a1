// The days the store holds events for, each with its count and a version that changes with its
// rows, and the columns of the events and rollups files: the pages read one Parquet file per day
// (data/events/<day>.parquet), fetching a day again only when its version changed.
import {loadConfig} from "../../data-loaders/config.js";
import {EVENT_COLUMNS} from "../../data-loaders/event.js";
import {ROLLUP_COLUMNS, storedDays} from "../../data-loaders/site-data.js";

const days = await storedDays(loadConfig().store);
const columns = {events: EVENT_COLUMNS.map(({name, type}) => ({name, type})), rollups: ROLLUP_COLUMNS};
process.stdout.write(JSON.stringify({days, columns}));
