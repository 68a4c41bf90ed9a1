// Traffic, Status codes, Security and the per-instance pages, built from the bundled sample and
// opened in Chromium: their numbers are SQL over the shipped Parquet, nothing leaves the origin,
// and log content carrying HTML payloads is shown as text, never run.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {mkdir} from "node:fs/promises";
import {join} from "node:path";
import {after, before, test} from "node:test";
import type {Browser, Page} from "playwright-core";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {serveSite, type SiteServer} from "../../scripts/serve-site.js";
import {formatBytes, formatCount, formatPercent} from "../../src/components/format.js";
import {SUSPICIOUS_RULES, suspiciousKindSql} from "../../data-loaders/contracts/suspicious.js";
import {answeredBy, launchBrowser, openWatchedPage, queriesSettled, type WatchedPage} from "../support/browser.js";
import {eventsUnderDefaultFilter, PROJECT_DIR, sampleSite, type SampleSite} from "../support/sample-site.js";

let site: SampleSite;
let server: SiteServer;
let browser: Browser;
const dialogs: string[] = [];
/** The sample's instances, as its generator counted them. */
const sampleInstances = (JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8")) as {instances: unknown[]}).instances.length;

before(async () => {
  site = await sampleSite();
  server = await serveSite(site.dist);
  browser = await launchBrowser();
  await mkdir(`${PROJECT_DIR}/test-results`, {recursive: true});
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function sql<T = Record<string, unknown>>(text: string): Promise<T[]> {
  const duckdb = await openDuckDB();
  // Own traffic hidden, as the pages open.
  const reader = await duckdb.runAndReadAll(text.replaceAll("FROM events", `FROM ${eventsUnderDefaultFilter(site)}`));
  return reader.getRowObjectsJson() as T[];
}

/** Opens a page, waits for its charts, and checks it stayed inside the origin with no errors. */
async function open(path: string, ready: string): Promise<WatchedPage> {
  const watched = await openWatchedPage(browser, server.url);
  // An alert() from a log line would mean injected script ran.
  watched.page.on("dialog", (dialog) => {
    dialogs.push(`${path}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await watched.page.goto(new URL(path, server.url).href);
  await watched.page.waitForSelector(ready, {timeout: 60_000});
  // Let every cell settle before asserting on errors.
  await watched.page.waitForLoadState("networkidle");
  await queriesSettled(watched.page);
  return watched;
}

async function finish(watched: WatchedPage, name: string): Promise<void> {
  await watched.page.screenshot({path: `${PROJECT_DIR}/test-results/${name}.png`, fullPage: true});
  // Opened with the default filter, each page draws from its shipped first view alone; under
  // another filter (in the URL), DuckDB-WASM answers.
  const answered = await answeredBy(watched.page);
  if (new URL(watched.page.url()).searchParams.has("filter")) assert.ok(answered.duckdb > 0, `${name}: a filtered page asks DuckDB-WASM`);
  else assert.deepEqual(answered, {shipped: answered.shipped || -1, duckdb: 0}, `${name}: the first view was answered from the shipped file alone`);
  assert.deepEqual(watched.externalRequests, []);
  assert.deepEqual(watched.errors, []);
  assert.deepEqual(dialogs, []);
  await watched.page.context().close();
}

const titles = (page: Page, chart: string) => page.$$eval(`[data-chart="${chart}"] svg g[aria-label="text"] text title`, (nodes) => nodes.map((n) => n.textContent));

test("Status codes: a row per code, and the 404 paths in order", async () => {
  const watched = await open("/status-codes", '[data-chart="top-404"] svg');
  const codes = await sql<{status: number; requests: number}>("SELECT status, count(*) AS requests FROM events GROUP BY status ORDER BY requests DESC, status");
  const rows = await watched.page.$$eval('[data-chart="status-codes"] table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim())));
  assert.equal(rows.length, codes.length);
  assert.deepEqual(rows.map((r) => r.slice(1, 3)), codes.map((c) => [String(c.status ?? "none"), formatCount(Number(c.requests))]));
  const notFound = await sql<{path: string}>("SELECT coalesce(path, url, '(no request)') AS path, count(*) AS n FROM events WHERE status = 404 GROUP BY ALL ORDER BY n DESC, path LIMIT 15");
  assert.deepEqual(await titles(watched.page, "top-404"), notFound.map((r) => r.path));
  await finish(watched, "status-codes");
});

test("Status codes, Traffic and Security under a filter (one instance, two days): DuckDB-WASM over the rollups gives what events give", async () => {
  const instance = "i-02e3ca004943e0f26";
  const filter = {from: "2023-05-15", to: "2023-05-16", instance, bots: "include", statuses: ["1xx", "2xx", "3xx", "4xx", "5xx"]};
  const where = `WHERE ts >= TIMESTAMP '2023-05-15' AND ts < TIMESTAMP '2023-05-17' AND log_stream = '${instance}'`;
  const query = `?filter=${encodeURIComponent(JSON.stringify(filter))}`;

  const status = await open(`/status-codes${query}`, '[data-chart="status-codes"] table');
  const codes = await sql<{status: number; requests: number}>(`SELECT status, count(*) AS requests FROM events ${where} GROUP BY status ORDER BY requests DESC, status`);
  const [{all}] = await sql<{all: number}>("SELECT count(*) AS all FROM events");
  assert.ok(codes.reduce((n, c) => n + Number(c.requests), 0) < Number(all), "the filter keeps some of the requests, not all");
  const rows = await status.page.$$eval('[data-chart="status-codes"] table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim())));
  assert.deepEqual(rows.map((r) => r.slice(1, 3)), codes.map((c) => [String(c.status ?? "none"), formatCount(Number(c.requests))]));
  await finish(status, "status-codes-filtered");

  const traffic = await open(`/traffic${query}`, '[data-chart="referrer-hosts"] svg');
  const hosts = await sql<{referrer_host: string}>(`SELECT referrer_host, count(*) AS n FROM events ${where} AND referrer_host IS NOT NULL GROUP BY 1 ORDER BY n DESC, referrer_host LIMIT 15`);
  assert.ok(hosts.length > 0);
  assert.deepEqual(await titles(traffic.page, "referrer-hosts"), hosts.map((h) => h.referrer_host));
  // Visitors per day under the filter (counted as rows where a visitor has one row that day, distinct otherwise).
  const visitors = await sql<{visitors: number}>(`SELECT count(DISTINCT (client_ip, user_agent)) AS visitors FROM events ${where} GROUP BY date_trunc('day', ts) ORDER BY date_trunc('day', ts)`);
  assert.equal(visitors.length, 2);
  assert.deepEqual(await visitorBars(traffic.page), visitors.map((v) => Number(v.visitors)));
  // The engine made a table of the one-row visitors, which the page's queries name
  // (data-loaders/contracts/summary-views.ts), beside the per-visitor rows'.
  await traffic.page.waitForFunction(() => (document.documentElement.dataset.rollupsSummaries ?? "").split(" ").includes("visitor"), undefined, {timeout: 60_000});
  // And so did the second engine (two cores), before it joined the queue to answer the reader.
  const engines = await traffic.page.evaluate(() => Math.min(2, navigator.hardwareConcurrency));
  await traffic.page.waitForFunction((engines) => document.documentElement.dataset.engines === String(engines), engines, {timeout: 60_000});
  if (engines === 2) assert.ok((await traffic.page.evaluate(() => document.documentElement.dataset.secondEngineSummaries ?? "")).split(" ").includes("visitor"));
  await finish(traffic, "traffic-filtered");

  const security = await open(`/security${query}`, '[data-chart="suspicious-kinds"] svg');
  const bots = await sql<{bot: string}>(`SELECT coalesce(bot_name, 'unnamed') AS bot, count(*) AS n FROM events ${where} AND is_bot GROUP BY ALL ORDER BY n DESC, bot LIMIT 20`);
  assert.deepEqual(await titles(security.page, "bots-by-name"), bots.map((b) => b.bot));
  const clients4xx = await sql<{client_ip: string; errors: number}>(
    `SELECT client_ip, count(*) AS errors FROM events ${where} AND status BETWEEN 400 AND 499 GROUP BY client_ip ORDER BY errors DESC, client_ip LIMIT 15`,
  );
  const shown4xx = await security.page.$$eval('[data-table="clients-4xx"] table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")));
  assert.deepEqual(shown4xx.map((r) => [r[1], r[4]]), clients4xx.map((c) => [c.client_ip, String(c.errors)]));
  await finish(security, "security-filtered");
});

/** The Traffic page's visitors per day, read back from the bars' heights through the y scale. */
function visitorBars(page: Page): Promise<number[]> {
  return page.$eval('[data-chart="visitors-per-day"] svg', (svg) => {
    const y = (svg as unknown as {scale(name: string): {apply(v: number): number}}).scale("y");
    const perVisitor = y.apply(0) - y.apply(1);
    // Day-wide rects on a time axis (so 30 day labels never overlap), no longer band bars.
    return [...svg.querySelectorAll('g[aria-label="rect"] rect')].map((rect) => Math.round(Number(rect.getAttribute("height")) / perVisitor));
  });
}

test("Traffic: the weekday × hour cells and the referrer hosts", async () => {
  const watched = await open("/traffic", '[data-chart="referrer-hosts"] svg');
  const [{cells}] = await sql<{cells: number}>("SELECT count(*) AS cells FROM (SELECT DISTINCT isodow(ts), hour(ts) FROM events WHERE ts IS NOT NULL)");
  const drawn = await watched.page.$$eval('[data-chart="weekday-hour"] svg g[aria-label="cell"] rect', (rects) => rects.length);
  assert.equal(drawn, Number(cells));
  const hosts = await sql<{referrer_host: string}>("SELECT referrer_host, count(*) AS n FROM events WHERE referrer_host IS NOT NULL GROUP BY 1 ORDER BY n DESC, referrer_host LIMIT 15");
  assert.deepEqual(await titles(watched.page, "referrer-hosts"), hosts.map((h) => h.referrer_host));
  // Visitors per day from the rollups: the bars' heights, read back through the y scale, are SQL's counts.
  const visitors = await sql<{visitors: number}>("SELECT count(DISTINCT (client_ip, user_agent)) AS visitors FROM events WHERE ts IS NOT NULL GROUP BY date_trunc('day', ts) ORDER BY date_trunc('day', ts)");
  assert.deepEqual(await visitorBars(watched.page), visitors.map((v) => Number(v.visitors)));
  await finish(watched, "traffic");
});

test("Security: every suspicious kind counted as SQL counts it; payloads shown as text", async () => {
  const watched = await open("/security", '[data-chart="suspicious-kinds"] svg');
  const counts = await sql<{kind: string; n: number}>(`SELECT kind, count(*) AS n FROM (SELECT ${suspiciousKindSql()} AS kind FROM events) WHERE kind IS NOT NULL GROUP BY kind`);
  const expected = Object.fromEntries(SUSPICIOUS_RULES.map((r) => [r.name, 0]));
  for (const {kind, n} of counts) expected[kind] = Number(n);
  const drawn = await watched.page.$$eval('[data-chart="suspicious-kinds"] svg g[aria-label="text"] text', (nodes) => nodes.map((n) => n.textContent));
  assert.deepEqual(drawn, Object.values(expected).map(String));
  // The sample's hand-made probes each land in their kind.
  assert.equal(expected["TLS sent to the HTTP port"], 2);
  assert.ok(expected["Secrets and config files"] >= 2, ".env and .git/config");
  assert.ok(expected["WordPress login probes"] >= 1);
  assert.ok(expected["Path traversal"] >= 1);
  assert.ok(expected["SQL injection"] >= 1);
  assert.ok(expected["Shell and code execution"] >= 1, "the ThinkPHP invokefunction probe");
  assert.ok(expected["Script injection (XSS)"] >= 1);
  // The XSS line's agent is `<script>alert(3)</script>`: in the table as text, not as an element.
  const table = await watched.page.textContent('[data-table="suspicious-requests"]');
  assert.match(table ?? "", /<script>alert\(3\)<\/script>/);
  assert.equal(await watched.page.$$eval("main script", (nodes) => nodes.filter((n) => n.textContent?.includes("alert(3)")).length), 0);
  // The table starts with the newest matches; like requests of the same second are one row, with
  // how many times they came. (It draws more rows as it is scrolled; the first ones are compared.)
  const matchRows = await watched.page.$$eval('[data-table="suspicious-requests"] table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")));
  const newest = await sql<{kind: string; client_ip: string; url: string; times: number}>(
    `SELECT kind, client_ip, url, count(*) AS times FROM (SELECT ${suspiciousKindSql()} AS kind, * FROM events) WHERE kind IS NOT NULL ` +
      "GROUP BY kind, ts, log_stream, is_bot, status, client_ip, country, url, user_agent ORDER BY ts DESC NULLS LAST, kind, url",
  );
  assert.ok(matchRows.length >= 10, `${matchRows.length} rows drawn`);
  assert.deepEqual(matchRows.map((r) => [r[2], r[3], r[6], r[8]]), newest.slice(0, matchRows.length).map((m) => [m.kind, m.client_ip, m.url, String(m.times)]));
  const bursts = await sql<{client_ip: string; errors: number; paths: number}>(
    "SELECT client_ip, date_trunc('minute', ts) AS minute, count(*) AS errors, count(DISTINCT path) AS paths FROM events WHERE status >= 400 AND ts IS NOT NULL GROUP BY ALL HAVING count(*) >= 2 ORDER BY errors DESC, minute, client_ip LIMIT 15",
  );
  assert.ok(bursts.length > 0, "the sample has bursts of errors");
  const shownBursts = await watched.page.$$eval('[data-table="error-bursts"] table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")));
  assert.deepEqual(shownBursts.map((r) => [r[1], r[3], r[4]]), bursts.map((b) => [b.client_ip, String(b.errors), String(b.paths)]));
  const bots = await sql<{bot: string}>("SELECT coalesce(bot_name, 'unnamed') AS bot, count(*) AS n FROM events WHERE is_bot GROUP BY ALL ORDER BY n DESC, bot LIMIT 20");
  assert.deepEqual(await titles(watched.page, "bots-by-name"), bots.map((b) => b.bot));
  const clients4xx = await sql<{client_ip: string; errors: number; paths: number}>(
    "SELECT client_ip, count(*) AS errors, count(DISTINCT path) AS paths FROM events WHERE status BETWEEN 400 AND 499 GROUP BY client_ip ORDER BY errors DESC, client_ip LIMIT 15",
  );
  const shown4xx = await watched.page.$$eval('[data-table="clients-4xx"] table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")));
  assert.deepEqual(shown4xx.map((r) => [r[1], r[4], r[5]]), clients4xx.map((c) => [c.client_ip, String(c.errors), String(c.paths)]));
  const [{expanse}] = await sql<{expanse: number}>("SELECT count(*) AS expanse FROM events WHERE is_bot AND bot_name = 'Expanse'");
  assert.equal(Number(expanse), 3, "Palo Alto Networks' Expanse scanner counts as a bot");
  await finish(watched, "security");
});

test("Instances: one page per log stream, each with its own numbers", async () => {
  const streams = await sql<{log_stream: string; n: number}>("SELECT log_stream, count(*) AS n FROM events GROUP BY 1 ORDER BY 1");
  assert.equal(streams.length, sampleInstances);
  for (const {log_stream, n} of streams) {
    const watched = await open(`/instances/${log_stream}`, '[data-chart="top-paths"] svg');
    // The page counts from the rollups; every card and the top paths are what SQL over events gives.
    const [expected] = await sql<{clients: number; bytes: number; error_rate: number}>(
      `SELECT count(DISTINCT client_ip) AS clients, sum(bytes) AS bytes, avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS error_rate FROM events WHERE log_stream = '${log_stream}'`,
    );
    assert.equal(await watched.page.textContent('[data-metric="requests"]'), formatCount(Number(n)));
    assert.equal(await watched.page.textContent('[data-metric="clients"]'), formatCount(Number(expected.clients)));
    assert.equal(await watched.page.textContent('[data-metric="bytes"]'), formatBytes(Number(expected.bytes)));
    assert.equal(await watched.page.textContent('[data-metric="error-rate"]'), formatPercent(Number(expected.error_rate)));
    const paths = await sql<{path: string}>(`SELECT path, count(*) AS n FROM events WHERE log_stream = '${log_stream}' AND request_class = 'page' AND path IS NOT NULL GROUP BY path ORDER BY n DESC, path LIMIT 10`);
    assert.deepEqual(await titles(watched.page, "top-paths"), paths.map((p) => p.path));
    assert.match((await watched.page.textContent("h1")) ?? "", new RegExp(log_stream));
    const links = await watched.page.$$eval("#observablehq-sidebar a", (as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const other of streams) assert.ok(links.some((href) => href?.endsWith(`/instances/${other.log_stream}`)), `sidebar links ${other.log_stream}`);
    await finish(watched, `instance-${log_stream}`);
  }
});
