// `weblog sync` as users run it, a process of its own, timed whole (start-up, listing, reading,
// parsing, enrichment, Parquet, commit) under /usr/bin/time: wall seconds, CPU seconds of the
// process (user + sys, every thread: JavaScript and DuckDB's) and its peak RSS. On a shared,
// loaded machine the CPU seconds say more than the wall time; both are printed.
import {execFileSync} from "node:child_process";
import {readFileSync} from "node:fs";
import {join, resolve} from "node:path";

const projectDir = resolve(import.meta.dirname, "..");
/** The command as users start it. */
export const WEBLOG_BIN = join(projectDir, "bin/weblog.js");
const TIME = "/usr/bin/time";

/** What /usr/bin/time says of one process. */
export interface ProcessFigures {
  wallSeconds: number;
  /** user + sys of the process and its threads. */
  cpuSeconds: number;
  peakRssMB: number;
}

/** Makes the command's bundle current, as `npm ci` leaves it: the command then starts as users start it. */
export function bundleCommand(): void {
  execFileSync(process.execPath, ["--import", "tsx", join(projectDir, "scripts/bundle-cli.ts")], {cwd: projectDir, stdio: "ignore"});
}

/**
 * Runs `weblog sync` in `cwd` with `env` (the bucket, endpoint and store as WEBLOG_* variables);
 * `nodeArgs` go to node before the script (e.g. --cpu-prof); `bin` may be another checkout's
 * bin/weblog.js (a baseline). Throws when the command fails.
 */
export function timeSyncCommand(cwd: string, env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = [], syncArgs: readonly string[] = [], bin = WEBLOG_BIN): ProcessFigures {
  return timeProcess(cwd, env, [process.execPath, ...nodeArgs, bin, "sync", ...syncArgs]);
}

/** Any command timed whole by /usr/bin/time, its output discarded. */
export function timeProcess(cwd: string, env: NodeJS.ProcessEnv, command: readonly string[]): ProcessFigures {
  const figures = join(cwd, ".time-figures");
  execFileSync(TIME, ["-f", "%e %U %S %M", "-o", figures, ...command], {cwd, env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 * 1024 * 1024});
  const [wall, user, sys, rssKB] = readFileSync(figures, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  return {wallSeconds: wall, cpuSeconds: user + sys, peakRssMB: rssKB / 1024};
}
