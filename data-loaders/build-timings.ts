// Where a build's time goes: each step of making the site's data reports its wall time on stderr
// when WEBLOG_TIMINGS is set, one `weblog-timing <step> <ms>` line per step, which Framework
// passes through from its loaders. bench/site.ts sets it and sums the lines back into the
// rebuild's breakdown; without it nothing is printed.

/** Runs `work`, and reports how long it took as `step` when WEBLOG_TIMINGS is set. */
export async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  if (!process.env.WEBLOG_TIMINGS) return work();
  const start = performance.now();
  try {
    return await work();
  } finally {
    reportTiming(step, performance.now() - start);
  }
}

/** Reports a step's time when WEBLOG_TIMINGS is set: for a step named only once it is done (by what it turned out to do). */
export function reportTiming(step: string, ms: number): void {
  if (process.env.WEBLOG_TIMINGS) process.stderr.write(`weblog-timing ${step} ${Math.round(ms)}\n`);
}

/** Each step's milliseconds summed over a build's output, and how many times it ran. */
export function buildTimings(output: string): Map<string, {ms: number; runs: number}> {
  const steps = new Map<string, {ms: number; runs: number}>();
  // Not anchored at the line's start: Framework may have begun a line of its own ("load … → ") when a loader prints.
  for (const [, step, ms] of output.matchAll(/weblog-timing (\S+) (\d+)$/gm)) {
    const sum = steps.get(step) ?? {ms: 0, runs: 0};
    steps.set(step, {ms: sum.ms + Number(ms), runs: sum.runs + 1});
  }
  return steps;
}

/**
 * What Framework says each file load took in a build's output (`load <path> → … in <n>ms`),
 * summed by path (an archive is loaded once per file extracted from it). Loads nest (a file
 * extracted from an archive loads the archive first), so each `load` is paired with the next
 * unpaired outcome, innermost first.
 */
export function frameworkLoadTimes(output: string): Map<string, number> {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const open: string[] = [];
  const times = new Map<string, number>();
  for (const [, path, ms] of plain.matchAll(/\bload (\S+) \u2192 |(?:\bsuccess [^\n]*?|\berror) in (\d+)ms/g) as Iterable<RegExpMatchArray>) {
    if (path !== undefined) open.push(path);
    else if (open.length > 0) {
      const loaded = open.pop()!;
      times.set(loaded, (times.get(loaded) ?? 0) + Number(ms));
    }
  }
  return times;
}

/**
 * The wall time of the loads Framework ran in `output` (a part of a build's output), each counted
 * once: only the outermost of nested loads (an extraction includes its archive's load), since
 * `observable build` runs them one after the other.
 */
export function frameworkLoadWallTime(output: string): number {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  let open = 0;
  let ms = 0;
  for (const [, path, elapsed] of plain.matchAll(/\bload (\S+) \u2192 |(?:\bsuccess [^\n]*?|\berror) in (\d+)ms/g) as Iterable<RegExpMatchArray>) {
    if (path !== undefined) open++;
    else if (open > 0 && --open === 0) ms += Number(elapsed);
  }
  return ms;
}
