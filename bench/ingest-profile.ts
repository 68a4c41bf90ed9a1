// Where one `weblog sync` spends its time: the sync command run whole on a workload in the local
// S3 endpoint, once plain (wall, CPU, peak RSS) and once under `node --cpu-prof`, whose main-thread
// profile is summed by function (self time) and by source file. The per-stage table of
// docs/design-notes.md comes from this. Figures for people; nothing asserts a time.
//   npx tsx bench/ingest-profile.ts [events=1000000] [workload=diverse]   (BENCH_RECORDS=connector: records as the real connector writes them)
import {readdirSync, readFileSync} from "node:fs";
import {mkdir} from "node:fs/promises";
import {basename, join} from "node:path";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {benchBucket} from "./bench-bucket.js";
import {bundleCommand, timeSyncCommand} from "./sync-command.js";
import {recordShapeOf, type Workload} from "./workload.js";

const events = Number(process.argv[2] ?? 1_000_000);
const workload = (process.argv[3] ?? "diverse") as Workload;

const bench = await benchBucket("profile", events, workload, recordShapeOf(process.env));
const {work} = bench;
try {
  bundleCommand();
  await bundledGeoLite2City(join(work, "geoip"));
  const env = (store: string) => bench.syncEnvironment(store, join(work, "geoip"));
  const plain = timeSyncCommand(work, env(join(work, "store-plain")));
  console.log(`${events.toLocaleString("en")} events, ${workload} workload: weblog sync ${plain.wallSeconds.toFixed(1)} s wall, ${plain.cpuSeconds.toFixed(1)} s CPU (user+sys, all threads), peak RSS ${plain.peakRssMB.toFixed(0)} MB → ${Math.round(events / plain.wallSeconds).toLocaleString("en")} events/s wall, ${(plain.cpuSeconds * 1e6 / events).toFixed(1)} µs CPU per event`);

  const profiles = join(work, "profiles");
  await mkdir(profiles);
  const profiled = timeSyncCommand(work, env(join(work, "store-profiled")), ["--cpu-prof", `--cpu-prof-dir=${profiles}`]);
  console.log(`profiled run: ${profiled.wallSeconds.toFixed(1)} s wall, ${profiled.cpuSeconds.toFixed(1)} s CPU`);
  for (const file of readdirSync(profiles)) summarize(join(profiles, file));
} finally {
  await bench.close();
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
    const where = frame.url ? sourceName(frame.url) : "(native)";
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
  printBusyTimeline(profile, byId);
}

/** A profiled function's file, short: its name, after its package's when it is in node_modules (many are index.js). */
function sourceName(url: string): string {
  const path = url.replace(/\?.*$/, "");
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return inPackage ? `${inPackage[1]} ${basename(path)}` : basename(path);
}

/**
 * The main thread's busy share second by second: where it waits (for S3, for DuckDB's last
 * write) is where the JavaScript thread is not the critical path.
 */
function printBusyTimeline(profile: {samples: number[]; timeDeltas: number[]}, byId: Map<number, ProfileNode>): void {
  const busy: number[] = [];
  const all: number[] = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const second = Math.floor(at / 1e6);
    all[second] = (all[second] ?? 0) + delta;
    if (byId.get(id)!.callFrame.functionName !== "(idle)") busy[second] = (busy[second] ?? 0) + delta;
  });
  const shares = all.map((us, second) => `${second}s ${Math.round((100 * (busy[second] ?? 0)) / (us || 1))}%`);
  console.log(`main thread busy, second by second: ${shares.join(", ")}`);
}
