// The `weblog` command as users run it, a process of its own (issue #14): how long it takes to
// start (the bundle bin/weblog.js runs, against compiling the TypeScript with tsx as it used to),
// and how fast `weblog parse` streams lines with GeoLite2 City, against GoAccess with the same
// database on the same lines: the real lines repeated, and the diverse workload (25,000 clients,
// a third IPv6, thousands of agents and paths). Whole processes, start-up included, timed two
// ways: wall time, and CPU time (user + system, from /usr/bin/time), which the other work on a
// shared machine disturbs less. `weblog parse` runs on its default (one thread per idle core),
// on one thread and on one per core; GoAccess 1.7 parses on one thread. Run alone with `npx tsx bench/command.ts`, or as part of
// `npm run bench`. Each workload's figure is the median ratio of PARSE_PAIRS (default 3) alternated
// pairs of runs. PARSE_LINES (default 500,000) sets the size; BENCH_PARSE_ONLY=1 skips the
// start-up figures; BENCH_NODE names the node that runs the command (by default the one running
// the bench: with Node 20 running the bench, BENCH_NODE=/path/to/node22 measures the documented
// baseline, package.json's engines).
import {execFileSync, spawnSync} from "node:child_process";
import {closeSync, existsSync, openSync, readFileSync, writeSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {availableParallelism, loadavg, tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {benchLine, diverseLine} from "./workload.js";

const projectDir = resolve(import.meta.dirname, "..");
const BIN = join(projectDir, "bin/weblog.js");
const MAIN_TS = join(projectDir, "data-loaders/cli/main.ts");
const STARTS = 5;
/** Alternated pairs of `weblog parse` and GoAccess per workload (PARSE_PAIRS); the median's ratio is the figure. */
const PAIRS = Math.max(1, Number(process.env.PARSE_PAIRS ?? 3));
/** The node that runs the command (the bench itself may run on another). */
const NODE = process.env.BENCH_NODE || process.execPath;

export async function commandFigures(work: string): Promise<void> {
  const lines = Number(process.env.PARSE_LINES ?? 500_000);
  const nodeVersion = execFileSync(NODE, ["--version"], {encoding: "utf8"}).trim();
  console.log(`\n## the weblog command (on Node ${nodeVersion}): start-up, and weblog parse on ${lines.toLocaleString("en")} lines with GeoLite2 City`);
  // The bundle as `npm ci` leaves it, current with the sources.
  execFileSync(process.execPath, ["--import", "tsx", join(projectDir, "scripts/bundle-cli.ts")], {cwd: projectDir, stdio: "ignore"});
  const city = await bundledGeoLite2City(join(work, "geoip"));
  const one = join(work, "one-line.log");
  writeLines(one, 1);
  const env = {...process.env, WEBLOG_CONFIG: "", NODE_NO_WARNINGS: "1"};
  const tsx = ["--import", "tsx", MAIN_TS];
  const starts = process.env.BENCH_PARSE_ONLY === "1" ? [] : ([
    ["weblog --help", ["--help"], null],
    ["weblog parse, one line", ["parse", "--geoip", city], one],
  ] as const);
  for (const [label, args, input] of starts) {
    const bundled = medianSeconds(() => run([BIN, ...args], input, env));
    const compiled = medianSeconds(() => run([...tsx, ...args], input, env));
    console.log(`start-up, ${label}: ${bundled.toFixed(2)} s (bundle) vs ${compiled.toFixed(2)} s (TypeScript compiled by tsx), median of ${STARTS}`);
  }

  const version = spawnSync("goaccess", ["--version"], {encoding: "utf8"});
  const goaccessName = version.error ? null : `GoAccess ${version.stdout.split("\n")[0].replace("GoAccess - ", "").replace(/\.$/, "")}`;
  if (goaccessName === null) console.log("GoAccess not installed (apt-get install goaccess): no comparison");
  for (const [workload, lineOf] of [
    ["the real lines repeated", benchLine],
    ["diverse (25,000 clients, a third IPv6)", diverseLine],
  ] as const) {
    const file = join(work, "parse-input.log");
    writeLines(file, lines, lineOf);
    const load = loadavg()[0];
    // On one thread, what a machine busy with other work gets: one run, for the record.
    if (availableParallelism() > 1) {
      const one = timed(NODE, [BIN, "parse", "--geoip", city, "--threads", "1"], file, env);
      console.log(`${workload}: weblog parse --threads 1 ${rates(one, lines)}`);
    }
    if (goaccessName === null) {
      const weblog = timed(NODE, [BIN, "parse", "--geoip", city], file, env);
      console.log(`${workload}: weblog parse, default threads (${availableParallelism()}, one per core) ${rates(weblog, lines)}`);
      continue;
    }
    // Its default (one thread per core) against GoAccess, in alternated pairs: a shared machine's
    // speed drifts by tens of percent between minutes, and each pair's two runs share the minute.
    const ratios: number[] = [];
    for (let pair = 1; pair <= PAIRS; pair++) {
      const weblog = timed(NODE, [BIN, "parse", "--geoip", city], file, env);
      const goaccess = timed("goaccess", [file, "--log-format=COMBINED", "--no-global-config", "-o", join(work, "goaccess.json"), `--geoip-database=${city}`], null, env);
      ratios.push(goaccess.wall / weblog.wall);
      const cpu = weblog.cpu !== null && goaccess.cpu !== null ? `, by CPU time ${(goaccess.cpu / weblog.cpu).toFixed(2)}×` : "";
      console.log(`${workload}, pair ${pair} of ${PAIRS}: weblog parse, default threads (${availableParallelism()}, one per core) ${rates(weblog, lines)}`);
      console.log(`${workload}, pair ${pair} of ${PAIRS}: ${goaccessName} with GeoLite2 City, on 1 thread, ${rates(goaccess, lines)}`);
      console.log(`${workload}, pair ${pair} of ${PAIRS}: ${(goaccess.wall / weblog.wall).toFixed(2)}× by wall time${cpu}`);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    // The machine is shared: the load says how much of it these runs had.
    console.log(
      `${workload}: weblog parse is ${sorted[(PAIRS - 1) >> 1].toFixed(2)}× GoAccess by wall time, the median of ${PAIRS} pairs (${ratios.map((r) => r.toFixed(2)).join(", ")}; ` +
        `load average ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
    );
  }
}

interface Times {
  /** Seconds from start to exit. */
  wall: number;
  /** User + system CPU seconds, or null without /usr/bin/time. */
  cpu: number | null;
}

const TIME = "/usr/bin/time";

/** Runs a whole process, stdin from `input`, stdout discarded, through /usr/bin/time when there is one. */
function timed(command: string, args: readonly string[], input: string | null, env: NodeJS.ProcessEnv): Times {
  const stdin = input === null ? "ignore" : openSync(input, "r");
  const report = join(tmpdir(), `weblog-bench-time-${process.pid}.txt`);
  const withTime = existsSync(TIME);
  try {
    const started = performance.now();
    const result = withTime
      ? spawnSync(TIME, ["-f", "%U %S", "-o", report, command, ...args], {cwd: projectDir, env, stdio: [stdin, "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 << 20})
      : spawnSync(command, args, {cwd: projectDir, env, stdio: [stdin, "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 << 20});
    const wall = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.status}: ${result.stderr.slice(-2000)}`);
    if (!withTime) return {wall, cpu: null};
    const [user, system] = readFileSync(report, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    return {wall, cpu: user + system};
  } finally {
    if (typeof stdin === "number") closeSync(stdin);
  }
}

function rates({wall, cpu}: Times, lines: number): string {
  const byCpu = cpu === null ? "" : `; ${perSecond(lines / cpu)} lines per CPU second (${cpu.toFixed(2)} s user + system)`;
  return `${perSecond(lines / wall)} lines/s wall (${wall.toFixed(1)} s, start-up included)${byCpu}`;
}

/** Runs node with `args`, stdin from `input` (or nothing), stdout discarded; throws on failure. */
function run(args: readonly string[], input: string | null, env: NodeJS.ProcessEnv): void {
  const stdin = input === null ? "ignore" : openSync(input, "r");
  try {
    const result = spawnSync(NODE, args, {cwd: projectDir, env, stdio: [stdin, "ignore", "pipe"], encoding: "utf8"});
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${result.status}: ${result.stderr}`);
  } finally {
    if (typeof stdin === "number") closeSync(stdin);
  }
}

function medianSeconds(task: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const started = performance.now();
    task();
    times.push((performance.now() - started) / 1000);
  }
  return times.sort((a, b) => a - b)[STARTS >> 1];
}

function writeLines(file: string, count: number, lineOf: (i: number, total: number) => string = benchLine): void {
  const fd = openSync(file, "w");
  const chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    chunk.push(lineOf(i, count));
    if (chunk.length === 100_000 || i === count - 1) {
      writeSync(fd, chunk.join("\n") + "\n");
      chunk.length = 0;
    }
  }
  closeSync(fd);
}

function perSecond(rate: number): string {
  return Math.round(rate).toLocaleString("en");
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const work = await mkdtemp(join(tmpdir(), "weblog-command-"));
  try {
    await commandFigures(work);
  } finally {
    await rm(work, {recursive: true, force: true});
  }
}
