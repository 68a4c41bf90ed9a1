// The site built from the bundled sample exactly as `npm run demo` builds it, but in a copy of
// the project under .cache/, so tests never touch the developer's own loader cache or store.
// Built once per content hash of everything that shapes it; later test files reuse it.
import {spawn} from "node:child_process";
import {createHash} from "node:crypto";
import {cp, mkdir, readdir, readFile, rm, stat, symlink, writeFile} from "node:fs/promises";
import {join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import type {S3Client} from "@aws-sdk/client-s3";
import {loadConfig, type WeblogConfig} from "../../data-loaders/config.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import {syncStore} from "../../data-loaders/sync.js";
import {refreshSiteData} from "../../data-loaders/site-loaders.js";
import {prepareSiteData} from "../../data-loaders/site-prepare.js";
import {demoEnvironment, DEMO_BUCKET, REWRITES_DIR, SAMPLE_DIR} from "../../scripts/demo.js";
import {bundleLibraries} from "../../scripts/bundle-libraries.js";
import {LOCAL_S3_CREDENTIALS, seedBucket, startLocalS3} from "../../scripts/local-s3.js";
import {lockStore} from "../../data-loaders/store/lock.js";
import {sqlString} from "../../data-loaders/write/duckdb.js";
import {NO_FILTER} from "../../src/queries/query.js";

/** Set while building the sample site; test/site/secrets.test.ts proves it is nowhere in dist/. */
export const SECRET_LICENSE_KEY = "maxmind-license-key-never-in-the-site";

export const PROJECT_DIR = resolve(fileURLToPath(import.meta.url), "../../..");

export interface SampleSite {
  /** The built site. */
  dist: string;
  /** The store the site's loaders read. */
  store: string;
  /** The Parquet files as shipped in dist/, for computing expected numbers in the test: a glob of the day files. */
  eventsParquet: string;
  rejectedParquet: string;
}

const INPUTS = ["src", "data-loaders", "sample", "scripts", "test/support", "observablehq.config.ts", "package-lock.json"];

export async function sampleSite(): Promise<SampleSite> {
  // Generated into src/ before hashing, so the hash is the same on every run.
  await bundleLibraries();
  const hash = await contentHash(INPUTS.map((p) => join(PROJECT_DIR, p)));
  const dir = join(PROJECT_DIR, ".cache/test-site", hash);
  await mkdir(dir, {recursive: true});
  const lock = await lockStore(dir);
  try {
    const done = join(dir, "built");
    if (!(await exists(done))) {
      await buildSampleSite(dir);
      await writeFile(done, new Date().toISOString());
    }
  } finally {
    await lock.release();
  }
  const dist = join(dir, "project/dist");
  return {
    dist,
    store: join(dir, "store"),
    eventsParquet: join(dist, "data/events/*.parquet"),
    rejectedParquet: await findShipped(join(dist, "_file/data"), "rejected"),
  };
}

async function buildSampleSite(dir: string): Promise<void> {
  await rm(join(dir, "store"), {recursive: true, force: true});
  await buildSiteWith(dir, async (client, config) => {
    await seedBucket(client, DEMO_BUCKET, SAMPLE_DIR);
    await syncStore(config, {client});
    // A connector restart before the next build, which takes it in (as `npm run build` syncs first).
    await seedBucket(client, DEMO_BUCKET, REWRITES_DIR);
  });
}

/** One `npm run build` as buildSiteWith runs it: each part's wall time, and what `observable build` printed. */
export interface BuildRun {
  syncMs: number;
  /** refreshSiteData: which cached files the sync made stale. */
  refreshMs: number;
  /** `observable build`, its loaders included. */
  frameworkMs: number;
  /** Its stdout and stderr (the loaders' stderr among it: WEBLOG_TIMINGS lines, data-loaders/build-timings.ts). */
  output: string;
  /** When (ms after it started) `observable build` first printed, and printed "built <n> pages" (every page and data file loaded). */
  firstOutputMs: number;
  pagesBuiltMs: number;
}

/**
 * Runs `work` in this process with the timing lines it reports (WEBLOG_TIMINGS, build-timings.ts)
 * handed to `take` rather than printed: they belong to the build's output, as `weblog build`'s own are.
 */
async function timingsOf<T>(work: () => Promise<T>, take: (lines: string) => void): Promise<T> {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (/^weblog-timing /.test(String(chunk))) take(String(chunk));
    else return write(chunk, ...rest);
    return true;
  }) as typeof process.stderr.write;
  try {
    return await work();
  } finally {
    process.stderr.write = write;
  }
}

/** Runs a command to its end, failing as execFile does; its output, and when the two moments of BuildRun came. */
async function runTimed(command: string, args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}): Promise<Pick<BuildRun, "output" | "firstOutputMs" | "pagesBuiltMs">> {
  const started = performance.now();
  const child = spawn(command, args, {...options, stdio: ["ignore", "pipe", "pipe"]});
  let output = "";
  let firstOutputMs = NaN;
  let pagesBuiltMs = NaN;
  const take = (chunk: Buffer) => {
    const at = performance.now() - started;
    if (Number.isNaN(firstOutputMs)) firstOutputMs = at;
    output += chunk.toString();
    if (Number.isNaN(pagesBuiltMs) && /built\S* \d+ \S*pages?/.test(output.slice(-4096))) pagesBuiltMs = at;
  };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}:\n${output.slice(-8000)}`);
  return {output, firstOutputMs, pagesBuiltMs};
}

/**
 * Builds a copy of the site in `<dir>/project` against its own local S3 endpoint and store
 * `<dir>/store`; `fill` puts the data in the bucket (and may sync), then the build runs as
 * `npm run build` (`weblog build`) does: sync, refresh the site's cached data, `observable build`
 * with the site's data made beside it.
 */
export async function buildSiteWith(
  dir: string,
  fill: (client: S3Client, config: WeblogConfig) => Promise<void>,
  /**
   * Run after the build with the endpoint still up: the benchmark lands an object and builds again
   * with `build`, or with `npmRunBuild` (`npm run build` in the project, as a user runs it).
   */
  then?: (client: S3Client, build: () => Promise<BuildRun>, npmRunBuild: () => Promise<string>) => Promise<void>,
): Promise<string> {
  const project = await copyProject(join(dir, "project"));

  const s3 = await startLocalS3({port: 0});
  try {
    // A license key in the environment, as a user with one would have: it must not reach the site.
    const env = {...demoEnvironment(s3.endpoint, join(dir, "store")), MAXMIND_LICENSE_KEY: SECRET_LICENSE_KEY};
    // The SDK takes credentials from the process environment; the local endpoint accepts any.
    Object.assign(process.env, LOCAL_S3_CREDENTIALS);
    const config = loadConfig(project, {...process.env, ...env});
    const client = createS3Client(config.source);
    await fill(client, config);
    // As `npm run build`: sync, refresh the site's cached data, `observable build`.
    // The package's commands on PATH, as under `npm run` (the .ts loaders run as `node --import tsx`).
    const frameworkEnv = {...process.env, ...env, PATH: `${join(PROJECT_DIR, "node_modules/.bin")}:${process.env.PATH}`};
    const build = async (): Promise<BuildRun> => {
      const started = performance.now();
      await syncStore(config, {client});
      const synced = performance.now();
      const refresh = await refreshSiteData(project, config);
      const refreshed = performance.now();
      // The site's data made beside `observable build`, as `weblog build` does (data-loaders/site-prepare.ts).
      let prepareMessages = "";
      const [framework] = await Promise.all([
        runTimed(join(PROJECT_DIR, "node_modules/.bin/observable"), ["build"], {cwd: project, env: frameworkEnv}),
        timingsOf(() => prepareSiteData(project, config, refresh, {env: frameworkEnv, onMessages: (text) => (prepareMessages += text)}), (lines) => (prepareMessages += lines)),
      ]);
      return {syncMs: synced - started, refreshMs: refreshed - synced, frameworkMs: performance.now() - refreshed, ...framework, output: framework.output + prepareMessages};
    };
    await build();
    await then?.(client, build, () => runTimed("npm", ["run", "build", "--silent"], {cwd: project, env: frameworkEnv}).then(({output}) => output));
  } finally {
    await s3.stop();
  }
  return join(project, "dist");
}

/** A copy of the site's sources at `project` (library, node_modules and the command linked), with no cache. */
export async function copyProject(project: string): Promise<string> {
  await rm(project, {recursive: true, force: true});
  await mkdir(project, {recursive: true});
  await bundleLibraries();
  await cp(join(PROJECT_DIR, "src"), join(project, "src"), {recursive: true, filter: (p) => !p.includes(".observablehq")});
  await cp(join(PROJECT_DIR, "observablehq.config.ts"), join(project, "observablehq.config.ts"));
  await cp(join(PROJECT_DIR, "package.json"), join(project, "package.json"));
  // The library, the packages, and what `npm run build` runs (bin/weblog.js, the scripts it imports).
  for (const shared of ["data-loaders", "node_modules", "bin", "scripts", "package-lock.json"]) await symlink(join(PROJECT_DIR, shared), join(project, shared));
  return project;
}

/**
 * The shipped events as every page counts them when opened: under the default filter, so without
 * the sample's own traffic (the office and monitoring host the demo configures). Put it where a
 * test's SQL says `events`; `read_parquet` of site.eventsParquet alone is every event.
 */
export function eventsUnderDefaultFilter(site: SampleSite): string {
  return `(SELECT * FROM read_parquet(${sqlString(site.eventsParquet)}) ${NO_FILTER.sql})`;
}

async function findShipped(dir: string, name: string): Promise<string> {
  const file = (await readdir(dir)).find((f) => f.startsWith(`${name}.`) && f.endsWith(".parquet"));
  if (!file) throw new Error(`the built site has no ${name}.parquet in ${dir}`);
  return join(dir, file);
}

async function contentHash(paths: string[]): Promise<string> {
  const hash = createHash("sha256");
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) if (name !== ".observablehq" && name !== "node_modules") await visit(join(path, name));
    } else {
      hash.update(relative(PROJECT_DIR, path)).update(await readFile(path));
    }
  };
  for (const path of paths) await visit(path);
  return hash.digest("hex").slice(0, 16);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
