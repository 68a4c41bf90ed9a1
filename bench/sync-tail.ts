// The tail of a sync: how long it goes on after its last object arrived (the writes that no
// parsing overlaps), and the batches it closed, for this checkout and another (a baseline)
// alternately on the same objects. Both syncs run in this process (syncStore, not the command),
// so the figures are the sync's own; the whole command is bench/sync-ab.ts's.
// Figures for people; nothing asserts a time.
//   npx tsx bench/sync-tail.ts <baseline checkout> [events=1000000] [workload=diverse] [rounds=2]
import {rm} from "node:fs/promises";
import {loadavg} from "node:os";
import {join, resolve} from "node:path";
import {resolveConfig} from "../data-loaders/config.js";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import type {syncStore as SyncStore} from "../data-loaders/sync.js";
import {benchBucket} from "./bench-bucket.js";
import type {Workload} from "./workload.js";

const baseline = process.argv[2];
if (!baseline) throw new Error("usage: npx tsx bench/sync-tail.ts <baseline checkout> [events] [workload] [rounds]");
const events = Number(process.argv[3] ?? 1_000_000);
const workload = (process.argv[4] ?? "diverse") as Workload;
const rounds = Number(process.argv[5] ?? 2);

const bench = await benchBucket("tail", events, workload);
const {work, client} = bench;
try {
  const configOf = (store: string) => resolveConfig({bucket: bench.bucket, endpoint: bench.endpoint, store}, {WEBLOG_GEOIP_DIR: join(work, "geoip")}, work);
  await bundledGeoLite2City(join(work, "geoip"));
  const syncs: Record<string, typeof SyncStore> = {
    baseline: (await import(join(resolve(baseline), "data-loaders/sync.ts"))).syncStore,
    "this checkout": (await import("../data-loaders/sync.js")).syncStore,
  };
  console.log(`${events.toLocaleString("en")} events, ${workload} workload, ${rounds} rounds; baseline ${resolve(baseline)}`);
  for (let round = 1; round <= rounds; round++) {
    for (const [label, syncStore] of Object.entries(syncs)) {
      const store = join(work, "store");
      const load = loadavg()[0];
      const started = performance.now();
      const cpu = process.cpuUsage();
      let lastArrived = 0;
      const batches: string[] = [];
      await syncStore(configOf(store), {
        client,
        log: (message) => {
          if (message.startsWith("committed")) batches.push(message.split(", ")[1]);
        },
        // Called as each object arrives, before it is parsed: objectsDone counts the ones before it.
        onProgress: ({objectsDone, objectsTotal}) => {
          if (objectsDone === objectsTotal - 1 && lastArrived === 0) lastArrived = performance.now();
        },
      });
      const ended = performance.now();
      const used = process.cpuUsage(cpu);
      console.log(
        `round ${round}, ${label.padEnd(13)}: ${((ended - started) / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU; ` +
          `${((ended - lastArrived) / 1000).toFixed(2)} s after the last object arrived; batches ${batches.join(" / ")}; load average before ${load.toFixed(1)}`,
      );
      await rm(store, {recursive: true, force: true});
    }
  }
} finally {
  await bench.close();
}
