// The rebuild after one new S3 object, of this checkout and of another (a baseline), on copies of
// one store bench:site kept (BENCH_SITE_KEEP=1), round after round and in turns: on a machine
// whose speed moves between runs, only figures taken back to back compare. Each side has its own
// copy of the store and a project of its own code; a round lands one new object (the next offset
// of the first instance's topic, its lines on the month's last day) and runs `npm run build` as a
// user does, on each side: `weblog sync` (which refreshes the site's cached data), then
// `observable build`, timed whole, with the CPU seconds of all its processes. A first build on
// each side, untimed, brings its store's site files to its own code's. Figures for people;
// nothing asserts a time. REBUILD_AB_STEPS=1 prints each timed build's steps (WEBLOG_TIMINGS), each
// with the second of the build it ended at (`events-export 8.2 →14.1`: where the critical path goes);
// REBUILD_AB_PROFILE=<dir> has every Node process of each timed build write a CPU profile there,
// in a folder per round and side (through NODE_OPTIONS, which takes --cpu-prof from Node 22 on:
// run the bench with Node 22 or 24 first on PATH).
//   npx tsx bench/rebuild-ab.ts <kept dir> <baseline checkout> [rounds=3]
import {spawn} from "node:child_process";
import {once} from "node:events";
import {createInterface} from "node:readline";
import {cp, mkdir, readFile, rm, symlink} from "node:fs/promises";
import {availableParallelism, loadavg} from "node:os";
import {join, resolve} from "node:path";
import {CreateBucketCommand, PutObjectCommand} from "@aws-sdk/client-s3";
import {loadConfig} from "../data-loaders/config.js";
import {readManifest} from "../data-loaders/store/manifest.js";
import {createS3Client} from "../data-loaders/sources/s3-client.js";
import {demoEnvironment, DEMO_BUCKET} from "../scripts/demo.js";
import {LOCAL_S3_CREDENTIALS, startLocalS3} from "../scripts/local-s3.js";
import {buildTimings} from "../data-loaders/build-timings.js";
import {childrenCpuSeconds} from "./cpu-seconds.js";
import {benchObject, INSTANCES, RECORDS_PER_OBJECT} from "./workload.js";

const [keptArg, baselineArg] = process.argv.slice(2);
if (!keptArg || !baselineArg) throw new Error("usage: npx tsx bench/rebuild-ab.ts <kept dir> <baseline checkout> [rounds]");
const kept = resolve(keptArg);
const rounds = Number(process.argv[4] ?? 3);
const sides = {baseline: resolve(baselineArg), "this checkout": resolve(import.meta.dirname, "..")};
const work = join(kept, "rebuild-ab");

// The events the kept store holds, and its objects, so the new objects follow its topics' offsets.
const manifest = await readManifest(join(kept, "store"));
const events = Object.values(manifest.segments).reduce((n, s) => n + (s.kind === "events" ? s.rows : 0), 0);
console.log(`# rebuild after one new object, ${events.toLocaleString("en")} events kept — node ${process.version}, ${availableParallelism()} cores; baseline ${sides.baseline}, ${rounds} rounds`);

await rm(work, {recursive: true, force: true});
const s3 = await startLocalS3();
try {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  // The bucket holds only the rounds' new objects, not the kept store's: a full listing (due an hour
  // after the store's last) would take the kept objects for deleted ones and remove their events.
  process.env.WEBLOG_FULL_LISTING_MINUTES = String(365 * 24 * 60);
  const dirs = Object.fromEntries(
    await Promise.all(
      Object.entries(sides).map(async ([label, code]) => {
        const dir = join(work, label.replace(/\W+/g, "-"));
        await mkdir(dir, {recursive: true});
        await cp(join(kept, "store"), join(dir, "store"), {recursive: true});
        // The side's own pages, configuration and library; node_modules shared.
        const project = join(dir, "project");
        await mkdir(project);
        await cp(join(code, "src"), join(project, "src"), {recursive: true, filter: (path) => !path.includes(".observablehq")});
        for (const file of ["observablehq.config.ts", "package.json"]) await cp(join(code, file), join(project, file));
        for (const shared of ["data-loaders", "node_modules"]) await symlink(join(code, shared), join(project, shared));
        return [label, {code, project, store: join(dir, "store")}];
      }),
    ),
  );
  const client = createS3Client(loadConfig(kept, {...process.env, ...demoEnvironment(s3.endpoint, join(kept, "store"))}).source);
  await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
  // Not execFileSync: the local endpoint answers from this process's event loop. Each line of its
  // stderr with the build's second it came at (a step's line comes as the step ends).
  const run = async (command: string, args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}, started: number): Promise<{stderr: string; ends: Map<string, number>}> => {
    const child = spawn(command, args, {...options, stdio: ["ignore", "ignore", "pipe"]});
    let stderr = "";
    const ends = new Map<string, number>();
    // Line by line, so that a step's line cut between two reads is still seen whole.
    createInterface({input: child.stderr}).on("line", (line) => {
      const step = /weblog-timing (\S+) \d+$/.exec(line)?.[1];
      if (step) ends.set(step, (performance.now() - started) / 1000);
      stderr += `${line}\n`;
    });
    const [code] = (await once(child, "close")) as [number | null];
    if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}:\n${stderr.slice(-4000)}`);
    return {stderr, ends};
  };
  const build = async (label: string, profileDir?: string): Promise<{seconds: number; cpuSeconds: number; steps: string}> => {
    const {code, project, store} = dirs[label];
    const cpuBefore = childrenCpuSeconds();
    const profiling = profileDir ? {NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${profileDir}`} : {};
    const env = {...process.env, ...profiling, ...demoEnvironment(s3.endpoint, store), PATH: `${join(code, "node_modules/.bin")}:${process.env.PATH}`, ...(process.env.REBUILD_AB_STEPS ? {WEBLOG_TIMINGS: "1"} : {})};
    const started = performance.now();
    let output = "";
    const ends = new Map<string, number>();
    const ran = ({stderr, ends: stepEnds}: {stderr: string; ends: Map<string, number>}) => {
      output += stderr;
      for (const [step, at] of stepEnds) ends.set(step, at);
    };
    // As the side's `npm run build` does: `weblog build`, or (before it) `weblog sync` then `observable build`.
    if (await buildsWithWeblog(code)) {
      ran(await run(process.execPath, [join(code, "bin/weblog.js"), "build"], {cwd: project, env}, started));
    } else {
      ran(await run(process.execPath, [join(code, "bin/weblog.js"), "sync"], {cwd: project, env}, started));
      ran(await run(join(code, "node_modules/.bin/observable"), ["build"], {cwd: project, env: {...env, OBSERVABLE_TELEMETRY_DISABLE: "true"}}, started));
    }
    // A step run more than once ends at its last run.
    const steps = [...buildTimings(output)].map(([step, {ms, runs}]) => `${step} ${(ms / 1000).toFixed(1)}${runs > 1 ? `×${runs}` : ""} →${ends.get(step)?.toFixed(1)}`).join(", ");
    return {seconds: (performance.now() - started) / 1000, cpuSeconds: childrenCpuSeconds() - cpuBefore, steps};
  };
  for (const label of Object.keys(sides)) console.log(`${label}: first build (its own site files) ${(await build(label)).seconds.toFixed(1)} s`);
  const objects = Math.ceil(events / RECORDS_PER_OBJECT);
  let next = objects + ((INSTANCES.length - (objects % INSTANCES.length)) % INSTANCES.length);
  const newObject = () => benchObject(next, (next + 1) * RECORDS_PER_OBJECT, 2025, "diverse");
  // Past the one bench:site landed after its build.
  while (newObject().key in manifest.objects) next += INSTANCES.length;
  for (let round = 1; round <= rounds; round++) {
    const {key, body} = newObject();
    await client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: body}));
    next += INSTANCES.length;
    // Each side's turn first in alternate rounds.
    const order = round % 2 === 1 ? Object.keys(sides) : Object.keys(sides).reverse();
    const figures: string[] = [];
    for (const label of order) {
      const load = loadavg()[0];
      const profileDir = process.env.REBUILD_AB_PROFILE ? join(resolve(process.env.REBUILD_AB_PROFILE), `round-${round}-${label.replace(/\W+/g, "-")}`) : undefined;
      const {seconds, cpuSeconds, steps} = await build(label, profileDir);
      figures.push(`${label} ${seconds.toFixed(1)} s (CPU ${cpuSeconds.toFixed(1)} s, load before ${load.toFixed(1)})${steps ? ` [${steps}]` : ""}`);
    }
    console.log(`round ${round}: ${figures.join(", ")}`);
  }
} finally {
  await s3.stop();
  await rm(work, {recursive: true, force: true});
}

/** Whether a checkout's `npm run build` is `weblog build` (the site's data made beside Framework). */
async function buildsWithWeblog(code: string): Promise<boolean> {
  const {scripts} = JSON.parse(await readFile(join(code, "package.json"), "utf8")) as {scripts: Record<string, string>};
  return /weblog\.js build\b/.test(scripts.build);
}
