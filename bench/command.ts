// The `weblog` command as users run it, a process of its own (issue #14): how long it takes to
// start (the bundle bin/weblog.js runs, against compiling the TypeScript with tsx as it used to),
// and how fast `weblog parse` streams lines with GeoLite2 City, against GoAccess with the same
// database on the same lines. Wall time of whole processes, start-up included. Run alone with
// `npx tsx bench/command.ts`, or as part of `npm run bench`. PARSE_LINES (default 500,000) sets
// the size.
import {execFileSync, spawnSync} from "node:child_process";
import {closeSync, openSync, writeSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {bundledGeoLite2City} from "../data-loaders/enrich/bundled-geolite2.js";
import {benchLine} from "./workload.js";

const projectDir = resolve(import.meta.dirname, "..");
const BIN = join(projectDir, "bin/weblog.js");
const MAIN_TS = join(projectDir, "data-loaders/cli/main.ts");
const STARTS = 5;

export async function commandFigures(work: string): Promise<void> {
  const lines = Number(process.env.PARSE_LINES ?? 500_000);
  console.log(`\n## the weblog command: start-up, and weblog parse on ${lines.toLocaleString("en")} lines with GeoLite2 City`);
  // The bundle as `npm ci` leaves it, current with the sources.
  execFileSync(process.execPath, ["--import", "tsx", join(projectDir, "scripts/bundle-cli.ts")], {cwd: projectDir, stdio: "ignore"});
  const city = await bundledGeoLite2City(join(work, "geoip"));
  const one = join(work, "one-line.log");
  writeLines(one, 1);
  const env = {...process.env, WEBLOG_CONFIG: "", NODE_NO_WARNINGS: "1"};
  const tsx = ["--import", "tsx", MAIN_TS];
  for (const [label, args, input] of [
    ["weblog --help", ["--help"], null],
    ["weblog parse, one line", ["parse", "--geoip", city], one],
  ] as const) {
    const bundled = medianSeconds(() => run([BIN, ...args], input, env));
    const compiled = medianSeconds(() => run([...tsx, ...args], input, env));
    console.log(`start-up, ${label}: ${bundled.toFixed(2)} s (bundle) vs ${compiled.toFixed(2)} s (TypeScript compiled by tsx), median of ${STARTS}`);
  }

  const file = join(work, "parse-input.log");
  writeLines(file, lines);
  let started = performance.now();
  run([BIN, "parse", "--geoip", city], file, env);
  const seconds = (performance.now() - started) / 1000;
  const rate = lines / seconds;
  console.log(`weblog parse, whole process: ${perSecond(rate)} lines/s (${seconds.toFixed(1)} s wall, start-up included)`);
  const version = spawnSync("goaccess", ["--version"], {encoding: "utf8"});
  if (version.error) {
    console.log("GoAccess not installed (apt-get install goaccess): no comparison");
    return;
  }
  started = performance.now();
  execFileSync("goaccess", [file, "--log-format=COMBINED", "--no-global-config", "-o", join(work, "goaccess.json"), `--geoip-database=${city}`], {stdio: "ignore"});
  const goaccess = lines / ((performance.now() - started) / 1000);
  console.log(`GoAccess ${version.stdout.split("\n")[0].replace("GoAccess - ", "").replace(/\.$/, "")} with GeoLite2 City, same lines: ${perSecond(goaccess)} lines/s → weblog parse ${(rate / goaccess).toFixed(2)}× GoAccess`);
}

/** Runs node with `args`, stdin from `input` (or nothing), stdout discarded; throws on failure. */
function run(args: readonly string[], input: string | null, env: NodeJS.ProcessEnv): void {
  const stdin = input === null ? "ignore" : openSync(input, "r");
  try {
    const result = spawnSync(process.execPath, args, {cwd: projectDir, env, stdio: [stdin, "ignore", "pipe"], encoding: "utf8"});
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

function writeLines(file: string, count: number): void {
  const fd = openSync(file, "w");
  const chunk: string[] = [];
  for (let i = 0; i < count; i++) {
    chunk.push(benchLine(i, count));
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
