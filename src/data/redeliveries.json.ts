// The records the bucket holds twice (a connector restart re-delivering offsets another object
// already holds), each stored once: how many, and the objects holding most of them.
import {loadConfig} from "../../data-loaders/config.js";
import {redeliveriesOf} from "../../data-loaders/site-data.js";

process.stdout.write(JSON.stringify(await redeliveriesOf(loadConfig().store)));
