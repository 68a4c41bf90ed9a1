// A page's first view: the answers to the queries src/<page>.md asks with the default filter (all
// time, every instance, humans and bots, every status), computed here with the page's own query
// text, from src/queries/<page>.ts and its `firstView`, over the rollups. The page draws from them
// at once; DuckDB-WASM is needed only when the reader changes a filter. Made again whenever any
// day changes (data-loaders/site-loaders.ts). observablehq.config.ts lists the pages that have one.
import {parseArgs} from "node:util";
import {loadConfig} from "../../../data-loaders/config.js";
import {openSiteDatabase} from "../../../data-loaders/site-database.js";
import type {Ask} from "../../queries/query.js";
import {recordFirstView} from "../../queries/shipped.js";

// Framework passes the part of the file name in brackets as --page.
const {values} = parseArgs({options: {page: {type: "string"}}});
if (!values.page || !/^[\w-]+$/.test(values.page)) throw new Error(`this loader makes data/first-view/<page>.json; Framework passes --page (got ${values.page})`);
const queries = (await import(`../../queries/${values.page}.js`)) as {firstView?: (ask: Ask) => Promise<void>};
if (!queries.firstView) throw new Error(`src/queries/${values.page}.ts exports no firstView(ask)`);
const database = await openSiteDatabase(loadConfig());
process.stdout.write(JSON.stringify(await recordFirstView((ask) => queries.firstView!(ask), (query) => database.rows(query.sql, query.params))));
