// The Overview page, built from the bundled sample and opened in Chromium: its numbers are the
// ones SQL over the shipped Parquet gives, and nothing leaves the site's origin.
import assert from "node:assert/strict";
import {mkdir, readdir, stat} from "node:fs/promises";
import {join} from "node:path";
import {after, before, test} from "node:test";
import type {Browser, Request} from "playwright-core";
import {openDuckDB} from "../../data-loaders/write/duckdb.js";
import {serveSite, type SiteServer} from "../../scripts/serve-site.js";
import {formatBytes, formatCount, formatPercent} from "../../src/components/format.js";
import {timeBucketFor} from "../../src/components/time-bucket.js";
import {answeredBy, launchBrowser, openWatchedPage, type WatchedPage} from "../support/browser.js";
import {eventsUnderDefaultFilter, PROJECT_DIR, sampleSite, type SampleSite} from "../support/sample-site.js";

// The rollup kinds the Overview's queries read: the hourly, per-path and per-country rows, and the
// per-visitor rows (its visitors, and its clients counted from the same rows' client_id).
const OVERVIEW_KINDS = ["country", "hour", "path", "visitor"];

let site: SampleSite;
let server: SiteServer;
let browser: Browser;
let overview: WatchedPage;
let firstChartMs: number;

before(async () => {
  site = await sampleSite();
  server = await serveSite(site.dist);
  browser = await launchBrowser();
  overview = await openWatchedPage(browser, server.url);
  await overview.page.goto(server.url);
  await overview.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  firstChartMs = await overview.page.evaluate(() => performance.now());
  await overview.page.waitForFunction(() => document.querySelectorAll("[data-chart] svg").length >= 3, undefined, {timeout: 60_000});
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function expected<T>(sql: string): Promise<T[]> {
  const duckdb = await openDuckDB();
  // Own traffic hidden, as the page opens.
  const reader = await duckdb.runAndReadAll(sql.replaceAll("events", eventsUnderDefaultFilter(site)));
  return reader.getRowObjectsJson() as T[];
}

test("the headline numbers are SQL over the shipped events Parquet", async () => {
  const [row] = await expected<{requests: number; clients: number; bytes: string; error_rate: number}>(
    "SELECT count(*) AS requests, count(DISTINCT client_ip) AS clients, sum(bytes) AS bytes, avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS error_rate FROM events",
  );
  assert.ok(Number(row.requests) > 1000, "the sample has thousands of events");
  const metric = (name: string) => overview.page.textContent(`[data-metric="${name}"]`);
  assert.equal(await metric("requests"), formatCount(Number(row.requests)));
  assert.equal(await metric("clients"), formatCount(Number(row.clients)));
  assert.equal(await metric("bytes"), formatBytes(Number(row.bytes)));
  assert.equal(await metric("error-rate"), formatPercent(Number(row.error_rate)));
});

test("the top paths chart lists the ten most requested pages in order", async () => {
  const rows = await expected<{path: string; requests: number}>(
    "SELECT path, count(*) AS requests FROM events WHERE request_class = 'page' AND path IS NOT NULL GROUP BY path ORDER BY requests DESC, path LIMIT 10",
  );
  const titles = await overview.page.$$eval('[data-chart="top-paths"] svg g[aria-label="text"] text title', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(titles, rows.map((r) => r.path));
});

test("the top countries chart puts the country with most requests first", async () => {
  const rows = await expected<{country: string}>(
    "SELECT coalesce(country, 'Unknown') AS country, count(*) AS requests FROM events GROUP BY ALL ORDER BY requests DESC, country LIMIT 10",
  );
  const titles = await overview.page.$$eval('[data-chart="top-countries"] svg g[aria-label="text"] text title', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(titles, rows.map((r) => r.country));
});

test("the requests-over-time areas add up to every timed request", async () => {
  const [row] = await expected<{timed: number; first: string; last: string}>("SELECT count(*) AS timed, epoch_ms(min(ts)) AS first, epoch_ms(max(ts)) AS last FROM events WHERE ts IS NOT NULL");
  // The page's bucket for the range (its summary's first and last request).
  const bucket = timeBucketFor(new Date(Number(row.first)), new Date(Number(row.last)));
  // Each status class is a stepped area, its height in a bucket that class's requests: the areas'
  // outlines turned back into time and requests through the chart's own scales, each area's size
  // (shoelace formula) in requests × milliseconds, over the bucket's width: the requests drawn.
  const drawn = await overview.page.$eval(
    '[data-chart="requests-over-time"] figure',
    (figure, bucketMs) => {
      type Scale = {invert(pixels: number): number | Date};
      const chart = figure as unknown as {scale(name: string): Scale};
      const [x, y] = [chart.scale("x"), chart.scale("y")];
      let size = 0;
      for (const path of figure.querySelectorAll('svg g[aria-label="area"] path')) {
        const points = [...(path.getAttribute("d") ?? "").matchAll(/[ML]\s*(-?[\d.]+(?:e-?\d+)?)[ ,](-?[\d.]+(?:e-?\d+)?)/g)].map((m) => [
          Number(x.invert(Number(m[1]))),
          Number(y.invert(Number(m[2]))),
        ]);
        let twice = 0;
        for (const [i, [x0, y0]] of points.entries()) {
          const [x1, y1] = points[(i + 1) % points.length];
          twice += x0 * y1 - x1 * y0;
        }
        size += Math.abs(twice) / 2;
      }
      return size / bucketMs;
    },
    bucket.milliseconds,
  );
  assert.ok(Math.abs(drawn - Number(row.timed)) <= Number(row.timed) * 0.005, `areas add up to ${drawn}, expected ${row.timed}`);
});

test("no request leaves the site's origin and nothing fails in the console", async () => {
  assert.deepEqual(overview.externalRequests, []);
  assert.deepEqual(overview.errors, []);
  await mkdir(`${PROJECT_DIR}/test-results`, {recursive: true});
  await overview.page.screenshot({path: `${PROJECT_DIR}/test-results/overview.png`, fullPage: true});
  console.log(`overview: first chart ${Math.round(firstChartMs)} ms after navigation`);
});

test("opened as a reader's browser opens it (no request held), the page names its icon and nothing it asks for is missing", async () => {
  const reader = await openWatchedPage(browser, server.url, {refuse: "browser"});
  const failed: string[] = [];
  reader.page.on("response", (response) => void (response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`)));
  await reader.page.goto(server.url);
  await reader.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  await reader.settled();
  assert.equal(await reader.page.evaluate(() => document.querySelectorAll('link[rel="icon"]').length), 1, "the page names its icon");
  assert.deepEqual(failed, []);
  assert.deepEqual(reader.errors, [], "no console error, the browser's own 404 for /favicon.ico among them");
  await reader.page.context().close();
});

test("under a filter (one instance, two days, humans, 4xx and 5xx) the rollups give what events give", async () => {
  const instance = "i-02e3ca004943e0f26";
  const filter = {from: "2023-05-15", to: "2023-05-16", instance, bots: "exclude", statuses: ["4xx", "5xx"]};
  const where = `WHERE ts >= TIMESTAMP '2023-05-15' AND ts < TIMESTAMP '2023-05-17' AND log_stream = '${instance}' AND NOT is_bot AND status // 100 IN (4, 5)`;
  const [row] = await expected<{requests: number; clients: number; bytes: string}>(
    `SELECT count(*) AS requests, count(DISTINCT client_ip) AS clients, sum(bytes) AS bytes FROM events ${where}`,
  );
  const paths = await expected<{path: string}>(`SELECT path, count(*) AS requests FROM events ${where} AND request_class = 'page' AND path IS NOT NULL GROUP BY path ORDER BY requests DESC, path LIMIT 10`);
  assert.ok(Number(row.requests) > 10 && paths.length > 1, `the filter keeps ${row.requests} requests`);

  const filtered = await openWatchedPage(browser, server.url);
  await filtered.page.goto(`${server.url}?filter=${encodeURIComponent(JSON.stringify(filter))}`);
  await filtered.page.waitForFunction(() => document.querySelectorAll("[data-chart] svg").length >= 3, undefined, {timeout: 60_000});
  const metric = (name: string) => filtered.page.textContent(`[data-metric="${name}"]`);
  assert.equal(await metric("requests"), formatCount(Number(row.requests)));
  assert.equal(await metric("clients"), formatCount(Number(row.clients)));
  assert.equal(await metric("bytes"), formatBytes(Number(row.bytes)));
  const titles = await filtered.page.$$eval('[data-chart="top-paths"] svg g[aria-label="text"] text title', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(titles, paths.map((r) => r.path));
  assert.deepEqual(filtered.errors, []);
  await filtered.page.context().close();
});

test("the first view is drawn from the shipped answers; a filter changed in the bar is asked of DuckDB-WASM and still equals SQL over events", async () => {
  const opened = await answeredBy(overview.page);
  assert.equal(opened.duckdb, 0, "no query of the first view waited for DuckDB-WASM");
  assert.ok(opened.shipped >= 7, `${opened.shipped} answers came from data/first-view/index.json`);

  const instance = "i-05f1a9c3d7e2b6480";
  const where = `WHERE log_stream = '${instance}' AND NOT is_bot`;
  const [row] = await expected<{requests: number; clients: number; bytes: string; error_rate: number}>(
    `SELECT count(*) AS requests, count(DISTINCT client_ip) AS clients, sum(bytes) AS bytes, avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS error_rate FROM events ${where}`,
  );
  const paths = await expected<{path: string}>(`SELECT path, count(*) AS requests FROM events ${where} AND request_class = 'page' AND path IS NOT NULL GROUP BY path ORDER BY requests DESC, path LIMIT 10`);
  const metric = (name: string) => overview.page.textContent(`[data-metric="${name}"]`);
  await overview.page.getByLabel("Instance").selectOption(instance);
  await overview.page.getByLabel("Humans only").check();
  await overview.page.waitForFunction(
    ([text, duckdbBefore]) => document.querySelector('[data-metric="requests"]')?.textContent === text && Number(document.documentElement.dataset.answeredDuckdb ?? 0) > duckdbBefore,
    [formatCount(Number(row.requests)), opened.duckdb] as const,
    {timeout: 60_000},
  );
  await overview.page.waitForFunction(
    (titles) => JSON.stringify([...document.querySelectorAll('[data-chart="top-paths"] svg g[aria-label="text"] text title')].map((n) => n.textContent)) === titles,
    JSON.stringify(paths.map((r) => r.path)),
    {timeout: 60_000},
  );
  assert.equal(await metric("clients"), formatCount(Number(row.clients)));
  assert.equal(await metric("bytes"), formatBytes(Number(row.bytes)));
  assert.equal(await metric("error-rate"), formatPercent(Number(row.error_rate)));
  assert.ok((await answeredBy(overview.page)).duckdb > 0, "the changed filter's queries went to DuckDB-WASM");

  // Back to the default filter: the shipped answers again, the same numbers as at first.
  const [all] = await expected<{requests: number}>("SELECT count(*) AS requests FROM events");
  await overview.page.getByLabel("Instance").selectOption("All instances");
  await overview.page.getByLabel("Humans and bots").check();
  await overview.page.waitForFunction((text) => document.querySelector('[data-metric="requests"]')?.textContent === text, formatCount(Number(all.requests)), {timeout: 60_000});
  assert.deepEqual(overview.errors, []);
  assert.deepEqual(overview.externalRequests, []);
});

test("a filter changed in the bar goes into the page's address, and a page opened the moment after, in the same tab, starts from it", async () => {
  const instance = "i-05f1a9c3d7e2b6480";
  const watched = await openWatchedPage(browser, server.url);
  await watched.page.goto(server.url);
  await watched.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  await pickInstanceAndSeeItsNumbers(watched, instance);
  // Saved once the page is idle: the address then names the filter, as a link to share.
  await watched.page.waitForFunction((picked) => JSON.parse(new URL(location.href).searchParams.get("filter") ?? "{}").instance === picked, instance, {timeout: 10_000});
  // Changed and left at once (saved as the page is left, if it was not idle before): the next page starts from it.
  await watched.page.getByLabel("Instance").selectOption("All instances");
  await watched.page.getByLabel("2xx", {exact: true}).uncheck();
  await watched.page.goto(new URL("/traffic", server.url).href);
  await watched.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  assert.equal(await watched.page.getByLabel("Instance").evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent), "All instances");
  assert.equal(await watched.page.getByLabel("2xx", {exact: true}).isChecked(), false, "the 2xx unticked on the Overview is unticked on Traffic");
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

/**
 * Picks `instance` in the filter bar and waits until the Overview's requests and clients are those
 * of SQL over events for it (with `andWhere`, the rest of the page's filter).
 */
async function pickInstanceAndSeeItsNumbers(watched: WatchedPage, instance: string, andWhere = ""): Promise<void> {
  const [row] = await expected<{requests: number; clients: number}>(`SELECT count(*) AS requests, count(DISTINCT client_ip) AS clients FROM events WHERE log_stream = '${instance}' ${andWhere}`);
  await watched.page.getByLabel("Instance").selectOption(instance);
  await watched.page.waitForFunction(
    ([requests, clients]) =>
      document.querySelector('[data-metric="requests"]')?.textContent === requests && document.querySelector('[data-metric="clients"]')?.textContent === clients && document.documentElement.dataset.queriesRunning === "0",
    [formatCount(Number(row.requests)), formatCount(Number(row.clients))] as const,
    {timeout: 60_000},
  );
  // The top pages too, which a filter keeping every day reads from the paths' all-days view.
  const paths = await expected<{path: string}>(`SELECT path, count(*) AS requests FROM events WHERE log_stream = '${instance}' ${andWhere} AND request_class = 'page' AND path IS NOT NULL GROUP BY path ORDER BY requests DESC, path LIMIT 10`);
  assert.ok(paths.length > 0);
  assert.deepEqual(await watched.page.$$eval('[data-chart="top-paths"] svg g[aria-label="text"] text title', (nodes) => nodes.map((n) => n.textContent)), paths.map((r) => r.path));
}

test("neither DuckDB-WASM nor any rollup is fetched until the reader reaches for a control; then the rollups the Overview reads come whole into DuckDB-WASM's memory, and a filter change reads none over HTTP", async () => {
  const watched = await openWatchedPage(browser, server.url);
  const rollupRequests: string[] = [];
  const engineRequests: string[] = [];
  watched.page.on("request", (request) => {
    if (request.url().includes("/data/rollups/")) rollupRequests.push(`${request.method()} ${request.url()} ${request.headers().range ?? ""}`);
    if (/duckdb/i.test(request.url())) engineRequests.push(request.url());
  });
  await watched.page.goto(server.url);
  await watched.page.waitForFunction(() => document.querySelectorAll("[data-chart] svg").length >= 3, undefined, {timeout: 60_000});
  // Reading the page, the pointer over a chart: the page is drawn from its shipped answers, and
  // neither the engine nor any rollup comes.
  await watched.page.locator("[data-chart] svg").first().hover();
  await watched.settled(1000);
  assert.equal(engineRequests.length, 0, `DuckDB-WASM is not fetched for a reader who only reads: ${engineRequests.join(", ")}`);
  assert.equal(rollupRequests.length, 0, `no rollups are fetched for a reader who only reads: ${rollupRequests.join(", ")}`);
  assert.equal(await watched.page.evaluate(() => document.documentElement.dataset.rollupsLoading), undefined);

  // The pointer onto the filter bar's instance choice: the engine and the page's rollups come.
  await watched.page.getByLabel("Instance").hover();
  await watched.page.waitForFunction((kinds) => document.documentElement.dataset.rollupsInMemory === kinds, OVERVIEW_KINDS.join(" "), {timeout: 60_000});
  // Exactly the kinds the Overview's queries read, each one whole GET per block of days (the
  // sample's days fall in two: 8–14 and 15–21 May).
  const blocks = (await readdir(join(site.dist, "data/rollups"))).sort();
  assert.deepEqual(blocks, ["2023-05-08", "2023-05-15"]);
  const shipped = await Promise.all(blocks.flatMap((block) => OVERVIEW_KINDS.map((kind) => stat(join(site.dist, "data/rollups", block, `${kind}.parquet`)).then((s) => s.size))));
  assert.equal(Number(await watched.page.evaluate(() => document.documentElement.dataset.rollupBytes)), shipped.reduce((a, b) => a + b, 0));
  assert.deepEqual(
    rollupRequests.filter((r) => r.endsWith(" ")).map((r) => r.replace(/^GET .*\/data\/rollups\/([\w-]+)\/(\w+)\.parquet.*$/, "$1 $2")).sort(),
    blocks.flatMap((block) => OVERVIEW_KINDS.map((kind) => `${block} ${kind}`)).sort(),
  );

  // Then the page's queries asked once to warm the engine up, all of them (no question of the reader's cut it short).
  await watched.page.waitForFunction(() => document.documentElement.dataset.engineWarm === "true", undefined, {timeout: 60_000});
  // Its second round saw the page's views through a filter on a connection of its own (workbook.ts,
  // warmUpFiltered): the hourly view every page reads among them; the numbers below, on the page's
  // connection, are those of events under the reader's filter alone, not under the warm-up's too.
  // Each kind made a table per instance (instance-tables.ts): the filter change below reads one instance's tables.
  assert.equal(await watched.page.evaluate(() => document.documentElement.dataset.rollupsByInstance), OVERVIEW_KINDS.join(" "));
  // The summary views the page's queries name (data-loaders/contracts/summary-views.ts) were made
  // tables too: the instance picked below keeps every day, so the top paths and countries are read
  // from their all-days views. Not the per-visitor rows' summary, which the Overview never reads.
  assert.equal(await watched.page.evaluate(() => document.documentElement.dataset.rollupsSummaries), "country path");
  const warmedFiltered = (await watched.page.evaluate(() => document.documentElement.dataset.warmUpFiltered))?.split(" ") ?? [];
  assert.ok(warmedFiltered.includes("requests_hourly"), `views warmed up through a filter: ${warmedFiltered.join(", ")}`);

  const before = rollupRequests.length;
  await pickInstanceAndSeeItsNumbers(watched, "i-05f1a9c3d7e2b6480", "AND NOT own_traffic");
  assert.deepEqual(rollupRequests.slice(before), [], "the changed filter read the rollups from memory");
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

/**
 * The Overview opened with one constant of a built module (`_import/components/<module>.*.js`)
 * served as 0 (or `value`), the pointer then on the filter bar until the page's rollups are in
 * memory; with <html>'s data attributes then. `onRequest` sees every request from the start.
 */
async function overviewWithLimitAtZero(module: string, constant: string, onRequest?: (request: Request) => void, value = 0) {
  const watched = await openWatchedPage(browser, server.url);
  let limitFound = false;
  await watched.page.route(`**/_import/components/${module}.*.js`, async (route) => {
    const response = await route.fetch();
    const text = await response.text();
    const patched = text.replace(new RegExp(`(\\b${constant} = )[^;]+;`), (_, assignment: string) => `${assignment}${value};`);
    limitFound = patched !== text;
    await route.fulfill({response, body: patched});
  });
  if (onRequest) watched.page.on("request", onRequest);
  await watched.page.goto(server.url);
  await watched.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  assert.ok(limitFound, `the built ${module} module names ${constant}`);
  await watched.page.getByLabel("Instance").hover();
  await watched.page.waitForFunction(() => document.documentElement.dataset.rollupsLoading === "0" && document.documentElement.dataset.rollupsInMemory !== undefined, undefined, {timeout: 60_000});
  const dataset = await watched.page.evaluate(() => ({...document.documentElement.dataset}));
  return {watched, dataset};
}

test("past MOST_INSTANCE_TABLES instances each kind is one table, and a filter change over it still equals SQL over events", async () => {
  // The sample has five instances: the module is served with its limit at 0.
  const {watched, dataset} = await overviewWithLimitAtZero("instance-tables", "MOST_INSTANCE_TABLES");
  assert.equal(dataset.rollupsInMemory, OVERVIEW_KINDS.join(" "));
  assert.equal(dataset.rollupsByInstance, undefined, "no kind made a table per instance");

  await pickInstanceAndSeeItsNumbers(watched, "i-05f1a9c3d7e2b6480");
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

test("past SECOND_ENGINE_BYTES of rollups the page closes its second engine, and a filter change, answered by the first, still equals SQL over events", async () => {
  // The sample's kinds are kilobytes: the workbook's module is served with the limit at 0 bytes,
  // as a page's rollups are past it at 30M events.
  const {watched, dataset} = await overviewWithLimitAtZero("workbook", "SECOND_ENGINE_BYTES");
  assert.equal(dataset.rollupsInMemory, OVERVIEW_KINDS.join(" "));
  assert.equal(dataset.engines, "1");
  const answeredBefore = Number(dataset.answeredDuckdb ?? 0);
  await pickInstanceAndSeeItsNumbers(watched, "i-05f1a9c3d7e2b6480");
  const times = JSON.parse((await watched.page.evaluate(() => document.documentElement.dataset.queryTimes)) ?? "[]") as {engines: number[]}[];
  const answered = Number(await watched.page.evaluate(() => document.documentElement.dataset.answeredDuckdb));
  assert.ok(answered > answeredBefore);
  assert.deepEqual([...new Set(times.slice(-(answered - answeredBefore)).flatMap((q) => q.engines))], [0], "every query of the change answered by the first engine");
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

test("crossing SECOND_ENGINE_BYTES with the last of the page's kinds keeps the second engine from ever starting, and the page still redraws", async () => {
  // The limit one byte below the Overview's kinds in all: the last kind to come closes the second
  // engine. When both engines started at once it was making tables of the others then;
  // terminated mid-statement, it never answered, and the page's queries waited for its tables for
  // ever (at 30M events, every filter change). Now it has not started: it never does.
  let bytes = 0;
  for (const block of await readdir(join(site.dist, "data/rollups"), {withFileTypes: true})) {
    if (block.isDirectory()) for (const kind of OVERVIEW_KINDS) bytes += (await stat(join(site.dist, "data/rollups", block.name, `${kind}.parquet`))).size;
  }
  const {watched, dataset} = await overviewWithLimitAtZero("workbook", "SECOND_ENGINE_BYTES", undefined, bytes - 1);
  assert.equal(dataset.rollupsInMemory, OVERVIEW_KINDS.join(" "));
  assert.equal(dataset.engines, "1");
  await pickInstanceAndSeeItsNumbers(watched, "i-05f1a9c3d7e2b6480");
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

test("a rollup kind too large to be a table stays as its Parquet bytes in memory, and a filter change over it still equals SQL over events", async () => {
  // The sample's kinds are kilobytes: the workbook's module is served with its limit at 0 bytes, so
  // every kind the Overview reads is past it, as the per-visitor kind is at 30M events.
  const rollupRequests: string[] = [];
  const {watched, dataset} = await overviewWithLimitAtZero("workbook", "LARGEST_ROLLUP_TABLE", (request) => void (request.url().includes("/data/rollups/") && rollupRequests.push(request.url())));
  assert.equal(dataset.rollupsInMemory, OVERVIEW_KINDS.join(" "));
  assert.equal(dataset.rollupsAsParquet, OVERVIEW_KINDS.join(" "), "every kind held as its Parquet, none made a table");

  const instance = "i-05f1a9c3d7e2b6480";
  const where = `WHERE log_stream = '${instance}' AND NOT is_bot`;
  const [row] = await expected<{requests: number; clients: number; bytes: string}>(`SELECT count(*) AS requests, count(DISTINCT client_ip) AS clients, sum(bytes) AS bytes FROM events ${where}`);
  const paths = await expected<{path: string}>(`SELECT path, count(*) AS requests FROM events ${where} AND request_class = 'page' AND path IS NOT NULL GROUP BY path ORDER BY requests DESC, path LIMIT 10`);
  const before = rollupRequests.length;
  await watched.page.getByLabel("Instance").selectOption(instance);
  await watched.page.getByLabel("Humans only").check();
  await watched.page.waitForFunction(
    ([requests, clients]) =>
      document.querySelector('[data-metric="requests"]')?.textContent === requests && document.querySelector('[data-metric="clients"]')?.textContent === clients && document.documentElement.dataset.queriesRunning === "0",
    [formatCount(Number(row.requests)), formatCount(Number(row.clients))] as const,
    {timeout: 60_000},
  );
  await watched.page.waitForFunction(
    (titles) => JSON.stringify([...document.querySelectorAll('[data-chart="top-paths"] svg g[aria-label="text"] text title')].map((n) => n.textContent)) === titles,
    JSON.stringify(paths.map((r) => r.path)),
    {timeout: 60_000},
  );
  assert.equal(await watched.page.textContent('[data-metric="bytes"]'), formatBytes(Number(row.bytes)));
  assert.deepEqual(rollupRequests.slice(before), [], "the changed filter read the kinds' bytes in memory, not over HTTP");
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

test("a filter change made while the first engine makes its tables is answered by it from the kinds' Parquet, the second engine starts only after those tables, joins with its own, and a change then still equals SQL over events", async () => {
  // The built instance-tables module is served with its tables held back until the test lets them
  // be made: the first engine stops at its first kind's table, as at 10M events it takes seconds.
  const watched = await openWatchedPage(browser, server.url);
  let gateFound = false;
  await watched.page.route("**/_import/components/instance-tables.*.js", async (route) => {
    const response = await route.fetch();
    const text = await response.text();
    const patched = text.replace(
      /(export async function viewInMemory\([^)]*\) \{)/,
      "$1 if (!globalThis.tablesMayBeMade) await new Promise((go) => (globalThis.tablesWaiting ??= []).push(go));",
    );
    gateFound = patched !== text;
    await route.fulfill({response, body: patched});
  });
  await watched.page.goto(server.url);
  await watched.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  assert.ok(gateFound, "the built instance-tables module has viewInMemory");
  await watched.page.getByLabel("Instance").hover();
  const kinds = OVERVIEW_KINDS.join(" ");
  await watched.page.waitForFunction((kinds) => document.documentElement.dataset.rollupsReadable === kinds, kinds, {timeout: 60_000});
  const dataset = () => watched.page.evaluate(() => ({...document.documentElement.dataset}));
  // The engines' workers started so far, from their script's fetches.
  const workersStarted = () => watched.page.evaluate(() => performance.getEntriesByType("resource").filter((entry) => /\/duckdb-worker\.[\w]+\.js$/.test(new URL(entry.name).pathname)).length);
  assert.equal((await dataset()).rollupsInMemory, undefined, "no engine has made a table yet");

  const answeredBefore = Number((await dataset()).answeredDuckdb ?? 0);
  await pickInstanceAndSeeItsNumbers(watched, "i-05f1a9c3d7e2b6480");
  const during = await dataset();
  assert.equal(during.rollupsInMemory, undefined, "the change was answered before any table was made");
  const times = JSON.parse(during.queryTimes ?? "[]") as {engines: number[]}[];
  const answered = Number(during.answeredDuckdb) - answeredBefore;
  assert.ok(answered > 0);
  // One engine so far, whatever the cores: the second starts once the first has its tables.
  assert.equal(during.engines, "1");
  assert.equal(await workersStarted(), 1, "the second engine has not started while the first makes its tables");
  assert.deepEqual([...new Set(times.slice(-answered).flatMap((q) => q.engines))], [0]);

  await watched.page.evaluate(() => {
    const page = globalThis as unknown as {tablesMayBeMade?: boolean; tablesWaiting?: (() => void)[]};
    page.tablesMayBeMade = true;
    for (const go of page.tablesWaiting?.splice(0) ?? []) go();
  });
  await watched.page.waitForFunction((kinds) => document.documentElement.dataset.rollupsInMemory === kinds && document.documentElement.dataset.rollupsLoading === "0", kinds, {timeout: 60_000});
  assert.equal((await dataset()).rollupsByInstance, kinds, "every kind made a table per instance in the end");
  // Two cores or more: the second engine starts after the first's tables, and joins once warm.
  const engines = await watched.page.evaluate(() => Math.min(2, navigator.hardwareConcurrency));
  await watched.page.waitForFunction(() => document.documentElement.dataset.engineWarm !== undefined, undefined, {timeout: 60_000});
  assert.equal((await dataset()).engines, String(engines));
  assert.equal(await workersStarted(), engines);
  await pickInstanceAndSeeItsNumbers(watched, "i-02e3ca004943e0f26");
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

test("while the data a filter change reads is coming, a line under the filter bar says so, and goes once it is in", async () => {
  const watched = await openWatchedPage(browser, server.url);
  // The rollups held back a moment, as a slow network or a long history would.
  await watched.page.route("**/data/rollups/**", async (route) => {
    await new Promise((done) => setTimeout(done, 1500));
    await route.fallback();
  });
  await watched.page.goto(server.url);
  await watched.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  const status = watched.page.locator(".filters-status");
  assert.equal(await status.isVisible(), false, "nothing is said before the reader reaches for a filter");
  await watched.page.getByLabel("Instance").hover();
  await status.waitFor({state: "visible", timeout: 30_000});
  assert.match((await status.textContent()) ?? "", /this page's data for filtering/);
  await mkdir(join(PROJECT_DIR, "test-results"), {recursive: true});
  await watched.page.screenshot({path: join(PROJECT_DIR, "test-results/filters-status.png")});
  await watched.page.waitForFunction(() => document.documentElement.dataset.rollupsLoading === "0", undefined, {timeout: 60_000});
  await status.waitFor({state: "hidden", timeout: 10_000});
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});

test("an engine that could not start says so where the numbers were, and the next filter change starts it again and equals SQL over events, with the page's rollups in memory", async () => {
  const watched = await openWatchedPage(browser, server.url);
  // DuckDB-WASM's WebAssembly cut short, as a flaky network would, until the test lets it through.
  let failing = true;
  let engineFetches = 0;
  await watched.page.route("**/*duckdb-eh*.wasm", async (route) => {
    engineFetches++;
    if (failing) await route.abort("failed");
    else await route.fallback();
  });
  await watched.page.goto(server.url);
  await watched.page.waitForSelector("[data-chart] svg", {timeout: 60_000});
  const shownRequests = await watched.page.textContent('[data-metric="requests"]');
  // The pointer on the filter bar starts the engine, which cannot start; nothing the reader sees changes.
  await watched.page.getByLabel("Instance").hover();
  await watched.page.waitForFunction(() => document.documentElement.dataset.rollupsLoading === "0", undefined, {timeout: 60_000});
  assert.equal(engineFetches, 1, "the engine's WebAssembly was asked for once, and cut short");
  assert.equal(await watched.page.textContent('[data-metric="requests"]'), shownRequests);

  // A filter change while it still cannot start: the page says what happened and what to do.
  await watched.page.getByLabel("Instance").selectOption("i-05f1a9c3d7e2b6480");
  const error = watched.page.locator(".observablehq--error", {hasText: "the page's database could not start"}).first();
  await error.waitFor({timeout: 60_000});
  assert.match((await error.textContent()) ?? "", /changing a filter again tries once more/);
  // Asked again by the change (by more than one of its queries when one asks after another's try failed).
  assert.ok(engineFetches >= 2, "the change started the engine again");
  const fetchesWhileFailing = engineFetches;

  // The network back: the next change starts it, and its numbers are SQL over events.
  failing = false;
  const errorsWhileFailing = watched.errors.length;
  await pickInstanceAndSeeItsNumbers(watched, "i-0b7d5c1e9a4f3e812");
  assert.ok(engineFetches > fetchesWhileFailing);
  assert.equal(await watched.page.locator(".observablehq--error").count(), 0, "no error left on the page");
  // The kinds the failed starts could not take are brought to the engine that started.
  await watched.page.waitForFunction((kinds) => document.documentElement.dataset.rollupsInMemory === kinds, OVERVIEW_KINDS.join(" "), {timeout: 60_000});
  await pickInstanceAndSeeItsNumbers(watched, "i-05f1a9c3d7e2b6480");
  assert.ok(watched.errors.some((line) => /could not start/.test(line)), "the failed start was reported");
  assert.deepEqual(watched.errors.slice(errorsWhileFailing), [], "nothing failed once the engine could start");
  await watched.page.context().close();
});
