// `npm run demo`: the whole workbook on the bundled sample, with no cloud and no network.
// Starts an S3-compatible endpoint on loopback holding the sample S3 sink output, syncs it into
// a demo store, replays a connector restart (an object rewritten under the same name), builds
// the site and serves it on localhost. `npm run demo -- --source firehose|export-task` loads the
// same events as the other source formats write them (sample/firehose, sample/export-task).
import {spawn} from "node:child_process";
import {rm} from "node:fs/promises";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";
import {loadConfig, SOURCE_FORMATS, type SourceFormat} from "../data-loaders/config.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {refreshSiteData} from "../data-loaders/site-loaders.js";
import {syncStore} from "../data-loaders/sync.js";
import {LOCAL_S3_CREDENTIALS, seedBucket, startLocalS3} from "./local-s3.js";
import {SAMPLE_OWN_TRAFFIC} from "./sample-classes.js";
import {bundleLibraries} from "./bundle-libraries.js";
import {SAMPLE_OWN_HOSTS} from "./sample-visits.js";
import {serveSite} from "./serve-site.js";
import {SAMPLE_LOG_FORMATS} from "./sample-perf.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");
export const DEMO_BUCKET = "s3sink-3";
export const SAMPLE_DIR = join(projectDir, "sample/s3-sink");
export const REWRITES_DIR = join(projectDir, "sample/rewrites");

/** Each source format's sample, and the prefix it is written under. */
export const DEMO_SOURCES: Record<SourceFormat, {dir: string; prefix: string}> = {
  "s3-sink": {dir: SAMPLE_DIR, prefix: "topics/"},
  firehose: {dir: join(projectDir, "sample/firehose"), prefix: ""},
  "export-task": {dir: join(projectDir, "sample/export-task"), prefix: "exportedlogs/"},
};

/** The environment that points the workbook at the demo endpoint and a demo store of its own. */
export function demoEnvironment(endpoint: string, storeDir: string, format: SourceFormat = "s3-sink"): Record<string, string> {
  return {
    WEBLOG_SOURCE_FORMAT: format,
    WEBLOG_BUCKET: DEMO_BUCKET,
    WEBLOG_PREFIX: DEMO_SOURCES[format].prefix,
    // An export's keys do not name its log group: the demo says which it is, as a user would.
    ...(format === "export-task" ? {WEBLOG_LOG_GROUP: "cloudwatchLogsEC2"} : {}),
    // The S3 sink sample's API instance logs %D and one web server vhost_combined (scripts/sample-perf.ts).
    ...(format === "s3-sink" ? {WEBLOG_LOG_FORMATS: JSON.stringify(SAMPLE_LOG_FORMATS)} : {}),
    WEBLOG_S3_ENDPOINT: endpoint,
    WEBLOG_REGION: "ap-south-1",
    WEBLOG_STORE: storeDir,
    // The sample's office and monitoring host (scripts/sample-classes.ts): marked as your own traffic, hidden until shown.
    WEBLOG_OWN_TRAFFIC: JSON.stringify(SAMPLE_OWN_TRAFFIC),
    // The sample site's own hosts: its links to missing pages are internal broken links.
    WEBLOG_OWN_HOSTS: SAMPLE_OWN_HOSTS.join(","),
    // The local endpoint takes any credentials; these keep the SDK from searching for real ones.
    ...LOCAL_S3_CREDENTIALS,
    OBSERVABLE_TELEMETRY_DISABLE: "true",
  };
}

async function main(): Promise<void> {
  const format = sourceFormatArgument();
  const port = Number(process.env.PORT ?? 3000);
  const s3 = await startLocalS3({port: 0});
  console.log(`S3-compatible endpoint on ${s3.endpoint}, bucket ${DEMO_BUCKET}`);
  // A fresh demo store each run, so the demo always tells the same story from an empty start.
  const demoStore = join(projectDir, ".weblog/demo/store");
  await rm(demoStore, {recursive: true, force: true});
  const env = demoEnvironment(s3.endpoint, demoStore, format);
  Object.assign(process.env, env);
  const config = loadConfig(projectDir);
  const client = createS3Client(config.source);
  await seedBucket(client, DEMO_BUCKET, DEMO_SOURCES[format].dir);

  const log = (message: string) => console.log(`  ${message}`);
  console.log(`Sync the ${format} sample into the demo store:`);
  const first = await syncStore(config, {client, log});
  console.log(`  ${first.events} events, ${first.rejected} rejected lines, ${first.duplicates} re-delivered events counted once, ${first.skipped.length} key files and other objects skipped`);

  if (format === "s3-sink") {
    console.log("A connector restart rewrites an object under the same name; sync again:");
    await seedBucket(client, DEMO_BUCKET, REWRITES_DIR);
    const second = await syncStore(config, {client, log});
    console.log(`  ${second.replaced} object replaced (its rows replace the old ones), ${second.added} added whose ${second.duplicates} records were already stored: nothing counted twice`);
  }

  await refreshSiteData(projectDir, config);
  console.log("Build the site:");
  await bundleLibraries();
  await run("npx", ["observable", "build"], {...process.env, ...env});

  const site = await serveSite(join(projectDir, "dist"), {port});
  console.log(`\nWeblog Workbook demo: ${site.url}\n(Ctrl-C to stop)`);
  const stop = async () => {
    await site.close();
    await s3.stop();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** `--source s3-sink|firehose|export-task`; the S3 sink by default. */
function sourceFormatArgument(): SourceFormat {
  const {values} = parseArgs({options: {source: {type: "string", default: "s3-sink"}}, strict: true});
  const source = values.source!;
  if (!(SOURCE_FORMATS as readonly string[]).includes(source)) throw new Error(`--source must be one of ${SOURCE_FORMATS.join(", ")}, found "${source}"`);
  return source as SourceFormat;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {cwd: projectDir, env, stdio: "inherit"});
    child.once("error", fail);
    child.once("exit", (code) => (code === 0 ? done() : fail(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
