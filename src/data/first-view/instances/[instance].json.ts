// An instance page's first view (src/instances/[instance].md): its answers computed here with
// the page's own query text (src/queries/instance.ts), as for the other pages ([page].json.ts).
import {parseArgs} from "node:util";
import {loadConfig} from "../../../../data-loaders/config.js";
import {openSiteDatabase} from "../../../../data-loaders/site-database.js";
import {firstView} from "../../../queries/instance.js";
import {recordFirstView} from "../../../queries/shipped.js";

// Framework passes the part of the file name in brackets as --instance.
const {values} = parseArgs({options: {instance: {type: "string"}}});
if (!values.instance) throw new Error("this loader makes data/first-view/instances/<instance>.json; Framework passes --instance");
const database = await openSiteDatabase(loadConfig());
process.stdout.write(JSON.stringify(await recordFirstView((ask) => firstView(ask, values.instance!), (query) => database.rows(query.sql, query.params))));
