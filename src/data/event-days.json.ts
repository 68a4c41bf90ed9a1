// The days the store holds events for, each with its count and a version that changes with its
// rows, and what the browser needs to make its tables (the rollup kinds and their views, and
// empty tables for a store with no day yet), and the settings the rollups were counted by (own
// hosts, the visit timeout), for the pages that state them: the pages read one Parquet file of
// events per day (data/events/<day>.parquet), fetching a day again only when its version changed,
// and one file per rollup kind and block of days (data/rollups/<block>/<kind>.parquet), a block's
// fetched again when its version changed.
import {loadConfig} from "../../data-loaders/config.js";
import {rollupBlocks, rollupKindNames, siteTables, storedDays} from "../../data-loaders/site-data.js";

const config = loadConfig();
const days = await storedDays(config);
process.stdout.write(JSON.stringify({days, rollupKinds: rollupKindNames(), rollupBlocks: rollupBlocks(days).map(({name, version}) => ({name, version})), ...siteTables(), settings: config.site}));
