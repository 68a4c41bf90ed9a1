// A page's first view: the answers to the queries it asks with the default filter (all time,
// every instance, humans and bots, every status), computed here with the page's own query text
// (src/queries/<page>.ts) over the rollups, so the page draws at once and DuckDB-WASM is needed
// only when the reader changes a filter. Made again whenever any day changes (site-loaders.ts).
import {parseArgs} from "node:util";
import {loadConfig} from "../../../data-loaders/config.js";
import {openSiteDatabase} from "../../../data-loaders/site-database.js";
import {FIRST_VIEWS} from "../../queries/pages.js";
import {recordFirstView} from "../../queries/shipped.js";

// Framework passes the part of the file name in brackets as --page.
const {values} = parseArgs({options: {page: {type: "string"}}});
const firstView = values.page === undefined ? undefined : FIRST_VIEWS[values.page];
if (!firstView) throw new Error(`no first view for page ${values.page}; src/queries/pages.ts lists them`);
const database = await openSiteDatabase(loadConfig());
process.stdout.write(JSON.stringify(await recordFirstView(firstView, (query) => database.rows(query.sql, query.params))));
