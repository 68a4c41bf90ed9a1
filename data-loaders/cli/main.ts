// `weblog <command>`: the commands analysts and scripts run (README.md, Commands).
import {ConfigError} from "../config.js";
import {S3AccessError} from "../sources/s3-sink.js";
import {UsageError} from "./usage-error.js";
import {LogFileError} from "../sources/local-files.js";
import {ReportError} from "../report/report-site.js";
import {runGeoIp} from "./geoip.js";
import {runParse} from "./parse.js";
import {runPublish} from "./publish.js";
import {runReport} from "./report.js";
import {runServe} from "./serve.js";
import {runCompact, runSync} from "./sync.js";
import {runWatch} from "./watch.js";

const USAGE = `Usage: weblog <command> [options]

Commands:
  parse   Parse access-log lines (or S3 sink JSON records) from stdin; one JSON event per line on stdout.
            --format combined|common|vhost_combined|nginx|'<LogFormat string>'   (default: combined)
            --geoip FILE   GeoLite2-City.mmdb to enrich with (default: the configured database)
            --asn FILE     GeoLite2-ASN.mmdb to enrich with
  sync    Take what is new in the bucket into the local Parquet store.
            --batch-events N   events per Parquet segment (bounds memory; default 500000)
            --full             list every key, not only the tail of each topic (done anyway every fullListingMinutes)
  watch   Sync every pollSeconds (or --interval S) and refresh a running \`npm run dev\`.
  compact Merge each day's segments into one (sync does it by itself for a day past 8 segments).
  report <files or folders…>   The whole workbook from local access logs (plain, .gz, rotated sets), GoAccess-style.
            --format NAME|'<LogFormat>'   as for parse (default: combined)
            --out DIR      where the site goes (default: weblog-report; its store is kept beside it in .DIR.weblog)
            --watch        serve the live workbook and follow the files as they grow and rotate
            --port N       the live workbook's port (default 3000); --interval S: seconds between reads
            Files are read once however often you run it, across rotations (docs/report.md).
  serve [DIR]   Serve a built report (default: weblog-report) on http://127.0.0.1:3000/ (--port N).
  publish  Copy the store to S3 as Hive-partitioned Parquet (day=YYYY-MM-DD/) for Athena, Spark or Databricks;
           only the days that changed. Prints the Athena/Glue and Databricks table definitions on stdout.
            --bucket B     bucket to publish to (default: publish.bucket, WEBLOG_PUBLISH_BUCKET)
            --prefix P     the table's location in it (default: publish.prefix, WEBLOG_PUBLISH_PREFIX, or weblog/events/)
            --table NAME   table name in the printed SQL (default: weblog_events)
  geoip update   Download the current GeoLite2 City database from MaxMind into geoip.directory.
            --asn     also GeoLite2 ASN (the asn and as_org columns)
            --force   download even when the installed copy is current
            Needs a free MaxMind license key: MAXMIND_LICENSE_KEY or geoip.licenseKey.

Configuration: weblog.config.json and WEBLOG_* environment variables (docs/configuration.md).`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  parse: runParse,
  sync: runSync,
  watch: runWatch,
  compact: runCompact,
  report: runReport,
  serve: runServe,
  geoip: runGeoIp,
  publish: runPublish,
};

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === "help" || name === "--help" || name === "-h") {
  console.log(USAGE);
  process.exit(0);
}
const command = commands[name];
if (!command) {
  console.error(`weblog: unknown command "${name}"\n\n${USAGE}`);
  process.exit(2);
}
try {
  process.exitCode = await command(args);
} catch (error) {
  // Errors the user can act on print their message alone; anything else keeps its stack.
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof S3AccessError || error instanceof ReportError || error instanceof LogFileError) console.error(`weblog ${name}: ${error.message}`);
  else console.error(`weblog ${name}:`, error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
