// Broken links, Visits, Top talkers and the Overview's period comparison, built from the bundled
// sample and opened in Chromium: every number they show is what SQL over the shipped events
// gives, with the default filter (the shipped first view) and under a filter (DuckDB-WASM).
import assert from "node:assert/strict";
import {readFile} from "node:fs/promises";
import {before, test} from "node:test";
import type {Page} from "playwright-core";
import {durationBandSql} from "../../data-loaders/rollups/visits.js";
import {sqlString} from "../../data-loaders/write/duckdb.js";
import {formatBytes, formatCount, formatPercent, formatUtc} from "../../src/components/format.js";
import {networkSql} from "../../data-loaders/contracts/network.js";
import {openWatchedPage, queriesSettled, type WatchedPage} from "../support/browser.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {eventsSql, finishPage as finish, sampleSiteSession} from "../support/site-session.js";

const session = sampleSiteSession();
let facts: {ownHosts: string[]; midnightVisit: {clientIp: string; startsOn: string; requests: number; pages: number}; internalBrokenTarget: {path: string; requests: number; referrerPaths: string[]}; externalBrokenTarget: {path: string; referrerHost: string}; ipv6Network: {network: string; clients: string[]}};

const INSTANCE = "i-02e3ca004943e0f26";
const FILTER = {from: "2023-05-15", to: "2023-05-16", instance: INSTANCE, bots: "include", statuses: ["1xx", "2xx", "3xx", "4xx", "5xx", "unknown"]};
const FILTERED = `?filter=${encodeURIComponent(JSON.stringify(FILTER))}`;
// Both the page opening and FILTER leave your own traffic out, as the filter bar does by default.
const FILTER_SQL = `NOT own_traffic AND ts >= TIMESTAMP '2023-05-15' AND ts < TIMESTAMP '2023-05-17' AND log_stream = '${INSTANCE}'`;
const DEFAULT_SQL = "NOT own_traffic";

before(async () => {
  facts = JSON.parse(await readFile(`${PROJECT_DIR}/sample/expected.json`, "utf8")).visits;
});

const sql = <T = Record<string, unknown>>(text: string) => eventsSql<T>(session.site, text);

async function open(path: string, ready: string): Promise<WatchedPage> {
  const watched = await openWatchedPage(session.browser, session.server.url);
  await watched.page.goto(new URL(path, session.server.url).href);
  await watched.page.waitForSelector(ready, {timeout: 60_000});
  await watched.page.waitForLoadState("networkidle");
  // Under a filter DuckDB-WASM answers after the page has loaded, its queries side by side: wait until none runs.
  await queriesSettled(watched.page);
  return watched;
}

const metric = (page: Page, name: string) => page.textContent(`[data-metric="${name}"]`);
/** A table's drawn rows, cells as text, without Inputs.table's selection column. */
const tableRows = (page: Page, name: string) =>
  page.$$eval(`[data-table="${name}"] table tbody tr`, (trs) =>
    // An empty table draws one row with no cells.
    trs.map((tr) => [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent?.trim() ?? "")).filter((cells) => cells.length > 0),
  );
const titles = (page: Page, chart: string) => page.$$eval(`[data-chart="${chart}"] svg g[aria-label="text"] text title`, (nodes) => nodes.map((n) => n.textContent));

/** Drawn rows equal the first rows of the expected ones (a table draws more as it scrolls). */
function assertPrefix(drawn: string[][], expected: string[][], name: string): void {
  assert.ok(drawn.length >= Math.min(expected.length, 10), `${name}: ${drawn.length} rows drawn of ${expected.length}`);
  assert.deepEqual(drawn, expected.slice(0, drawn.length), name);
}

// ---------------------------------------------------------------- Broken links

async function checkBrokenLinks(path: string, where: string, name: string): Promise<void> {
  const watched = await open(path, '[data-table="external-targets"] table');
  const hosts = facts.ownHosts.map(sqlString).join(", ");
  const kind = `CASE WHEN referrer_host IS NULL THEN 'none' WHEN referrer_host IN (${hosts}) THEN 'internal' ELSE 'external' END`;
  const refPath = `coalesce(nullif(regexp_extract(referrer, '^[a-z]+://[^/?#]*([^?#]*)', 1), ''), '/')`;
  const [counts] = await sql<Record<string, number>>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE ${kind} = 'internal') AS internal, count(*) FILTER (WHERE ${kind} = 'external') AS external, count(*) FILTER (WHERE ${kind} = 'none') AS none FROM events WHERE status = 404 ${where}`,
  );
  assert.equal(await metric(watched.page, "not-found"), formatCount(Number(counts.n)));
  assert.equal(await metric(watched.page, "internal"), formatCount(Number(counts.internal)));
  assert.equal(await metric(watched.page, "external"), formatCount(Number(counts.external)));
  assert.equal(await metric(watched.page, "no-referrer"), formatCount(Number(counts.none)));
  const internal = await sql<{target: string; n: number; pages: number; linked: string}>(
    `SELECT coalesce(path, url, '(no request)') AS target, count(*) AS n, count(DISTINCT ${refPath}) AS pages, string_agg(DISTINCT ${refPath}, ', ' ORDER BY ${refPath}) AS linked
     FROM events WHERE status = 404 AND ${kind} = 'internal' ${where} GROUP BY 1 ORDER BY n DESC, target LIMIT 20`,
  );
  assert.ok(internal.length > 0, `${name}: the sample has internal broken links`);
  assertPrefix(await tableRows(watched.page, "internal-targets"), internal.map((r) => [r.target, formatCount(Number(r.n)), String(r.pages), r.linked]), `${name} internal`);
  const external = await sql<{target: string; n: number; sites: number; linked: string}>(
    `SELECT coalesce(path, url, '(no request)') AS target, count(*) AS n, count(DISTINCT referrer_host) AS sites, string_agg(DISTINCT referrer_host, ', ' ORDER BY referrer_host) AS linked
     FROM events WHERE status = 404 AND ${kind} = 'external' ${where} GROUP BY 1 ORDER BY n DESC, target LIMIT 20`,
  );
  assertPrefix(await tableRows(watched.page, "external-targets"), external.map((r) => [r.target, formatCount(Number(r.n)), String(r.sites), r.linked]), `${name} external`);
  const pages = await sql<{page: string}>(`SELECT ${refPath} AS page, count(*) AS n FROM events WHERE status = 404 AND ${kind} = 'internal' ${where} GROUP BY 1 ORDER BY n DESC, page LIMIT 10`);
  assert.deepEqual(await titles(watched.page, "linking-pages"), pages.map((p) => p.page));
  await finish(watched, name);
}

test("Broken links: 404s by where the link was, the missing pages and who links to them", async () => {
  await checkBrokenLinks("/broken-links", `AND ${DEFAULT_SQL}`, "broken-links");
  // The sample's hand-made internal broken link, with both pages that link to it.
  const [target] = await sql<{n: number; pages: string}>(
    `SELECT count(*) AS n, string_agg(DISTINCT referrer, ' ') AS pages FROM events WHERE status = 404 AND path = ${sqlString(facts.internalBrokenTarget.path)}`,
  );
  assert.equal(Number(target.n), facts.internalBrokenTarget.requests);
});

test("Broken links under a filter (one instance, two days)", async () => {
  await checkBrokenLinks(`/broken-links${FILTERED}`, `AND ${FILTER_SQL}`, "broken-links-filtered");
});

// ---------------------------------------------------------------- Visits

/** Every visit of the sample, made here over all events at once (no day at a time), as the Visits page defines them. */
const VISITS = (timeout: number) => `
  WITH r AS (SELECT *, coalesce(request_class = 'page', false) AS is_page FROM events WHERE NOT is_bot AND ts IS NOT NULL),
  s AS (SELECT *, coalesce(ts - lag(ts) OVER (PARTITION BY client_ip, user_agent ORDER BY ts) > INTERVAL ${timeout} MINUTE, true) AS starts FROM r),
  n AS (SELECT *, sum(starts::INTEGER) OVER (PARTITION BY client_ip, user_agent ORDER BY ts) AS visit FROM s)
  SELECT client_ip, min(ts) AS ts,
         arg_min(log_stream, (ts, coalesce(path, ''), coalesce(log_stream, ''), coalesce(status, -1))) AS log_stream,
         arg_min(status, (ts, coalesce(path, ''), coalesce(log_stream, ''), coalesce(status, -1))) AS status,
         arg_min(own_traffic, (ts, coalesce(path, ''), coalesce(log_stream, ''), coalesce(status, -1))) AS own_traffic,
         arg_min(path, (ts, coalesce(path, ''), coalesce(log_stream, ''), coalesce(status, -1))) FILTER (WHERE is_page) AS entry,
         arg_max(path, (ts, coalesce(path, ''), coalesce(log_stream, ''), coalesce(status, -1))) FILTER (WHERE is_page) AS exit,
         count(*) FILTER (WHERE is_page) AS pages, count(*) AS requests, epoch(max(ts)) - epoch(min(ts)) AS seconds
  FROM n GROUP BY client_ip, user_agent, visit
  HAVING count(*) FILTER (WHERE is_page) > 0`;

const duration = (seconds: number) => (seconds < 60 ? `${Math.round(seconds)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`);

async function checkVisits(path: string, where: string, name: string): Promise<void> {
  const watched = await open(path, '[data-table="exit-pages"] table');
  const visits = `(${VISITS(30)}) WHERE true ${where}`;
  const [summary] = await sql<{visits: number; pages: number; seconds: number; bounced: number}>(
    `SELECT count(*) AS visits, avg(pages) AS pages, avg(seconds) AS seconds, avg(CASE WHEN pages = 1 THEN 1 ELSE 0 END) AS bounced FROM ${visits}`,
  );
  assert.ok(Number(summary.visits) > 10, `${name}: ${summary.visits} visits`);
  assert.equal(await metric(watched.page, "visits"), formatCount(Number(summary.visits)));
  assert.equal(await metric(watched.page, "pages-per-visit"), Number(summary.pages).toFixed(2));
  assert.equal(await metric(watched.page, "duration"), duration(Number(summary.seconds)));
  assert.equal(await metric(watched.page, "bounce-rate"), formatPercent(Number(summary.bounced)));
  const perDay = await sql<{visits: number}>(`SELECT count(*) AS visits FROM ${visits} GROUP BY date_trunc('day', ts) ORDER BY date_trunc('day', ts)`);
  const bars = await watched.page.$eval('[data-chart="visits-per-day"] svg', (svg) => {
    const y = (svg as unknown as {scale(name: string): {apply(v: number): number}}).scale("y");
    const perVisit = y.apply(0) - y.apply(1);
    return [...svg.querySelectorAll('g[aria-label="rect"] rect')].map((rect) => Math.round(Number(rect.getAttribute("height")) / perVisit));
  });
  assert.deepEqual(bars, perDay.map((d) => Number(d.visits)));
  for (const [table, column] of [["entry-pages", "entry"], ["exit-pages", "exit"]] as const) {
    const rows = await sql<{page: string; n: number; bounce: number}>(
      `SELECT ${column} AS page, count(*) AS n, avg(CASE WHEN pages = 1 THEN 1 ELSE 0 END) AS bounce FROM ${visits} GROUP BY 1 ORDER BY n DESC, page LIMIT 10`,
    );
    assertPrefix(await tableRows(watched.page, table), rows.map((r) => [r.page, formatCount(Number(r.n)), formatPercent(Number(r.bounce))]), `${name} ${table}`);
  }
  const bands = await sql<{n: number}>(`SELECT count(*) AS n FROM ${visits} GROUP BY ${durationBandSql(false)} ORDER BY ${durationBandSql(false)}`);
  const durationBars = await watched.page.$eval('[data-chart="visit-durations"] svg', (svg) => {
    const y = (svg as unknown as {scale(name: string): {apply(v: number): number}}).scale("y");
    const perVisit = y.apply(0) - y.apply(1);
    return [...svg.querySelectorAll('g[aria-label="bar"] rect')].map((rect) => Math.round(Number(rect.getAttribute("height")) / perVisit));
  });
  assert.deepEqual(durationBars, bands.map((b) => Number(b.n)));
  await finish(watched, name);
}

test("Visits: counts, pages, durations, bounces, entry and exit pages are the sessions SQL makes of the events", async () => {
  // The sample's reader whose visit runs past midnight: one visit, counted on the day it starts.
  const reader = await sql<{day: string; requests: number; pages: number}>(
    `SELECT strftime(ts, '%Y-%m-%d') AS day, requests, pages FROM (${VISITS(30)}) WHERE client_ip = ${sqlString(facts.midnightVisit.clientIp)} ORDER BY ts`,
  );
  assert.deepEqual({...reader[0], requests: Number(reader[0].requests), pages: Number(reader[0].pages)}, {day: facts.midnightVisit.startsOn, requests: facts.midnightVisit.requests, pages: facts.midnightVisit.pages});
  await checkVisits("/visits", `AND ${DEFAULT_SQL}`, "visits");
});

test("Visits under a filter: visits chosen by their first request's day and instance", async () => {
  await checkVisits(`/visits${FILTERED}`, `AND ${FILTER_SQL}`, "visits-filtered");
});

// ---------------------------------------------------------------- Top talkers

async function checkTalkers(path: string, where: string, name: string): Promise<void> {
  const watched = await open(path, '[data-table="networks-by-bytes"] table');
  const condition = where ? `WHERE ${where}` : "";
  const talkers = async (key: string, order: "requests" | "bytes", extra: string) =>
    sql<Record<string, string | number | null>>(
      `SELECT ${key} AS key, ${extra} count(*) AS requests, sum(bytes) AS bytes, ${order === "requests" ? "count(*)" : "sum(bytes)"} / sum(${order === "requests" ? "count(*)" : "sum(bytes)"}) OVER () AS share,
              avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS error_rate, min(ts) AS first, max(ts) AS last
       FROM events ${condition} GROUP BY 1 ORDER BY ${order} DESC NULLS LAST, key LIMIT 15`,
    );
  const cells = (r: Record<string, string | number | null>) => [
    formatCount(Number(r.requests)),
    formatBytes(r.bytes === null ? null : Number(r.bytes)),
    formatPercent(Number(r.share)),
    formatPercent(Number(r.error_rate)),
    formatUtc(r.first === null ? null : new Date(`${r.first}Z`)),
    formatUtc(r.last === null ? null : new Date(`${r.last}Z`)),
  ];
  for (const order of ["requests", "bytes"] as const) {
    const clients = await talkers("client_ip", order, "");
    assertPrefix((await tableRows(watched.page, `clients-by-${order}`)).map((r) => [r[0], ...r.slice(3)]), clients.map((r) => [String(r.key), ...cells(r)]), `${name} clients by ${order}`);
    const networks = await talkers(`coalesce(${networkSql()}, '(host names)')`, order, "count(DISTINCT client_ip) AS clients,");
    assertPrefix(await tableRows(watched.page, `networks-by-${order}`), networks.map((r) => [String(r.key), String(r.clients), ...cells(r)]), `${name} networks by ${order}`);
  }
  await finish(watched, name);
}

test("Top talkers: clients and networks by requests and by bytes, with share, error rate, first and last seen", async () => {
  const [network] = await sql<{clients: number}>(`SELECT count(DISTINCT client_ip) AS clients FROM events WHERE ${networkSql()} = ${sqlString(facts.ipv6Network.network)}`);
  assert.equal(Number(network.clients), facts.ipv6Network.clients.length, "the sample's two IPv6 clients fall in one /48");
  await checkTalkers("/top-talkers", DEFAULT_SQL, "top-talkers");
});

test("Top talkers under a filter", async () => {
  await checkTalkers(`/top-talkers${FILTERED}`, FILTER_SQL, "top-talkers-filtered");
});

// ---------------------------------------------------------------- Overview: compare periods, months

async function periodRow(from: string, to: string, extra: string) {
  const [row] = await sql<{requests: number; visitors: number; error_rate: number | null; bytes: number | null}>(
    `SELECT count(*) AS requests, count(DISTINCT (client_ip, user_agent)) AS visitors, avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS error_rate, sum(bytes) AS bytes
     FROM events WHERE ts >= TIMESTAMP '${from}' AND ts < TIMESTAMP '${to}' + INTERVAL 1 DAY ${extra}`,
  );
  return row;
}

async function comparison(page: Page) {
  return Object.fromEntries(
    await page.$$eval('[data-table="compare-periods"] tbody tr', (trs) => trs.map((tr) => [tr.getAttribute("data-row"), [...tr.querySelectorAll("td")].slice(1, 4).map((td) => td.textContent?.trim())])),
  ) as Record<string, string[]>;
}

const shown = (row: {requests: number; visitors: number; error_rate: number | null; bytes: number | null}) => ({
  requests: formatCount(Number(row.requests)),
  visitors: formatCount(Number(row.visitors)),
  "error-rate": formatPercent(row.error_rate === null ? null : Number(row.error_rate)),
  bytes: formatBytes(Number(row.bytes ?? 0)),
});

test("Overview: the period against the one before it, and the monthly view's note for one month", async () => {
  const [span] = await sql<{first: string; last: string}>("SELECT strftime(min(ts), '%Y-%m-%d') AS first, strftime(max(ts), '%Y-%m-%d') AS last FROM events");
  const days = (Date.parse(span.last) - Date.parse(span.first)) / 86_400_000 + 1;
  const before = new Date(Date.parse(span.first) - days * 86_400_000).toISOString().slice(0, 10);
  const dayBefore = new Date(Date.parse(span.first) - 86_400_000).toISOString().slice(0, 10);
  const overview = await open("/", '[data-table="compare-periods"] tbody tr');
  const rows = await comparison(overview.page);
  const now = shown(await periodRow(span.first, span.last, `AND ${DEFAULT_SQL}`));
  const earlier = shown(await periodRow(before, dayBefore, `AND ${DEFAULT_SQL}`));
  for (const key of Object.keys(now) as (keyof typeof now)[]) assert.deepEqual(rows[key].slice(0, 2), [now[key], earlier[key]], key);
  assert.equal(rows.requests[2], "new", "nothing before the data's first day");
  assert.match((await overview.page.textContent('[data-chart="requests-per-month"]')) ?? "", /one month \(May 2023\)/);
  await finish(overview, "overview-compare");

  // One instance, 16 May against 15 May.
  const filter = {...FILTER, from: "2023-05-16", to: "2023-05-16"};
  const may16Row = await periodRow("2023-05-16", "2023-05-16", `AND ${DEFAULT_SQL} AND log_stream = '${INSTANCE}'`);
  const may15Row = await periodRow("2023-05-15", "2023-05-15", `AND ${DEFAULT_SQL} AND log_stream = '${INSTANCE}'`);
  const may16 = shown(may16Row);
  const may15 = shown(may15Row);
  const filtered = await open(`/?filter=${encodeURIComponent(JSON.stringify(filter))}`, '[data-table="compare-periods"] tbody tr');
  // DuckDB-WASM answers while the page is open: wait until every cell of the table is drawn.
  await filtered.page.waitForFunction(
    () => [...document.querySelectorAll('[data-table="compare-periods"] tbody td')].every((td) => (td.textContent ?? "").trim() !== ""),
    undefined,
    {timeout: 60_000},
  );
  const filteredRows = await comparison(filtered.page);
  for (const key of Object.keys(may16) as (keyof typeof may16)[]) assert.deepEqual(filteredRows[key].slice(0, 2), [may16[key], may15[key]], `filtered ${key}`);
  // The change: relative for counts, in percentage points for the error rate.
  const relative = (a: unknown, b: unknown) => {
    const c = (Number(a) - Number(b)) / Number(b);
    return `${c > 0 ? "+" : ""}${formatPercent(c)}`;
  };
  assert.equal(filteredRows.requests[2], relative(may16Row.requests, may15Row.requests));
  assert.equal(filteredRows.visitors[2], relative(may16Row.visitors, may15Row.visitors));
  assert.equal(filteredRows.bytes[2], relative(may16Row.bytes, may15Row.bytes));
  const points = (Number(may16Row.error_rate) - Number(may15Row.error_rate)) * 100;
  assert.equal(filteredRows["error-rate"][2], `${points > 0 ? "+" : ""}${points.toFixed(1)} pts`);
  await finish(filtered, "overview-compare-filtered");
});

test("Visits with bots only: none, and the page says why", async () => {
  const watched = await open(`/visits?filter=${encodeURIComponent(JSON.stringify({...FILTER, instance: null, from: null, to: null, bots: "only"}))}`, '[data-chart="entry-pages"]');
  await watched.page.waitForFunction(() => document.querySelector('[data-metric="visits"]')?.textContent === "0", undefined, {timeout: 60_000});
  assert.match((await watched.page.textContent("main")) ?? "", /Visits are people's: with bots only there are none\./);
  await watched.page.waitForFunction(() => document.querySelector('[data-chart="entry-pages"]')?.textContent === "No visits in this selection.", undefined, {timeout: 60_000});
  await finish(watched, "visits-bots-only");
});
