// `npm run bench:site`: every page of the workbook on a million events. Fills a local S3
// endpoint with 1,000 S3 sink objects (the real log repeated over three instances), syncs,
// builds the site and opens each page in Chromium, printing the time to its first chart and to
// its last. Figures to read; nothing asserts a time. BENCH_SITE_EVENTS sets the size.
import {existsSync} from "node:fs";
import {mkdtemp, readFile, rm, stat} from "node:fs/promises";
import {availableParallelism, tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {PutObjectCommand, CreateBucketCommand} from "@aws-sdk/client-s3";
import {syncStore} from "../data-loaders/sync.js";
import {DEMO_BUCKET} from "../scripts/demo.js";
import {serveSite} from "../scripts/serve-site.js";
import {launchBrowser, openWatchedPage} from "../test/support/browser.js";
import {buildSiteWith} from "../test/support/sample-site.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");
const EVENTS = Number(process.env.BENCH_SITE_EVENTS ?? 1_000_000);
const PER_OBJECT = 1000;
const INSTANCES = ["i-0bench00000000001", "i-0bench00000000002", "i-0bench00000000003"];
// The pages this checkout has (the instance page is a route, always there).
const PAGES = ["/", "/traffic", "/status-codes", "/geography", "/user-agents", "/security", `/instances/${INSTANCES[0]}`, "/explore", "/data-quality"].filter(
  (page) => page.startsWith("/instances/") || existsSync(join(projectDir, "src", `${page === "/" ? "index" : page.slice(1)}.md`)),
);

console.log(`# every page on ${EVENTS.toLocaleString("en")} events — node ${process.version}, ${availableParallelism()} cores`);
const real = (await readFile(resolve(projectDir, "../shared/data/real-logs/elastic-examples-apache_logs"), "utf8")).split("\n").filter(Boolean);
const dir = await mkdtemp(join(tmpdir(), "weblog-bench-site-"));
try {
  let started = performance.now();
  const dist = await buildSiteWith(dir, async (client, config) => {
    await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
    const objects = Math.ceil(EVENTS / PER_OBJECT);
    for (let o = 0; o < objects; o += 8) {
      await Promise.all(
        Array.from({length: Math.min(8, objects - o)}, (_, j) => {
          const index = o + j;
          const instance = INSTANCES[index % INSTANCES.length];
          const topic = `cloudwatchLogsEC2.${instance}`;
          const offset = Math.floor(index / INSTANCES.length) * PER_OBJECT;
          const body = Array.from({length: PER_OBJECT}, (_, k) => JSON.stringify({message: real[(index * PER_OBJECT + k) % real.length]})).join("\n");
          const key = `topics/${topic}/year=2015/${topic}+0+${String(offset).padStart(10, "0")}.json`;
          return client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: body}));
        }),
      );
    }
    console.log(`upload: ${objects} objects in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    const result = await syncStore(config, {client});
    console.log(`sync: ${result.events.toLocaleString("en")} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // Incremental cost: one more 1000-record object on top of that history.
    const topic = `cloudwatchLogsEC2.${INSTANCES[0]}`;
    const body = Array.from({length: PER_OBJECT}, (_, k) => JSON.stringify({message: real[k]})).join("\n");
    await client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: `topics/${topic}/year=2015/${topic}+1+0000000000.json`, Body: body}));
    started = performance.now();
    const one = await syncStore(config, {client});
    console.log(`incremental: one new ${PER_OBJECT}-record object synced in ${((performance.now() - started) / 1000).toFixed(2)} s with ${result.events.toLocaleString("en")} events stored (${one.unchanged} objects unchanged)`);
    started = performance.now();
  });
  const files = join(dist, "_file/data");
  const {readdir} = await import("node:fs/promises");
  const parquet = (await readdir(files)).find((f) => f.startsWith("events."))!;
  console.log(`build: ${((performance.now() - started) / 1000).toFixed(1)} s; events Parquet ${((await stat(join(files, parquet))).size / 1e6).toFixed(1)} MB`);

  const server = await serveSite(dist);
  const browser = await launchBrowser();
  try {
    for (const path of PAGES) {
      const watched = await openWatchedPage(browser, server.url);
      const start = Date.now();
      await watched.page.goto(new URL(path, server.url).href);
      const first = await watched.page.waitForSelector("[data-chart] svg, [data-chart] table, [data-table] table", {timeout: 120_000}).then(
        () => Date.now() - start,
        () => null,
      );
      await watched.page.waitForLoadState("networkidle", {timeout: 120_000}).catch(() => {});
      const settled = Date.now() - start;
      const problems = watched.errors.length + watched.externalRequests.length;
      console.log(`${path.padEnd(40)} first chart ${first === null ? "none" : `${first} ms`}, settled ${settled} ms${problems ? `, ${problems} errors` : ""}`);
      await watched.page.context().close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await rm(dir, {recursive: true, force: true});
}
