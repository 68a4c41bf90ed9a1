// The objects whose Kafka key files do not match their records (missing, shorter or longer than
// the values, keys that do not decode): how many, and the first with what is wrong, from the
// manifest as the last sync left it.
import {loadConfig} from "../../data-loaders/config.js";
import {keyMismatchesOf} from "../../data-loaders/site-data.js";

process.stdout.write(JSON.stringify(await keyMismatchesOf(loadConfig().store)));
