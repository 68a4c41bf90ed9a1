// `tsx bench/day-rollups-kept.ts <dir>`: the ways a rebuild makes a day's rollups again, timed on
// a store bench:site kept (BENCH_SITE_KEEP=1) after its rebuild, for the day the new object landed
// on (the latest) and the day before it: counted from all of the day's rows (every rebuild before
// the kept files were used), and from the day's kept file as a rebuild after that object finds it
// (site-data.ts: DayRollupsMade, DayVisitsMade). The kept file is recorded again as made before
// the latest day's smallest segment (the new object's): its rows already hold that segment, so
// only the time is the rebuild's, not the rows. REPEAT (default 2) runs of each, in turns, with
// the CPU time this process (DuckDB's threads with it) spent: a figure a loaded machine bends less.
// Figures to read; nothing asserts a time.
import {mkdir, readdir, rm} from "node:fs/promises";
import {loadavg} from "node:os";
import {join} from "node:path";
import {loadConfig} from "../data-loaders/config.js";
import {exportSiteParquet, storedDays} from "../data-loaders/site-data.js";
import {readManifest, segmentsByDay} from "../data-loaders/store/manifest.js";
import {sqlString, withDuckDB} from "../data-loaders/write/duckdb.js";
import {demoEnvironment} from "../scripts/demo.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/day-rollups-kept.ts <a directory bench:site kept>");
const REPEAT = Number(process.env.REPEAT ?? 2);
const config = loadConfig(join(dir, "project"), demoEnvironment("http://127.0.0.1:1", join(dir, "store")));
const dated = (await storedDays(config)).filter((d) => /^\d{4}-/.test(d.day));
const latestSegments = segmentsByDay(await readManifest(config.store)).get(dated.at(-1)!.day)!;
const [newest] = latestSegments.reduce((a, b) => (a[1].rows <= b[1].rows ? a : b));
const rollupsDir = join(config.store, "site-rollups");
const out = join(config.store, "tmp", "day-rollups-kept");
await mkdir(out, {recursive: true});
try {
  for (const day of dated.slice(-2).reverse()) {
    const kept = (await readdir(rollupsDir)).find((f) => f.startsWith(`${day.day}.${day.rollupsVersion}.`));
    if (!kept) throw new Error(`no kept rollups file of ${day.day}`);
    const before = join(out, `${day.day}.before.parquet`);
    await recordedWithout(join(rollupsDir, kept), before, newest);
    const times: Record<string, number[]> = {counted: [], kept: []};
    const cpu: Record<string, number[]> = {counted: [], kept: []};
    let made = "";
    for (let run = 0; run < REPEAT; run++) {
      for (const way of ["counted", "kept"] as const) {
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const how = await exportSiteParquet(config, "rollups", join(out, `${day.day}.${way}.${run}.parquet`), {day: day.day, earlierRollups: way === "kept" ? before : undefined});
        times[way].push(performance.now() - started);
        const used = process.cpuUsage(cpuBefore);
        cpu[way].push((used.user + used.system) / 1000);
        if (way === "kept") made = `${how?.rollups}, visits ${how?.visits}`;
      }
    }
    const s = (ms: number[]) => ms.map((m) => (m / 1000).toFixed(2)).join(", ");
    console.log(
      `${day.day} (${day.events.toLocaleString("en")} events): counted ${s(times.counted)} s (CPU ${s(cpu.counted)} s); ` +
        `from the kept file (${made}) ${s(times.kept)} s (CPU ${s(cpu.kept)} s) (load ${loadavg()[0].toFixed(1)})`,
    );
  }
} finally {
  await rm(out, {recursive: true, force: true});
}

/** `file`'s rows in `copy`, its record of what it was made from without `segment`. */
async function recordedWithout(file: string, copy: string, segment: string): Promise<void> {
  await withDuckDB({}, async (duckdb) => {
    const rows = (await duckdb.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(${sqlString(file)})`)).getRows();
    const record = Object.fromEntries(rows.map(([key, value]) => [String(key), String(value)]));
    const without = (ids: string) => sqlString(ids.split(",").filter((id) => id !== segment).join(","));
    // A file made before the days around it were recorded records none (its visits are counted whole).
    const around = record.around === undefined ? "" : `, around: ${without(record.around)}`;
    await duckdb.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(file)})) TO ${sqlString(copy)} ` +
        `(FORMAT parquet, COMPRESSION zstd, KV_METADATA {segments: ${without(record.segments)}${around}, ids: ${sqlString(record.ids)}})`,
    );
  });
}
