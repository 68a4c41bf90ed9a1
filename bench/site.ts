// `npm run bench:site`: every page of the workbook on ten million events (BENCH_SITE_EVENTS).
// Fills a local S3 endpoint with the benchmark workload (bench/workload.ts: the real log over
// three instances and 30 days), syncs, builds the site and opens each page in Chromium, printing
// the time to its first chart and until it settles, and on the Overview the time to redraw after
// a filter changes. Figures to read; nothing asserts a time.
import {existsSync} from "node:fs";
import {mkdtemp, readdir, rm, stat} from "node:fs/promises";
import {availableParallelism, tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {CreateBucketCommand} from "@aws-sdk/client-s3";
import type {Page} from "playwright-core";
import {syncStore} from "../data-loaders/sync.js";
import {DEMO_BUCKET} from "../scripts/demo.js";
import {serveSite} from "../scripts/serve-site.js";
import {launchBrowser, openWatchedPage} from "../test/support/browser.js";
import {buildSiteWith} from "../test/support/sample-site.js";
import {INSTANCES, uploadWorkload} from "./workload.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");
const EVENTS = Number(process.env.BENCH_SITE_EVENTS ?? 10_000_000);
// The pages this checkout has (the instance page is a route, always there).
const PAGES = ["/", "/traffic", "/status-codes", "/geography", "/user-agents", "/security", `/instances/${INSTANCES[0]}`, "/explore", "/data-quality"].filter(
  (page) => page.startsWith("/instances/") || existsSync(join(projectDir, "src", `${page === "/" ? "index" : page.slice(1)}.md`)),
);

console.log(`# every page on ${EVENTS.toLocaleString("en")} events — node ${process.version}, ${availableParallelism()} cores`);
const dir = await mkdtemp(join(tmpdir(), "weblog-bench-site-"));
try {
  let started = performance.now();
  const dist = await buildSiteWith(dir, async (client, config) => {
    await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
    const objects = await uploadWorkload(client, DEMO_BUCKET, EVENTS);
    console.log(`upload: ${objects} objects in ${((performance.now() - started) / 1000).toFixed(1)} s (local endpoint in this process)`);
    started = performance.now();
    const result = await syncStore(config, {client});
    console.log(`sync: ${result.events.toLocaleString("en")} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
  });
  const sizeOf = async (folder: string) => {
    const files = (await readdir(join(dist, "data", folder))).filter((f) => f.endsWith(".parquet"));
    return {files: files.length, bytes: (await Promise.all(files.map((f) => stat(join(dist, "data", folder, f)).then((s) => s.size)))).reduce((a, b) => a + b, 0)};
  };
  const events = await sizeOf("events");
  const rollups = await sizeOf("rollups");
  console.log(
    `build (every day exported): ${((performance.now() - started) / 1000).toFixed(1)} s; ${events.files} day files, ${(events.bytes / 1e6).toFixed(1)} MB, ` +
      `${(events.bytes / EVENTS).toFixed(1)} bytes per event; rollups ${(rollups.bytes / 1e6).toFixed(1)} MB (${(rollups.bytes / EVENTS).toFixed(1)} bytes per event)`,
  );

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
      if (path === "/") console.log(`${"".padEnd(40)} filter redraw (one instance): ${await filterRedrawMs(watched.page)} ms`);
      await watched.page.context().close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await rm(dir, {recursive: true, force: true});
}

/** Picks one instance in the filter bar and times until the Overview's request count is redrawn. */
async function filterRedrawMs(page: Page): Promise<number> {
  const metric = page.locator('[data-metric="requests"]');
  const before = await metric.textContent();
  const start = Date.now();
  await page.getByLabel("Instance").selectOption(INSTANCES[1]);
  await page.waitForFunction((text) => {
    const now = document.querySelector('[data-metric="requests"]')?.textContent;
    return now && now !== text && /\d/.test(now);
  }, before, {timeout: 120_000});
  return Date.now() - start;
}
