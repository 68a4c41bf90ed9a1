// Firehose's CONTROL_MESSAGE documents in the bucket (CloudWatch Logs checking it can reach the
// stream): how many, in how many objects. They hold no log events and are not counted as any.
import {loadConfig} from "../../data-loaders/config.js";
import {controlMessagesOf} from "../../data-loaders/site-data.js";

process.stdout.write(JSON.stringify(await controlMessagesOf(loadConfig().store)));
