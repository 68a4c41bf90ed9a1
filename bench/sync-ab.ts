// `weblog sync` of this checkout and of another (a baseline) on the same objects, alternately,
// round after round: on a machine others share, only figures taken back to back compare. Each run
// is the whole command into a fresh store, timed by /usr/bin/time: wall, CPU (user+sys, all
// threads), peak RSS, the cores it kept busy (CPU over wall) and the load average before it.
// Figures for people; nothing asserts a time.
//   npx tsx bench/sync-ab.ts <baseline checkout> [events=1000000] [workload=diverse] [rounds=3]
// SYNC_AB_NODE_ARGS (space-separated, e.g. "--max-semi-space-size=32") go to node for this
// checkout's runs only: with the baseline set to this same checkout, it measures a V8 flag.
// BENCH_RECORDS=connector writes the records as the real connector does (bench/workload.ts: RecordShape).
import {rm} from "node:fs/promises";
import {loadavg} from "node:os";
import {join, resolve} from "node:path";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {benchBucket} from "./bench-bucket.js";
import {bundleCommand, timeSyncCommand, type ProcessFigures} from "./sync-command.js";
import {recordShapeOf, type Workload} from "./workload.js";

const baseline = process.argv[2];
if (!baseline) throw new Error("usage: npx tsx bench/sync-ab.ts <baseline checkout> [events] [workload] [rounds]");
const events = Number(process.argv[3] ?? 1_000_000);
const workload = (process.argv[4] ?? "diverse") as Workload;
const rounds = Number(process.argv[5] ?? 3);

const bench = await benchBucket("ab", events, workload, recordShapeOf(process.env));
const {work} = bench;
try {
  bundleCommand();
  await bundledGeoLite2City(join(work, "geoip"));
  const env = (store: string) => bench.syncEnvironment(store, join(work, "geoip"));
  const nodeArgs = (process.env.SYNC_AB_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== "");
  const commands = {baseline: join(resolve(baseline), "bin/weblog.js"), "this checkout": join(import.meta.dirname, "../bin/weblog.js")};
  console.log(`${events.toLocaleString("en")} events, ${workload} workload, records as ${recordShapeOf(process.env)}, ${rounds} rounds; baseline ${resolve(baseline)}${nodeArgs.length > 0 ? `; this checkout with node ${nodeArgs.join(" ")}` : ""}`);
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
  await bench.close();
}

function describe(f: ProcessFigures): string {
  return `${f.wallSeconds.toFixed(1)} s wall, ${f.cpuSeconds.toFixed(1)} s CPU (${((f.cpuSeconds * 1e6) / events).toFixed(1)} µs per event), cores busy ${(f.cpuSeconds / f.wallSeconds).toFixed(2)}, peak RSS ${f.peakRssMB.toFixed(0)} MB`;
}
