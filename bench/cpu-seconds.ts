// CPU seconds (user and system) for the benchmarks that time builds: on a machine whose load comes
// and goes, a build's CPU moves less than its wall time, so the two are printed side by side.
import {readFileSync} from "node:fs";

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
