// Charts that do not mislead, on a site built from a store with a six-hour outage: 30 days of
// requests from one instance (November 2026, Sunday 1st to Monday 30th), none on 16 November from
// 06:00 to 12:00 UTC, and some lines logged with no status. Opened in Chromium, the charts are read
// from their rendered SVG (Plot's own scales turn data into pixels and back).
import assert from "node:assert/strict";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {CreateBucketCommand, PutObjectCommand} from "@aws-sdk/client-s3";
import type {Browser} from "playwright-core";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {DEMO_BUCKET} from "../../scripts/demo.js";
import {serveSite, type SiteServer} from "../../scripts/serve-site.js";
import {formatCount} from "../../src/components/format.js";
import {launchBrowser, openWatchedPage, type WatchedPage} from "../support/browser.js";
import {buildSiteWith} from "../support/sample-site.js";

const HOUR = 3_600_000;
const FIRST_DAY = Date.UTC(2026, 10, 1);
const DAYS = 30;
const OUTAGE_START = Date.UTC(2026, 10, 16, 6);
const OUTAGE_END = OUTAGE_START + 6 * HOUR;
const STREAM = "i-0c0ffee0000000001";
const TOPIC = `cloudwatchLogsEC2.${STREAM}`;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const AGENTS = ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"];

/** Combined lines, a few an hour (how many varies by hour and day), none during the outage. */
function accessLines(): string[] {
  const lines: string[] = [];
  const two = (n: number) => String(n).padStart(2, "0");
  for (let hour = FIRST_DAY; hour < FIRST_DAY + DAYS * 24 * HOUR; hour += HOUR) {
    if (hour >= OUTAGE_START && hour < OUTAGE_END) continue;
    const d = new Date(hour);
    const count = 2 + ((d.getUTCHours() * 7 + d.getUTCDate()) % 5);
    for (let i = 0; i < count; i++) {
      const t = new Date(hour + i * 509_000);
      const time = `${two(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} +0000`;
      const n = lines.length;
      const status = n % 11 === 0 ? "-" : n % 7 === 0 ? "404" : n % 13 === 0 ? "503" : "200";
      lines.push(`10.1.${n % 200}.${n % 7} - - [${time}] "GET /page/${n % 9} HTTP/1.1" ${status} ${status === "-" ? "-" : 100 + (n % 50)} "-" "${AGENTS[n % 3 === 0 ? 1 : 0]}"`);
    }
  }
  return lines;
}

let dir: string;
let dist: string;
let server: SiteServer;
let browser: Browser;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-outage-site-"));
  dist = await buildSiteWith(dir, async (client) => {
    await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
    const lines = accessLines();
    for (let offset = 0; offset < lines.length; offset += 1000) {
      const records = lines.slice(offset, offset + 1000).map((message) => JSON.stringify(message));
      const key = `topics/${TOPIC}/year=2026/${TOPIC}+0+${String(offset).padStart(10, "0")}.json`;
      await client.send(new PutObjectCommand({Bucket: DEMO_BUCKET, Key: key, Body: records.join("\n") + "\n"}));
    }
  });
  server = await serveSite(dist);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, {recursive: true, force: true});
});

async function sql<T = Record<string, unknown>>(text: string): Promise<T[]> {
  const duckdb = await openDuckDB();
  const events = `read_parquet(${sqlString(join(dist, "data/events/*.parquet"))})`;
  return (await duckdb.runAndReadAll(text.replaceAll("FROM events", `FROM ${events}`))).getRowObjectsJson() as T[];
}

/** A page opened with the filter in its URL, as a shared link opens it. */
async function open(path: string, ready: string, filter: Record<string, unknown> | null = null): Promise<WatchedPage> {
  const watched = await openWatchedPage(browser, server.url);
  const url = new URL(path, server.url);
  if (filter) url.searchParams.set("filter", JSON.stringify({from: null, to: null, instance: null, bots: "include", statuses: ["1xx", "2xx", "3xx", "4xx", "5xx", "unknown"], ...filter}));
  await watched.page.goto(url.href);
  await watched.page.waitForSelector(ready, {timeout: 90_000});
  await watched.settled();
  return watched;
}

async function close(watched: WatchedPage): Promise<void> {
  assert.deepEqual(watched.errors, []);
  assert.deepEqual(watched.externalRequests, []);
  await watched.page.context().close();
}

/**
 * The height in data units of each path of `marks` (line or area) at each instant of `times`: the
 * path's points turned back into data with the chart's own scales. For an area, the top edge.
 */
function valuesAt(watched: WatchedPage, chart: string, marks: string, times: number[]): Promise<number[][]> {
  return watched.page.evaluate(
    ({chart, marks, times}) => {
      type Scale = {apply(value: unknown): number};
      const card = document.querySelector(`[data-chart="${chart}"]`)!;
      const plot = [...card.querySelectorAll("figure, svg")].find((e) => typeof (e as unknown as {scale?: unknown}).scale === "function") as unknown as {scale(name: string): Scale};
      const x = plot.scale("x");
      const y = plot.scale("y");
      const zero = y.apply(0);
      return [...card.querySelectorAll(`g[aria-label="${marks}"] path`)].map((path) => {
        const points = [...(path.getAttribute("d") ?? "").matchAll(/[ML]\s*(-?[\d.]+(?:e-?\d+)?)[ ,](-?[\d.]+(?:e-?\d+)?)/g)].map((m) => [Number(m[1]), Number(m[2])]);
        // An area runs left to right along its top, then back along its base: keep the top.
        const turn = points.findIndex((p, i) => i > 0 && p[0] < points[i - 1][0]);
        const top = turn < 0 ? points : points.slice(0, turn);
        return times.map((time) => {
          const px = x.apply(new Date(time));
          const i = top.findIndex((p, k) => k + 1 < top.length && p[0] <= px && px < top[k + 1][0]);
          if (i < 0) return NaN;
          const [x0, y0] = top[i];
          const [x1, y1] = top[i + 1];
          const py = y0 + ((y1 - y0) * (px - x0)) / (x1 - x0);
          // Within half a pixel of the baseline is drawn at zero; else pixels back to data (y is linear).
          return Math.abs(zero - py) < 0.5 ? 0 : (zero - py) / (zero - y.apply(1));
        });
      });
    },
    {chart, marks, times},
  );
}

const outageMidpoints = Array.from({length: 6}, (_, i) => OUTAGE_START + i * HOUR + HOUR / 2);
const aroundOutage = [OUTAGE_START - HOUR / 2, OUTAGE_END + HOUR / 2];
const OUTAGE_DAYS = {from: "2026-11-15", to: "2026-11-17"};

test("Traffic: the six hours of the outage are drawn at zero, the hours around it are not", {timeout: 180_000}, async () => {
  const watched = await open("/traffic", '[data-chart="requests-over-time"] svg', OUTAGE_DAYS);
  const hourly = await sql<{hour: string; requests: number}>(
    `SELECT strftime(time_bucket(INTERVAL 1 HOUR, ts), '%H') AS hour, count(*)::INTEGER AS requests FROM events
     WHERE ts >= TIMESTAMP '2026-11-16 05:00' AND ts < TIMESTAMP '2026-11-16 13:00' GROUP BY ALL ORDER BY hour`,
  );
  assert.deepEqual(hourly.map((h) => h.hour), ["05", "12"], "the store has the outage");
  const [line] = await valuesAt(watched, "requests-over-time", "line", [...outageMidpoints, ...aroundOutage]);
  for (const [i, value] of line.slice(0, 6).entries()) assert.equal(value, 0, `hour ${6 + i}:00 drawn at ${value}, not 0`);
  assert.deepEqual(line.slice(6).map(Math.round), hourly.map((h) => h.requests), "the hours either side drawn at their counts");
  const [bytesLine] = await valuesAt(watched, "bytes-over-time", "line", outageMidpoints);
  assert.ok(bytesLine.every((value) => value === 0), `bytes during the outage: ${bytesLine}`);
  await close(watched);
});

test("User agents: humans and bots both fall to zero during the outage", {timeout: 180_000}, async () => {
  const watched = await open("/user-agents", '[data-chart="humans-bots"] svg', OUTAGE_DAYS);
  const areas = await valuesAt(watched, "humans-bots", "area", [...outageMidpoints, ...aroundOutage]);
  assert.equal(areas.length, 2, "a stacked area for humans and one for bots");
  for (const area of areas) {
    assert.deepEqual(area.slice(0, 6), [0, 0, 0, 0, 0, 0]);
    assert.ok(area.slice(6).every((v) => v > 0), `the hours around the outage: ${area.slice(6)}`);
  }
  await close(watched);
});

test("Overview and the instance page: every status class at zero through each outage hour", {timeout: 180_000}, async () => {
  const classes = await sql<{n: number}>(`SELECT count(DISTINCT coalesce((status // 100)::VARCHAR, 'u'))::INTEGER AS n FROM events WHERE ts >= TIMESTAMP '2026-11-15' AND ts < TIMESTAMP '2026-11-18'`);
  for (const path of ["/", `/instances/${STREAM}`]) {
    const watched = await open(path, '[data-chart="requests-over-time"] svg', OUTAGE_DAYS);
    // One stepped area per status class, stacked: each one's top at zero means every class below it is too.
    const areas = await valuesAt(watched, "requests-over-time", "area", [...outageMidpoints, ...aroundOutage]);
    assert.equal(areas.length, classes[0].n, `${path}: an area for each status class`);
    for (const area of areas) assert.deepEqual(area.slice(0, 6), [0, 0, 0, 0, 0, 0], `${path}: ${area}`);
    // The instance page ignores the filter and picks its bucket from all 30 days (6 hours): the
    // outage is one bucket, the hours around it the buckets either side, with requests.
    assert.ok(areas.at(-1)!.slice(6).every((v) => v > 0), `${path}: the hours around the outage: ${areas.at(-1)!.slice(6)}`);
    await close(watched);
  }
});

test("Traffic: the weekday × hour heatmap is the average per occurrence, as SQL over events gives it", {timeout: 180_000}, async () => {
  const watched = await open("/traffic", '[data-chart="weekday-hour"] svg');
  const labels = await watched.page.$$eval('[data-chart="weekday-hour"] g[aria-label="cell"] rect', (rects) => rects.map((r) => r.getAttribute("aria-label") ?? ""));
  const expected = await sql<{label: string}>(`
    WITH span AS (SELECT min(ts) AS first, max(ts) AS last FROM events),
    slots AS (
      SELECT isodow(h) AS weekday, hour(h) AS hour, count(*) AS occurrences
      FROM span, generate_series(date_trunc('hour', span.first), span.last, INTERVAL 1 HOUR) AS t(h) GROUP BY ALL),
    counts AS (SELECT isodow(ts) AS weekday, hour(ts) AS hour, count(*) AS requests FROM events GROUP BY ALL)
    SELECT ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][counts.weekday] || ' ' || lpad(counts.hour::VARCHAR, 2, '0') || ':00 UTC: '
           || round(requests / occurrences, 2)::DOUBLE || ' requests on average (' || requests || ' over ' || occurrences || ' occurrences)' AS label
    FROM counts JOIN slots USING (weekday, hour)
    ORDER BY label`);
  const normalise = (label: string) => label.replace(/([\d.]+) requests on average/, (_, n) => `${Number(n)} requests on average`);
  assert.deepEqual(labels.map(normalise).sort(), expected.map((e) => normalise(e.label)).sort());
  // November 2026 has five Sundays and Mondays and four of every other weekday.
  assert.ok(labels.some((l) => l.startsWith("Sun 13:00") && l.includes("over 5 occurrences")));
  assert.ok(labels.some((l) => l.startsWith("Fri 13:00") && l.includes("over 4 occurrences")));
  assert.match(await watched.page.textContent('[data-chart="weekday-hour"]') ?? "", /Requests per occurrence of that weekday and hour \(average\)/);
  await close(watched);
});

test("Filters: 'unknown' is a choice of its own; unticking a class keeps the lines with no status", {timeout: 180_000}, async () => {
  const [counts] = await sql<{total: number; ok: number; none: number}>(
    "SELECT count(*)::INTEGER AS total, count(*) FILTER (status // 100 = 2)::INTEGER AS ok, count(*) FILTER (status IS NULL)::INTEGER AS none FROM events",
  );
  assert.ok(counts.none > 0);
  const cases: [string[], number][] = [
    [["1xx", "2xx", "3xx", "4xx", "5xx", "unknown"], counts.total],
    [["2xx", "unknown"], counts.ok + counts.none],
    [["2xx"], counts.ok],
    [["unknown"], counts.none],
  ];
  for (const [statuses, expected] of cases) {
    const watched = await open("/", '[data-metric="requests"]', {statuses});
    await watched.page.waitForFunction(() => document.querySelector('[data-metric="requests"]')?.textContent !== "", null, {timeout: 60_000});
    assert.equal(await watched.page.textContent('[data-metric="requests"]'), formatCount(expected), statuses.join(", "));
    // The bar's status boxes (its request-class boxes are the others), by their labels.
    const ticked = (await watched.page.$$eval('.filters input[type="checkbox"]', (boxes) => boxes.map((b) => [b.closest("label")?.textContent?.trim() ?? "", (b as HTMLInputElement).checked] as const)))
      .filter(([label]) => ["1xx", "2xx", "3xx", "4xx", "5xx", "unknown"].includes(label));
    assert.equal(ticked.length, 6, "five classes and unknown");
    assert.deepEqual(ticked.filter(([, on]) => on).length, statuses.length);
    await close(watched);
  }
});

test("Small things: visitors' day labels never overlap on 30 days, error-rate labels fit, the pager says Overview", {timeout: 180_000}, async () => {
  const traffic = await open("/traffic", '[data-chart="visitors-per-day"] svg');
  const boxes = await traffic.page.$$eval('[data-chart="visitors-per-day"] g[aria-label="x-axis tick label"] text', (texts) =>
    texts.map((t) => {
      const box = t.getBoundingClientRect();
      return [box.left, box.right];
    }),
  );
  assert.ok(boxes.length >= 3, `${boxes.length} day labels`);
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i][0] > boxes[i - 1][1], `label ${i} overlaps the one before`);
  assert.equal(await traffic.page.textContent('#observablehq-footer nav a[rel="prev"]'), "Overview");
  assert.equal(await traffic.page.textContent('#observablehq-footer nav a[rel="next"]'), "Visits");
  await close(traffic);

  const codes = await open("/status-codes", '[data-chart="error-rate-per-instance"] svg');
  const outside = await codes.page.$eval('[data-chart="error-rate-per-instance"] svg', (svg) => {
    const frame = svg.getBoundingClientRect();
    return [...svg.querySelectorAll("text")]
      .map((t) => [t.textContent, t.getBoundingClientRect()] as const)
      .filter(([, box]) => box.left < frame.left || box.right > frame.right)
      .map(([text]) => text);
  });
  assert.deepEqual(outside, [], "labels cut off at the chart's edges");
  await close(codes);

  const overview = await open("/", '[data-metric="requests"]');
  assert.equal(await overview.page.$('#observablehq-footer nav a[rel="prev"]'), null);
  assert.equal(await overview.page.textContent('#observablehq-footer nav a[rel="next"]'), "Traffic");
  await close(overview);
});
