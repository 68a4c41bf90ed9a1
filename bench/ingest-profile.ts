// Where one `weblog sync` spends its time: the sync command run whole on a workload in the local
// S3 endpoint, once plain (wall, CPU, peak RSS) and once under `node --cpu-prof`, whose main-thread
// profile is summed by function (self time) and by source file; and the CPU of the main thread
// against the other threads, with the parse side in a worker and in the main thread. The per-stage table of
// docs/design-notes.md comes from this. Figures for people; nothing asserts a time.
//   npx tsx bench/ingest-profile.ts [events=1000000] [workload=diverse]
import {readdirSync, readFileSync} from "node:fs";
import {mkdir, mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {basename, join} from "node:path";
import {CreateBucketCommand} from "@aws-sdk/client-s3";
import {resolveConfig} from "../data-loaders/config.js";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {LOCAL_S3_CREDENTIALS} from "../scripts/local-s3.js";
import {startLocalS3Process} from "./local-s3-process.js";
import {bundleCommand, syncThreadSeconds, timeSyncCommand} from "./sync-command.js";
import {uploadWorkload, type Workload} from "./workload.js";

const events = Number(process.argv[2] ?? 1_000_000);
const workload = (process.argv[3] ?? "diverse") as Workload;
const BUCKET = "bench";

Object.assign(process.env, LOCAL_S3_CREDENTIALS);
const work = await mkdtemp(join(tmpdir(), "weblog-profile-"));
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
  const plain = timeSyncCommand(work, env(join(work, "store-plain")));
  console.log(`${events.toLocaleString("en")} events, ${workload} workload: weblog sync ${plain.wallSeconds.toFixed(1)} s wall, ${plain.cpuSeconds.toFixed(1)} s CPU (user+sys, all threads), peak RSS ${plain.peakRssMB.toFixed(0)} MB → ${Math.round(events / plain.wallSeconds).toLocaleString("en")} events/s wall, ${(plain.cpuSeconds * 1e6 / events).toFixed(1)} µs CPU per event`);

  // Where the CPU goes by thread, with the parse side in a worker and in the main thread.
  for (const worker of ["1", "0"]) {
    const t = await syncThreadSeconds(work, {...env(join(work, `store-threads-${worker}`)), WEBLOG_PARSE_WORKER: worker});
    console.log(
      `parsing ${worker === "1" ? "in a worker thread" : "in the main thread"}: ${t.wallSeconds.toFixed(1)} s wall; main thread ${t.mainThreadSeconds.toFixed(1)} s CPU (${((t.mainThreadSeconds * 1e6) / events).toFixed(1)} µs per event, ` +
        `busy ${((100 * t.mainThreadSeconds) / t.wallSeconds).toFixed(0)} % of the wall time), other threads ${t.otherThreadsSeconds.toFixed(1)} s (${((t.otherThreadsSeconds * 1e6) / events).toFixed(1)} µs per event); ` +
        `cores busy ${((t.mainThreadSeconds + t.otherThreadsSeconds) / t.wallSeconds).toFixed(2)}`,
    );
  }

  const profiles = join(work, "profiles");
  await mkdir(profiles);
  const profiled = timeSyncCommand(work, env(join(work, "store-profiled")), ["--cpu-prof", `--cpu-prof-dir=${profiles}`]);
  console.log(`profiled run: ${profiled.wallSeconds.toFixed(1)} s wall, ${profiled.cpuSeconds.toFixed(1)} s CPU`);
  for (const file of readdirSync(profiles)) summarize(join(profiles, file));
} finally {
  await s3.stop();
  await rm(work, {recursive: true, force: true});
}

interface ProfileNode {
  id: number;
  callFrame: {functionName: string; url: string; lineNumber: number};
}

/** Self time of the main thread by function and by file, in µs per event. */
function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]};
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)!.callFrame;
    const where = frame.url ? basename(frame.url.replace(/\?.*$/, "")) : "(native)";
    const name = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    byFile.set(where, (byFile.get(where) ?? 0) + delta);
    total += delta;
  });
  const perEvent = (us: number) => `${(us / events).toFixed(2)} µs`;
  console.log(`\n${basename(file)}: ${(total / 1e6).toFixed(1)} s sampled on the main thread (${perEvent(total)} per event)`);
  console.log("by file (self):");
  for (const [name, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${perEvent(us).padStart(10)}  ${name}`);
  console.log("by function (self):");
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${perEvent(us).padStart(10)}  ${name}`);
}
