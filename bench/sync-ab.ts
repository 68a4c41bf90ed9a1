// `weblog sync` of this checkout and of another (a baseline) on the same objects, alternately,
// round after round: on a machine others share, only figures taken back to back compare. Each run
// is the whole command into a fresh store, timed by /usr/bin/time: wall, CPU (user+sys, all
// threads), peak RSS, the cores it kept busy (CPU over wall) and the load average before it.
// Figures for people; nothing asserts a time.
//   npx tsx bench/sync-ab.ts <baseline checkout> [events=1000000] [workload=diverse] [rounds=3]
// SYNC_AB_NODE_ARGS (space-separated, e.g. "--max-semi-space-size=32") go to node for this
// checkout's runs only: with the baseline set to this same checkout, it measures a V8 flag.
import {mkdtemp, rm} from "node:fs/promises";
import {loadavg, tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {CreateBucketCommand} from "@aws-sdk/client-s3";
import {resolveConfig} from "../data-loaders/config.js";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {LOCAL_S3_CREDENTIALS} from "../scripts/local-s3.js";
import {startLocalS3Process} from "./local-s3-process.js";
import {bundleCommand, timeSyncCommand, type ProcessFigures} from "./sync-command.js";
import {uploadWorkload, type Workload} from "./workload.js";

const baseline = process.argv[2];
if (!baseline) throw new Error("usage: npx tsx bench/sync-ab.ts <baseline checkout> [events] [workload] [rounds]");
const events = Number(process.argv[3] ?? 1_000_000);
const workload = (process.argv[4] ?? "diverse") as Workload;
const rounds = Number(process.argv[5] ?? 3);
const BUCKET = "bench";

Object.assign(process.env, LOCAL_S3_CREDENTIALS);
const work = await mkdtemp(join(tmpdir(), "weblog-ab-"));
const s3 = await startLocalS3Process(work);
try {
  const config = resolveConfig({bucket: BUCKET, endpoint: s3.endpoint, store: join(work, "store")}, {}, work);
  const client = createS3Client(config.source);
  await client.send(new CreateBucketCommand({Bucket: BUCKET}));
  await uploadWorkload(client, BUCKET, events, workload);
  client.destroy();
  bundleCommand();
  await bundledGeoLite2City(join(work, "geoip"));
  const env = (store: string) => ({...process.env, WEBLOG_CONFIG: "", WEBLOG_BUCKET: BUCKET, WEBLOG_S3_ENDPOINT: s3.endpoint, WEBLOG_STORE: store, WEBLOG_GEOIP_DIR: join(work, "geoip"), NODE_NO_WARNINGS: "1"});
  const nodeArgs = (process.env.SYNC_AB_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
  const commands = {baseline: join(resolve(baseline), "bin/weblog.js"), "this checkout": join(import.meta.dirname, "../bin/weblog.js")};
  console.log(`${events.toLocaleString("en")} events, ${workload} workload, ${rounds} rounds; baseline ${resolve(baseline)}${nodeArgs.length > 0 ? `; this checkout with node ${nodeArgs.join(" ")}` : ""}`);
  for (let round = 1; round <= rounds; round++) {
    for (const [label, bin] of Object.entries(commands)) {
      const store = join(work, "store");
      const load = loadavg()[0];
      const figures = timeSyncCommand(work, env(store), label === "baseline" ? [] : nodeArgs, [], bin);
      console.log(`round ${round}, ${label.padEnd(13)}: ${describe(figures)}; load average before ${load.toFixed(1)}`);
      await rm(store, {recursive: true, force: true});
    }
  }
} finally {
  await s3.stop();
  await rm(work, {recursive: true, force: true});
}

function describe(f: ProcessFigures): string {
  return `${f.wallSeconds.toFixed(1)} s wall, ${f.cpuSeconds.toFixed(1)} s CPU (${((f.cpuSeconds * 1e6) / events).toFixed(1)} µs per event), cores busy ${(f.cpuSeconds / f.wallSeconds).toFixed(2)}, peak RSS ${f.peakRssMB.toFixed(0)} MB`;
}
