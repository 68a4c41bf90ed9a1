// Geography, User agents, Explore and Data quality, built from the bundled sample and opened in
// Chromium: numbers equal SQL over the shipped Parquet, downloads hold the query's rows, log
// content stays text, nothing leaves the origin.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {readFile} from "node:fs/promises";
import {join} from "node:path";
import {after, before, test} from "node:test";
import type {Browser} from "playwright-core";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {serveSite, type SiteServer} from "../../scripts/serve-site.js";
import {formatCount} from "../../src/components/format.js";
import {answeredBy, launchBrowser, openWatchedPage, queriesSettled, type WatchedPage} from "../support/browser.js";
import {eventsUnderDefaultFilter, PROJECT_DIR, sampleSite, type SampleSite} from "../support/sample-site.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));

let site: SampleSite;
let server: SiteServer;
let browser: Browser;

before(async () => {
  site = await sampleSite();
  server = await serveSite(site.dist);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** SQL over the shipped events as the pages count them (own traffic hidden, the default filter), or over `file`. */
async function sql<T = Record<string, unknown>>(text: string, file = site.eventsParquet): Promise<T[]> {
  const duckdb = await openDuckDB();
  const table = file === site.eventsParquet ? "events" : "rejected";
  const relation = file === site.eventsParquet ? eventsUnderDefaultFilter(site) : `read_parquet(${sqlString(file)})`;
  return (await duckdb.runAndReadAll(text.replaceAll(`FROM ${table}`, `FROM ${relation}`))).getRowObjectsJson() as T[];
}

/** SQL over every shipped event, own traffic included: what Explore's own SQL reads. */
async function sqlOverEveryEvent<T = Record<string, unknown>>(text: string): Promise<T[]> {
  const duckdb = await openDuckDB();
  return (await duckdb.runAndReadAll(text.replaceAll("FROM events", `FROM read_parquet(${sqlString(site.eventsParquet)})`))).getRowObjectsJson() as T[];
}

async function open(path: string, ready: string): Promise<WatchedPage> {
  const watched = await openWatchedPage(browser, server.url);
  watched.page.on("dialog", (dialog) => {
    watched.errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await watched.page.goto(new URL(path, server.url).href);
  await watched.page.waitForSelector(ready, {timeout: 60_000});
  await watched.page.waitForLoadState("networkidle");
  // The chart waited for is not the last drawn: a page's queries run side by side.
  await queriesSettled(watched.page);
  return watched;
}

async function finish(watched: WatchedPage, name: string): Promise<void> {
  await watched.page.screenshot({path: join(PROJECT_DIR, `test-results/${name}.png`), fullPage: true});
  // Opened with the default filter, a page draws from its shipped first view alone; under another
  // filter (in the URL), DuckDB-WASM answers. Explore runs the reader's own SQL.
  const answered = await answeredBy(watched.page);
  if (new URL(watched.page.url()).searchParams.has("filter")) assert.ok(answered.duckdb > 0, `${name}: a filtered page asks DuckDB-WASM`);
  else if (!name.startsWith("explore")) assert.deepEqual(answered, {shipped: answered.shipped || -1, duckdb: 0}, `${name}: the first view was answered from the shipped file alone`);
  assert.deepEqual(watched.externalRequests, []);
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
}

const tableRows = (watched: WatchedPage, selector: string) =>
  watched.page.$$eval(`${selector} table tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent?.trim() ?? "")));

test("Geography: located and unknown requests, the map's countries, the country table", async () => {
  const watched = await open("/geography", '[data-chart="world-map"] svg');
  const [counts] = await sql<{located: number; unknown: number}>("SELECT count(country) AS located, count(*) - count(country) AS unknown FROM events");
  assert.equal(await watched.page.textContent('[data-metric="located"]'), formatCount(Number(counts.located)));
  assert.equal(await watched.page.textContent('[data-metric="unknown"]'), formatCount(Number(counts.unknown)));
  assert.ok(Number(counts.unknown) > 0, "private and unknown addresses are counted, not dropped");
  // The page counts from the rollups; its tables are what SQL over events gives.
  const countries = await sql<{country: string; country_code: string; requests: number; clients: number}>(
    "SELECT country, any_value(country_code) AS country_code, count(*) AS requests, count(DISTINCT client_ip) AS clients FROM events WHERE country IS NOT NULL GROUP BY country ORDER BY requests DESC, country",
  );
  // Inputs.table draws the first rows and the rest as it is scrolled.
  const rows = await tableRows(watched, '[data-table="countries"]');
  assert.ok(rows.length >= Math.min(countries.length, 10));
  assert.deepEqual(rows, countries.slice(0, rows.length).map((c) => [c.country, c.country_code, formatCount(Number(c.requests)), formatCount(Number(c.clients))]));
  const cities = await sql<{city: string; country: string; requests: number}>(
    "SELECT city, country, count(*) AS requests FROM events WHERE city IS NOT NULL AND latitude IS NOT NULL GROUP BY city, country ORDER BY requests DESC, city LIMIT 300",
  );
  const cityRows = await tableRows(watched, '[data-table="cities"]');
  assert.ok(cityRows.length >= Math.min(cities.length, 10));
  assert.deepEqual(cityRows, cities.slice(0, cityRows.length).map((c) => [c.city, c.country, formatCount(Number(c.requests))]));
  // Every country shaded on the map carries its count in its title.
  const titles = await watched.page.$$eval('[data-chart="world-map"] svg g[aria-label="geo"] path title', (nodes) => nodes.map((n) => n.textContent ?? ""));
  assert.ok(titles.includes(`United States of America: ${Number(countries.find((c) => c.country === "United States")!.requests).toLocaleString("en-US")} requests`));
  await finish(watched, "geography");
});

test("Geography and User agents under a filter (one instance, two days, humans, 4xx and 5xx): the rollups give what events give", async () => {
  const filter = {from: "2023-05-15", to: "2023-05-16", instance: "i-02e3ca004943e0f26", bots: "exclude", statuses: ["4xx", "5xx"]};
  const where = `WHERE ts >= TIMESTAMP '2023-05-15' AND ts < TIMESTAMP '2023-05-17' AND log_stream = '${filter.instance}' AND NOT is_bot AND status // 100 IN (4, 5)`;
  const query = `?filter=${encodeURIComponent(JSON.stringify(filter))}`;

  const geography = await open(`/geography${query}`, '[data-chart="world-map"] svg');
  const [counts] = await sql<{located: number; unknown: number}>(`SELECT count(country) AS located, count(*) - count(country) AS unknown FROM events ${where}`);
  assert.ok(Number(counts.located) > 0, "the filter keeps located requests");
  assert.equal(await geography.page.textContent('[data-metric="located"]'), formatCount(Number(counts.located)));
  assert.equal(await geography.page.textContent('[data-metric="unknown"]'), formatCount(Number(counts.unknown)));
  const countries = await sql<{country: string; requests: number; clients: number}>(
    `SELECT country, count(*) AS requests, count(DISTINCT client_ip) AS clients FROM events ${where} AND country IS NOT NULL GROUP BY country ORDER BY requests DESC, country`,
  );
  const rows = await tableRows(geography, '[data-table="countries"]');
  assert.deepEqual(rows.map((r) => [r[0], r[2], r[3]]), countries.slice(0, rows.length).map((c) => [c.country, formatCount(Number(c.requests)), formatCount(Number(c.clients))]));
  await finish(geography, "geography-filtered");

  const agents = await open(`/user-agents${query}`, '[data-chart="device-types"] svg');
  const devices = await sql<{device: string}>(`SELECT coalesce(device_type, 'unknown') AS device, count(*) AS n FROM events ${where} GROUP BY ALL ORDER BY n DESC, device`);
  const drawn = await agents.page.$$eval('[data-chart="device-types"] svg g[aria-label="text"] text title', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(drawn, devices.map((d) => d.device));
  await finish(agents, "user-agents-filtered");
});

test("User agents: the cloud's biggest word is the biggest family; words are text, cut, with the full string in a title", async () => {
  const watched = await open("/user-agents", '[data-chart="agent-cloud"] svg text');
  const [top] = await sql<{text: string; requests: number}>(
    "SELECT coalesce(CASE WHEN is_bot THEN bot_name END, browser, 'Unknown') AS text, count(*) AS requests FROM events GROUP BY ALL ORDER BY requests DESC, text LIMIT 1",
  );
  const words = await watched.page.$$eval('[data-chart="agent-cloud"] svg text', (nodes) =>
    nodes.map((n) => ({text: n.childNodes[0]?.textContent ?? "", size: Number(n.getAttribute("font-size")), title: n.querySelector("title")?.textContent ?? ""})),
  );
  assert.ok(words.length >= 40 && words.length <= 100, `${words.length} words placed`);
  const biggest = words.reduce((a, b) => (b.size > a.size ? b : a));
  assert.equal(biggest.title, `${top.text}: ${Number(top.requests).toLocaleString("en-US")} requests`);
  assert.ok(words.every((w) => w.text.length <= 40));
  assert.ok(words.some((w) => w.text.endsWith("…") && w.title.length > 40), "long agent strings are cut, whole in the title");
  // The page counts from the rollups; the bars are what SQL over events gives.
  const bars = (chart: string) => watched.page.$$eval(`[data-chart="${chart}"] svg g[aria-label="text"] text title`, (nodes) => nodes.map((n) => n.textContent));
  const browsers = await sql<{browser: string}>("SELECT coalesce(browser, 'Unknown') AS browser, count(*) AS n FROM events WHERE NOT is_bot GROUP BY ALL ORDER BY n DESC, browser LIMIT 12");
  assert.deepEqual(await bars("browsers"), browsers.map((b) => b.browser));
  const devices = await sql<{device: string}>("SELECT coalesce(device_type, 'unknown') AS device, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC, device");
  assert.deepEqual(await bars("device-types"), devices.map((d) => d.device));
  await finish(watched, "user-agents");
});

test("Explore: every example query runs", async () => {
  const watched = await open("/explore", '[data-table="result"] table');
  const examples = await watched.page.$$eval("select option", (options) => options.map((o) => o.textContent ?? ""));
  assert.ok(examples.length >= 6);
  // From the second example round to the first, so that each choice changes the query; each
  // example's columns differ, so a new table header means its result is in.
  for (const example of [...examples.slice(1), examples[0]]) {
    const header = await watched.page.textContent('[data-table="result"] table thead');
    // Choosing an example puts it in the editor and runs it.
    await watched.page.selectOption("select", {label: example});
    await watched.page.waitForFunction(
      (before) => (document.querySelector('[data-table="result"] table thead')?.textContent ?? "") !== before || /failed/.test(document.querySelector('[data-result="error"]')?.textContent ?? ""),
      header,
    );
    const outcome = (await watched.page.textContent('[data-result="error"]')) ?? "";
    assert.doesNotMatch(outcome, /failed/, `${example}: ${outcome}`);
    assert.doesNotMatch(outcome, /^0 rows/, `${example} finds rows in the sample`);
  }
  // The first example, requests per hour per instance: the quick chart draws a line per instance.
  const [{instances}] = await sqlOverEveryEvent<{instances: number}>("SELECT count(DISTINCT log_stream) AS instances FROM events");
  // The chart is drawn at its width (Framework's resize), a frame or more after the table: wait for it, then compare.
  const LINES = '[data-chart="quick-chart"] svg g[aria-label="line"] path';
  await watched.page.waitForFunction(({selector, expected}) => document.querySelectorAll(selector).length === expected, {selector: LINES, expected: Number(instances)}, {timeout: 30_000}).catch(() => {});
  const lines = await watched.page.$$eval(LINES, (paths) => paths.length);
  assert.equal(lines, Number(instances));
  await finish(watched, "explore-examples");
});

test("Explore: reaching for the editor starts DuckDB-WASM and warms it up without reading a day of events", async () => {
  const watched = await open("/explore", '[data-table="result"] table');
  const eventRequests: string[] = [];
  watched.page.on("request", (request) => void (request.url().includes("/data/events/") && eventRequests.push(request.url())));
  assert.equal(await watched.page.evaluate(() => document.documentElement.dataset.engineWarm), undefined, "nothing started before the reader reached for a control");
  await watched.page.locator("textarea").hover();
  await watched.page.waitForFunction(() => document.documentElement.dataset.engineWarm !== undefined, undefined, {timeout: 60_000});
  // The shipped example is a question of `events`: warming up on it would read every day's file
  // over the network. Opening the engine reads one, the first day's footer (the view's columns).
  assert.equal(await watched.page.evaluate(() => document.documentElement.dataset.engineWarm), "true");
  const days = new Set(eventRequests.map((url) => new URL(url).pathname));
  assert.ok(days.size <= 1, `the warm-up read no day of events: ${[...days].join(", ")}`);
  await watched.page.context().close();
});

test("Explore: the rollups' own views over their files (a kind's, every kind's, the clients joined to their labels) answer as events do", async () => {
  const watched = await open("/explore", '[data-table="result"] table');
  const [{requests}] = await sqlOverEveryEvent<{requests: number}>("SELECT count(*) AS requests FROM events");
  for (const query of [
    "SELECT sum(requests) AS requests FROM rollups_hour",
    "SELECT sum(requests) AS requests FROM rollups WHERE kind = 'hour'",
    "SELECT sum(requests) AS requests FROM requests_by_client",
  ]) {
    await watched.page.fill("textarea", query);
    await watched.page.click('button:has-text("Run")');
    await watched.page.waitForFunction(() => /rows|failed/.test(document.querySelector('[data-result="error"]')?.textContent ?? ""));
    assert.doesNotMatch((await watched.page.textContent('[data-result="error"]')) ?? "", /failed/, query);
    await watched.page.waitForFunction((expected) => document.querySelector('[data-table="result"] table tbody td:last-child')?.textContent === expected, formatCount(Number(requests)), {timeout: 30_000}).catch(() => {});
    const [[shown]] = await tableRows(watched, '[data-table="result"]');
    assert.equal(shown, formatCount(Number(requests)), query);
  }
  await watched.page.context().close();
});

test("Explore: a typed query's rows, its CSV and Parquet downloads, and a readable error", async () => {
  const watched = await open("/explore", '[data-table="result"] table');
  const query = "SELECT status, count(*) AS requests, '=cmd|calc' AS note FROM events GROUP BY status ORDER BY requests DESC, status";
  await watched.page.fill("textarea", query);
  await watched.page.click('button:has-text("Run")');
  await watched.page.waitForFunction(() => document.querySelector('[data-result="error"]')?.textContent?.includes("rows"));
  await watched.page.waitForFunction((n) => document.querySelectorAll('[data-table="result"] table tbody tr').length === n, (await sqlOverEveryEvent(query)).length);
  const expected = await sqlOverEveryEvent<{status: number; requests: number}>(query);
  const rows = await tableRows(watched, '[data-table="result"]');
  assert.deepEqual(rows.map((r) => r.slice(0, 2)), expected.map((e) => [String(e.status), formatCount(Number(e.requests))]));

  const [csv] = await Promise.all([watched.page.waitForEvent("download"), watched.page.click('button[data-download="weblog-query.csv"]')]);
  const text = await readFile((await csv.path())!, "utf8");
  const lines = text.trim().split("\r\n");
  assert.equal(lines[0], "status,requests,note");
  assert.equal(lines.length, expected.length + 1);
  assert.equal(lines[1], `${expected[0].status},${expected[0].requests},'=cmd|calc`, "formula cells neutralised");

  const [parquet] = await Promise.all([watched.page.waitForEvent("download"), watched.page.click('button[data-download="weblog-query.parquet"]')]);
  const duckdb = await openDuckDB();
  const [[n]] = (await duckdb.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString((await parquet.path())!)})`)).getRows();
  assert.equal(Number(n), expected.length);

  await watched.page.fill("textarea", "SELECT no_such_column FROM events");
  await watched.page.click('button:has-text("Run")');
  await watched.page.waitForFunction(() => document.querySelector('[data-result="error"]')?.textContent?.includes("The query failed"));
  assert.match((await watched.page.textContent('[data-result="error"]')) ?? "", /no_such_column/);

  // The engine's memory running out (as the Overview's filters do at 30M events: docs/scaling.md),
  // here by a limit set low: a message a reader can act on, not DuckDB's advice to set a temp directory.
  // Each outcome differs from the one before it, so the line changing is the new answer.
  const failure = async (sql: string) => {
    const before = (await watched.page.textContent('[data-result="error"]')) ?? "";
    await watched.page.fill("textarea", sql);
    await watched.page.click('button:has-text("Run")');
    await watched.page.waitForFunction((previous) => {
      const now = document.querySelector('[data-result="error"]')?.textContent ?? "";
      return now !== previous && /rows|failed/.test(now);
    }, before);
    return (await watched.page.textContent('[data-result="error"]')) ?? "";
  };
  // A table the reader makes is made in every engine the page runs (workbook.ts): the questions
  // after it find it whichever engine answers them, and with two engines both answer one.
  // The second engine joins once the first has its tables (here none: Explore reads no rollup kind).
  const engines = await watched.page.evaluate(() => Math.min(2, navigator.hardwareConcurrency));
  await watched.page.waitForFunction((engines) => document.documentElement.dataset.engines === String(engines), engines, {timeout: 60_000});
  assert.match(await failure("CREATE TABLE mine AS SELECT range AS n FROM range(4)"), /rows/);
  for (const [sql, rows] of [["SELECT n FROM mine", 4], ["SELECT n FROM mine WHERE n > 0", 3], ["SELECT n FROM mine WHERE n > 1", 2]] as const) {
    assert.match(await failure(sql), new RegExp(`^${rows} rows`), sql);
  }
  const answeredBy = new Set(
    (JSON.parse((await watched.page.evaluate(() => document.documentElement.dataset.queryTimes)) ?? "[]") as {sql: string; engines: number[]}[])
      .filter((q) => q.sql.includes("FROM mine"))
      .flatMap((q) => q.engines),
  );
  assert.deepEqual([...answeredBy].sort(), Array.from({length: engines}, (_, index) => index));
  assert.match(await failure("SET memory_limit = '32MB'"), /rows/);
  const outOfMemory = await failure("CREATE TABLE too_big AS SELECT range AS n FROM range(20000000)");
  assert.match(outOfMemory, /The query failed: this needs more memory than the browser's database has in this tab \(\S+ ?\S*\/\S+ ?\S* in use\)/);
  assert.match(outOfMemory, /weblog publish/);
  assert.doesNotMatch(outOfMemory, /temp_directory/);
  // A question wrong in itself still says what is wrong with it.
  const wrong = await failure("SELECT another_missing_column FROM events");
  assert.match(wrong, /The query failed: .*another_missing_column/);
  assert.doesNotMatch(wrong, /needs more memory/);
  await finish(watched, "explore");
});

test("Data quality: the rejected lines by reason and object, with samples as text", async () => {
  const watched = await open("/data-quality", '[data-table="rejected-samples"] table');
  const rejected = await sql<{s3_key: string; n: number}>("SELECT s3_key, count(*) AS n FROM rejected GROUP BY s3_key ORDER BY n DESC, s3_key", site.rejectedParquet);
  const total = rejected.reduce((sum, r) => sum + Number(r.n), 0);
  assert.equal(total, expected.rejected, "the sample's bad lines");
  assert.equal(await watched.page.textContent('[data-metric="rejected"]'), formatCount(total));
  const rows = await tableRows(watched, '[data-table="rejected-by-object"]');
  assert.deepEqual(rows.map((r) => [r[0], r[1]]), rejected.map((r) => [r.s3_key, formatCount(Number(r.n))]));
  const samples = (await watched.page.textContent('[data-table="rejected-samples"]')) ?? "";
  assert.match(samples, /AH00489/);
  // The sample's key file two keys short, as text.
  const mismatches = await tableRows(watched, '[data-table="key-mismatches"]');
  assert.deepEqual(
    mismatches.map((r) => r.slice(0, 2)),
    expected.keyMismatches.map((m: {key: string; keys: number; records: number}) => [m.key, `${m.keys} keys for ${m.records} records (shorter than its values)`]),
  );
  // The sample's re-delivery from offset 250 (its records all stored already), counted once.
  const {overlappingKey, overlappingRecords} = expected.rewrites;
  assert.deepEqual(await tableRows(watched, '[data-table="redeliveries"]'), [[overlappingKey, formatCount(overlappingRecords)]]);
  assert.ok(
    ((await watched.page.textContent("main")) ?? "").includes(`The bucket holds ${formatCount(overlappingRecords)} records a second time, in 1 object; the events shown on every page count them once.`),
  );
  // Every key of the sample is a value object or its key file.
  assert.equal(await watched.page.textContent('[data-table="skipped-keys"]'), "Every key under the prefix was read.");
  await finish(watched, "data-quality");
});
