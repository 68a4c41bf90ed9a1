// `weblog <command>`: the commands analysts and scripts run (README.md, Commands).
// Each command is imported only when run: `weblog parse` need not load the AWS SDK and DuckDB.
import {ConfigError} from "../config.js";
import {UsageError} from "./usage-error.js";

const USAGE = `Usage: weblog <command> [options]

Commands:
  parse   Parse access-log lines (or S3 sink JSON records) from stdin; one JSON event per line on stdout.
            --format combined|common|vhost_combined|nginx|'<LogFormat string>'   (default: combined)
            --geoip FILE   GeoLite2-City.mmdb to enrich with (default: the configured database)
            --asn FILE     GeoLite2-ASN.mmdb to enrich with
            --threads N    threads parsing (default: one per core; 1: no workers)
  sync    Take what is new in the bucket into the local Parquet store.
            --batch-events N   events per Parquet segment (bounds memory; default 500000)
            --full             list every key, not only the tail of each topic (done anyway every fullListingMinutes)
  build   Sync, then build the site into dist/ (what \`npm run build\` runs). When only the data changed
          since the last build, dist/ is brought up to date without rebuilding the pages.
            --full   rebuild every page with Framework whatever changed
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

type Command = (args: string[]) => Promise<number>;
const commands: Record<string, () => Promise<Command>> = {
  parse: () => import("./parse.js").then((m) => m.runParse),
  sync: () => import("./sync.js").then((m) => m.runSync),
  build: () => import("./build.js").then((m) => m.runBuild),
  watch: () => import("./watch.js").then((m) => m.runWatch),
  compact: () => import("./sync.js").then((m) => m.runCompact),
  report: () => import("./report.js").then((m) => m.runReport),
  serve: () => import("./serve.js").then((m) => m.runServe),
  publish: () => import("./publish.js").then((m) => m.runPublish),
  geoip: () => import("./geoip.js").then((m) => m.runGeoIp),
};

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === "help" || name === "--help" || name === "-h") {
  console.log(USAGE);
  process.exit(0);
}
const loadCommand = Object.hasOwn(commands, name) ? commands[name] : undefined;
if (!loadCommand) {
  console.error(`weblog: unknown command "${name}"\n\n${USAGE}`);
  process.exit(2);
}
try {
  const command = await loadCommand();
  process.exitCode = await command(args);
} catch (error) {
  // Errors the user can act on print their message alone; anything else keeps its stack.
  // Loaded only now: the modules that define them are the commands' own.
  const [{S3AccessError}, {LogFileError}, {ReportError}] = await Promise.all([import("../sources/s3-sink.js"), import("../sources/local-files.js"), import("../report/report-site.js")]);
  const actionable = [ConfigError, UsageError, S3AccessError, ReportError, LogFileError].some((kind) => error instanceof kind);
  if (actionable) console.error(`weblog ${name}: ${(error as Error).message}`);
  else console.error(`weblog ${name}:`, error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
