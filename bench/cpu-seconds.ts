// CPU seconds (user and system) for the benchmarks that time builds: on a machine whose load comes
// and goes, a build's CPU moves less than its wall time, so the two are printed side by side.
import {readdirSync, readFileSync} from "node:fs";

/** Linux's USER_HZ, the unit of /proc's times: 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The CPU seconds of every process this one has started and waited for, their own children
 * included (Linux: /proc/self/stat's cutime and cstime, the line's 16th and 17th fields).
 */
export function childrenCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // The fields after the command's closing parenthesis, from the state on.
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
}

/** This process's CPU seconds and its waited-for children's, so far. */
export function processTreeCpuSeconds(): number {
  const {user, system} = process.cpuUsage();
  return (user + system) / 1e6 + childrenCpuSeconds();
}

/** The CPU seconds (utime + stime, the 12th and 13th fields after the command's name) of one /proc stat line. */
function threadStatCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** This process's main thread's CPU seconds so far (Linux), without its other threads'. */
export function mainThreadCpuSeconds(): number {
  return threadStatCpuSeconds(readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8"));
}

/** The CPU seconds so far of each thread of process `pid` (Linux), by thread id. */
export function threadsCpuSeconds(pid: number): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) seconds.set(Number(tid), threadStatCpuSeconds(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
  return seconds;
}
