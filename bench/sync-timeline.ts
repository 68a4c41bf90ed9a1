// Where a sync's wall time goes, second by second: `weblog sync` run as users run it (the bundled
// command, a process of its own) on a workload in the local S3 endpoint, its own log lines printed
// with the time they came, and every half second the CPU its JavaScript thread took and the CPU of
// all its other threads (the reader and writer threads, DuckDB's, the garbage collector's), read
// from /proc. At the end: how much of the two cores the sync left idle, and when. Figures for
// people (issue 13: which parts of a sync nothing overlaps); nothing asserts a time. Linux only.
//   npx tsx bench/sync-timeline.ts [events=1000000] [workload=diverse]   (BENCH_RECORDS=connector: records as the real connector writes them)
import {spawn} from "node:child_process";
import {availableParallelism} from "node:os";
import {join} from "node:path";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {benchBucket} from "./bench-bucket.js";
import {threadsCpuSeconds} from "./cpu-seconds.js";
import {bundleCommand, WEBLOG_BIN} from "./sync-command.js";
import {recordShapeOf, type Workload} from "./workload.js";

const events = Number(process.argv[2] ?? 1_000_000);
const workload = (process.argv[3] ?? "diverse") as Workload;
const SAMPLE_MS = 500;
const bench = await benchBucket("timeline", events, workload, recordShapeOf(process.env));
try {
  bundleCommand();
  await bundledGeoLite2City(join(bench.work, "geoip"));
  const cores = availableParallelism();
  console.log(`# weblog sync of ${events.toLocaleString("en")} events (${workload} workload, ${bench.work}), node ${process.version}, ${cores} cores`);
  console.log(`# every ${SAMPLE_MS} ms: the JavaScript thread's CPU, the other threads' together, as % of one core`);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const sync = spawn(process.execPath, [WEBLOG_BIN, "sync"], {env: bench.syncEnvironment(join(bench.work, "store"), join(bench.work, "geoip")), stdio: ["ignore", "pipe", "pipe"]});
  for (const stream of [sync.stdout, sync.stderr]) {
    let partial = "";
    stream.setEncoding("utf8").on("data", (text: string) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") console.log(`${elapsed().toFixed(2).padStart(7)} s  ${line}`);
    });
  }
  let before = new Map<number, number>();
  let idleCoreSeconds = 0;
  const sample = () => {
    let now: Map<number, number>;
    try {
      now = threadsCpuSeconds(sync.pid!);
    } catch {
      return; // the process has ended
    }
    let main = 0;
    let others = 0;
    for (const [tid, seconds] of now) {
      const used = seconds - (before.get(tid) ?? 0);
      if (tid === sync.pid) main += used;
      else others += used;
    }
    before = now;
    const window = SAMPLE_MS / 1000;
    idleCoreSeconds += Math.max(0, cores * window - main - others);
    const percent = (seconds: number) => `${Math.round((100 * seconds) / window)}%`.padStart(5);
    console.log(`${elapsed().toFixed(2).padStart(7)} s    JavaScript thread ${percent(main)}, other threads ${percent(others)}`);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const code = await new Promise<number | null>((resolve) => sync.on("close", resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`weblog sync exited with ${code}`);
  const wall = elapsed();
  console.log(`# ${wall.toFixed(2)} s wall; of its ${(cores * wall).toFixed(1)} core-seconds about ${idleCoreSeconds.toFixed(1)} idle (counted per ${SAMPLE_MS} ms, the last part-window not)`);
} finally {
  await bench.close();
}
