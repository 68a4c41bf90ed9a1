// The keys under the bucket's prefix that sync did not read (Kafka key and header files, other
// output formats), counted by reason with a few examples each, as the last full listing found them.
import {loadConfig} from "../../data-loaders/config.js";
import {skippedKeysOf} from "../../data-loaders/site-data.js";

process.stdout.write(JSON.stringify(await skippedKeysOf(loadConfig().store)));
