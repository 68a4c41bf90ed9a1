// `weblog <command>`: the commands analysts and scripts run (shared/DESIGN.md §4).
// Each command is imported only when run: `weblog parse` need not load the AWS SDK and DuckDB.
import {ConfigError} from "../config.js";
import {UsageError} from "./usage-error.js";

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
  geoip update   Download the current GeoLite2 City database from MaxMind into geoip.directory.
            --asn     also GeoLite2 ASN (the asn and as_org columns)
            --force   download even when the installed copy is current
            Needs a free MaxMind license key: MAXMIND_LICENSE_KEY or geoip.licenseKey.

Configuration: weblog.config.json and WEBLOG_* environment variables (docs/configuration.md).`;

type Command = (args: string[]) => Promise<number>;
const commands: Record<string, () => Promise<Command>> = {
  parse: () => import("./parse.js").then((m) => m.runParse),
  sync: () => import("./sync.js").then((m) => m.runSync),
  watch: () => import("./watch.js").then((m) => m.runWatch),
  compact: () => import("./sync.js").then((m) => m.runCompact),
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
  const {S3AccessError} = await import("../sources/s3-sink.js");
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof S3AccessError) console.error(`weblog ${name}: ${(error as Error).message}`);
  else console.error(`weblog ${name}:`, error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
