// `tsx bench/day-rollups-kept.ts <dir>`: the ways a rebuild makes a day's rollups again, timed on
// a store bench:site kept (BENCH_SITE_KEEP=1) after its rebuild, for the day the new object landed
// on (the latest) and the day before it: counted from all of the day's rows (every rebuild before
// the kept files were used), and from the day's kept file with only the visits counted again (a
// neighbour's, site-data.ts: DayRollupsMade "visits"). A sum of added rows into the kept ones
// ("added") is timed by bench:site's rebuild itself. REPEAT (default 2) runs of each, in turns, with
// the CPU time this process (DuckDB's threads with it) spent: a figure a loaded machine bends less.
// Figures to read; nothing asserts a time.
import {mkdir, readdir, rm} from "node:fs/promises";
import {loadavg} from "node:os";
import {join} from "node:path";
import {loadConfig} from "../data-loaders/config.js";
import {exportSiteParquet, storedDays} from "../data-loaders/site-data.js";
import {demoEnvironment} from "../scripts/demo.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/day-rollups-kept.ts <a directory bench:site kept>");
const REPEAT = Number(process.env.REPEAT ?? 2);
const config = loadConfig(join(dir, "project"), demoEnvironment("http://127.0.0.1:1", join(dir, "store")));
const dated = (await storedDays(config)).filter((d) => /^\d{4}-/.test(d.day));
const rollupsDir = join(config.store, "site-rollups");
const out = join(config.store, "tmp", "day-rollups-kept");
await mkdir(out, {recursive: true});
try {
  for (const day of dated.slice(-2).reverse()) {
    const kept = (await readdir(rollupsDir)).find((f) => f.startsWith(`${day.day}.${day.rollupsVersion}.`));
    if (!kept) throw new Error(`no kept rollups file of ${day.day}`);
    const times: Record<string, number[]> = {counted: [], visits: []};
    const cpu: Record<string, number[]> = {counted: [], visits: []};
    for (let run = 0; run < REPEAT; run++) {
      for (const way of ["counted", "visits"] as const) {
        const file = join(out, `${day.day}.${way}.${run}.parquet`);
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const made = await exportSiteParquet(config, "rollups", file, {day: day.day, earlierRollups: way === "visits" ? join(rollupsDir, kept) : undefined});
        times[way].push(performance.now() - started);
        const used = process.cpuUsage(cpuBefore);
        cpu[way].push((used.user + used.system) / 1000);
        if (made?.rollups !== way) throw new Error(`${day.day}: asked for ${way}, made ${made?.rollups}`);
      }
    }
    const s = (ms: number[]) => ms.map((m) => (m / 1000).toFixed(2)).join(", ");
    console.log(
      `${day.day} (${day.events.toLocaleString("en")} events): counted ${s(times.counted)} s (CPU ${s(cpu.counted)} s); ` +
        `visits alone ${s(times.visits)} s (CPU ${s(cpu.visits)} s) (load ${loadavg()[0].toFixed(1)})`,
    );
  }
} finally {
  await rm(out, {recursive: true, force: true});
}
