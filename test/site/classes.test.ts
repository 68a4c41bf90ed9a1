// Request classes, your own traffic and the vhost choice, on the site built from the bundled
// sample with the demo's ownTraffic rules (scripts/sample-classes.ts): the office and monitoring
// requests are marked as the sample says, hidden when a page opens, shown by the filter; the
// request-class filter changes every number exactly as SQL over the shipped events; a sample with
// vhost choice lists the sample's virtual hosts.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import type {Page} from "playwright-core";
import {formatBytes, formatCount} from "../../src/components/format.js";
import {answeredBy, openWatchedPage, type WatchedPage} from "../support/browser.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {eventsSql, sampleSiteSession} from "../support/site-session.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));

const session = sampleSiteSession();

/** SQL over every shipped event (own traffic included): `events` in the text. */
const sql = <T = Record<string, unknown>>(text: string) => eventsSql<T>(session.site, text);

const metric = (page: Page, name: string) => page.textContent(`[data-metric="${name}"]`);
const topPaths = (page: Page) => page.$$eval('[data-chart="top-paths"] svg g[aria-label="text"] text title', (nodes) => nodes.map((n) => n.textContent));

/** Waits until the Overview shows `requests`, asked of DuckDB-WASM after `duckdbBefore` answers. */
async function overviewShows(page: Page, requests: number, duckdbBefore: number): Promise<void> {
  await page.waitForFunction(
    ([text, before]) => document.querySelector('[data-metric="requests"]')?.textContent === text && Number(document.documentElement.dataset.answeredDuckdb ?? 0) > before,
    [formatCount(requests), duckdbBefore] as const,
    {timeout: 60_000},
  );
  await page.waitForFunction(() => Number(document.documentElement.dataset.queriesRunning ?? 0) === 0, undefined, {timeout: 60_000});
}

async function openOverview(): Promise<WatchedPage> {
  const watched = await openWatchedPage(session.browser, session.server.url);
  await watched.page.goto(session.server.url);
  await watched.page.waitForFunction(() => document.querySelectorAll("[data-chart] svg").length >= 3, undefined, {timeout: 60_000});
  return watched;
}

test("the sample's office (IPv4 and IPv6 /48) and monitoring requests are marked with their rule, as the sample says", async () => {
  const rows = await sql<{rule: string | null; n: number; ipv6: number}>(
    "SELECT own_traffic_rule AS rule, count(*) AS n, count(*) FILTER (client_ip LIKE '%:%') AS ipv6 FROM events WHERE own_traffic GROUP BY ALL ORDER BY rule",
  );
  const byRule = Object.fromEntries(rows.map((r) => [r.rule, Number(r.n)]));
  assert.deepEqual(byRule, expected.classes.ownTrafficByRule);
  assert.equal(rows.reduce((n, r) => n + Number(r.ipv6), 0), expected.classes.officeIpv6);
  const [{unmarked}] = await sql<{unmarked: number}>("SELECT count(*) FILTER (own_traffic IS NULL OR request_class IS NULL) AS unmarked FROM events");
  assert.equal(Number(unmarked), 0, "every event has a class and an own-traffic flag");
});

test("own traffic is hidden when a page opens, and the filter shows it, or it alone, exactly as SQL over events", async () => {
  const watched = await openOverview();
  const {page} = watched;
  const [all] = await sql<{requests: number; own: number; bytes: string; ownBytes: string}>(
    "SELECT count(*) AS requests, count(*) FILTER (own_traffic) AS own, sum(bytes) AS bytes, sum(bytes) FILTER (own_traffic) AS ownBytes FROM events",
  );
  const own = Number(all.own);
  assert.ok(own > 300, `the sample has ${own} requests of its own traffic`);
  assert.equal(await metric(page, "requests"), formatCount(Number(all.requests) - own), "opened without own traffic");
  assert.equal((await answeredBy(page)).duckdb, 0, "the first view, own traffic hidden, is the shipped one");
  assert.match((await page.textContent("main")) ?? "", /All requests but your own traffic/);

  let before = (await answeredBy(page)).duckdb;
  await page.getByLabel("Show own traffic").check();
  await overviewShows(page, Number(all.requests), before);
  assert.equal(await metric(page, "bytes"), formatBytes(Number(all.bytes)));
  // The choice is in the URL, so a link shares it.
  assert.equal(JSON.parse(new URL(page.url()).searchParams.get("filter")!).ownTraffic, "show");

  before = (await answeredBy(page)).duckdb;
  await page.getByLabel("Own traffic only").check();
  await overviewShows(page, own, before);
  assert.equal(await metric(page, "bytes"), formatBytes(Number(all.ownBytes)));
  const ownPages = await sql<{path: string}>("SELECT path, count(*) AS n FROM events WHERE own_traffic AND request_class = 'page' GROUP BY path ORDER BY n DESC, path LIMIT 10");
  await page.waitForFunction((titles) => JSON.stringify([...document.querySelectorAll('[data-chart="top-paths"] svg g[aria-label="text"] text title')].map((n) => n.textContent)) === titles, JSON.stringify(ownPages.map((r) => r.path)), {timeout: 60_000});
  assert.match((await page.textContent("main")) ?? "", /own traffic only/);
  assert.deepEqual(watched.errors, []);
  assert.deepEqual(watched.externalRequests, []);
  await page.context().close();
});

test("the request-class filter: ticking assets and API alone counts them, and the top paths rank them", async () => {
  const watched = await openOverview();
  const {page} = watched;
  const where = "WHERE NOT own_traffic AND request_class IN ('asset', 'api')";
  const [row] = await sql<{requests: number; bytes: string; clients: number}>(`SELECT count(*) AS requests, sum(bytes) AS bytes, count(DISTINCT client_ip) AS clients FROM events ${where}`);
  const paths = await sql<{path: string}>(`SELECT path, count(*) AS n FROM events ${where} AND path IS NOT NULL GROUP BY path ORDER BY n DESC, path LIMIT 10`);
  assert.ok(Number(row.requests) > 100 && paths.length === 10, `assets and API: ${row.requests} requests`);

  const before = (await answeredBy(page)).duckdb;
  await page.getByLabel("Pages").uncheck();
  await page.getByLabel("Other").uncheck();
  await overviewShows(page, Number(row.requests), before);
  assert.equal(await metric(page, "bytes"), formatBytes(Number(row.bytes)));
  assert.equal(await metric(page, "clients"), formatCount(Number(row.clients)));
  assert.deepEqual(await topPaths(page), paths.map((r) => r.path));
  assert.match((await page.textContent("main")) ?? "", /Assets, API/);
  assert.deepEqual(watched.errors, []);
  await page.context().close();
});

test("every filtered page under a shared link (assets and API, own traffic shown): Traffic's and Geography's numbers are what events give", async () => {
  const filter = {classes: ["asset", "api"], ownTraffic: "show"};
  const where = "WHERE request_class IN ('asset', 'api')";
  const paths = await sql<{path: string}>(`SELECT path, count(*) AS n FROM events ${where} AND path IS NOT NULL GROUP BY path ORDER BY n DESC, path LIMIT 15`);
  const [located] = await sql<{located: number; unknown: number}>(`SELECT count(country) AS located, count(*) - count(country) AS unknown FROM events ${where}`);
  assert.ok(paths.length > 5 && Number(located.located) > 0);
  for (const path of ["/traffic", "/geography", "/status-codes", "/user-agents", "/security"]) {
    const watched = await openWatchedPage(session.browser, session.server.url);
    await watched.page.goto(`${new URL(path, session.server.url).href}?filter=${encodeURIComponent(JSON.stringify(filter))}`);
    await watched.page.waitForSelector("[data-chart] svg, [data-chart] table", {timeout: 60_000});
    await watched.page.waitForFunction(() => Number(document.documentElement.dataset.queriesRunning ?? 0) === 0 && Number(document.documentElement.dataset.answeredDuckdb ?? 0) > 0, undefined, {timeout: 60_000});
    await watched.page.waitForLoadState("networkidle");
    assert.equal(await watched.page.getByLabel("Assets").isChecked(), true, `${path}: the shared filter is restored`);
    assert.equal(await watched.page.getByLabel("Pages").isChecked(), false);
    assert.equal(await watched.page.getByLabel("Show own traffic").isChecked(), true);
    if (path === "/traffic") assert.deepEqual(await topPaths(watched.page), paths.map((r) => r.path));
    if (path === "/geography") {
      assert.equal(await metric(watched.page, "located"), formatCount(Number(located.located)));
      assert.equal(await metric(watched.page, "unknown"), formatCount(Number(located.unknown)));
    }
    assert.deepEqual(watched.errors, [], path);
    assert.deepEqual(watched.externalRequests, [], path);
    await watched.page.context().close();
  }
});

test("the vhost choice lists the virtual hosts the logs name, and picking one counts its requests alone", async () => {
  // The sample's vhost_combined instance (scripts/sample-perf.ts); a log with no %v gets no choice
  // at all (test/report/report-command.test.ts).
  const vhosts = (await sql<{vhost: string}>("SELECT DISTINCT vhost FROM events WHERE vhost IS NOT NULL ORDER BY vhost")).map((r) => r.vhost);
  assert.deepEqual(vhosts, expected.perf.vhosts.map((v: {value: string}) => v.value).sort());
  const watched = await openOverview();
  const choice = watched.page.getByLabel("Virtual host");
  assert.deepEqual(await choice.locator("option").allTextContents(), ["All vhosts", ...vhosts]);
  const [{requests}] = await sql<{requests: number}>(`SELECT count(*) AS requests FROM events WHERE vhost = '${vhosts[0]}' AND NOT own_traffic`);
  await choice.selectOption(vhosts[0]);
  await watched.page.waitForFunction((n) => document.querySelector('[data-metric="requests"]')?.textContent?.replace(/[^\d]/g, "") === String(n), Number(requests), {timeout: 60_000});
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
});
