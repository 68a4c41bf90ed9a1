// The Performance page and Traffic's virtual hosts, built from the bundled sample (whose API
// instance logs %D and one web server vhost_combined) and opened in Chromium: every number shown
// equals SQL over the shipped events, for the first view and under a filter; every percentile is
// within the stated 2% of the exact one; without durations the page says which LogFormat to add
// and draws nothing.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {sqlString} from "../../data-loaders/write/duckdb.js";
import {bucketBoundsUs, bucketValueSql, DURATION_RELATIVE_ERROR, durationBucketSql} from "../../data-loaders/contracts/duration-buckets.js";
import {formatBytes, formatCount, formatMs, formatPercent} from "../../src/components/format.js";
import {HEATMAP_BAND_BUCKETS, percentileTimeBucket, SLOWEST_PATHS_MIN_REQUESTS, timeBucket} from "../../src/queries/performance.js";
import {openWatchedPage, type WatchedPage} from "../support/browser.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {eventsSql, finishPage as finish, sampleSiteSession} from "../support/site-session.js";

const expected = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8"));
/** An instance of the real web servers: Combined, no duration, no vhost. */
const PLAIN_INSTANCE = expected.instances[0].log_stream as string;
const EVERY_STATUS = ["1xx", "2xx", "3xx", "4xx", "5xx", "unknown"];

const session = sampleSiteSession();

const sql = <T = Record<string, unknown>>(text: string) => eventsSql<T>(session.site, text);

/** A TIMESTAMP as SQL gives it as text ("2023-05-16 10:00:00"), as the Date the page has. */
const utc = (text: string) => new Date(text.replace(" ", "T") + "Z");

/** The page with the filter in its URL (as a shared link, or a changed filter, opens it), once `ready` shows. */
async function open(path: string, ready: string, filter: Record<string, unknown> | null = null): Promise<WatchedPage> {
  const watched = await openWatchedPage(session.browser, session.server.url);
  const url = new URL(path, session.server.url);
  if (filter) url.searchParams.set("filter", JSON.stringify({from: null, to: null, instance: null, bots: "include", statuses: EVERY_STATUS, ...filter}));
  await watched.page.goto(url.href);
  await watched.page.waitForSelector(ready, {timeout: 90_000});
  await watched.settled();
  return watched;
}


const tableRows = (watched: WatchedPage, name: string) =>
  watched.page.$$eval(`[data-table="${name}"] table tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent?.trim() ?? "")));
const ariaLabels = (watched: WatchedPage, selector: string) => watched.page.$$eval(selector, (nodes) => nodes.map((n) => n.getAttribute("aria-label") ?? ""));

interface Percentiles {
  requests: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}
const QUANTILES = [["p50_ms", 0.5], ["p95_ms", 0.95], ["p99_ms", 0.99]] as const;

/**
 * The percentiles of the timed events under `where`, per `group` (an SQL expression): the
 * duration bucket of the ⌈q·n⌉-th fastest request, as the page states it, computed from each
 * event here; and the exact duration of that request, to check the stated bound.
 */
async function percentilesOfEvents(where: string, group = "'all'"): Promise<Map<string, Percentiles & {exact: Record<string, number>}>> {
  const rows = await sql<{g: string; n: number; q: string; ms: number; exact_ms: number}>(`
    WITH timed AS (
      SELECT ${group} AS g, duration_us, ${durationBucketSql()} AS b FROM events ${where} AND duration_us IS NOT NULL
    ), ranked AS (
      SELECT g, duration_us, b, row_number() OVER (PARTITION BY g ORDER BY duration_us) AS rank, count(*) OVER (PARTITION BY g) AS n FROM timed
    ), wanted AS (SELECT * FROM (VALUES ${QUANTILES.map(([name, q]) => `('${name}', ${q})`).join(", ")}) AS t(q, fraction))
    SELECT CAST(g AS VARCHAR) AS g, n, q, ${bucketValueSql("b")} / 1000 AS ms, duration_us / 1000 AS exact_ms
    FROM ranked JOIN wanted ON rank = ceil(fraction * n)`);
  const byGroup = new Map<string, Percentiles & {exact: Record<string, number>}>();
  for (const row of rows) {
    const entry = byGroup.get(row.g) ?? {requests: Number(row.n), p50_ms: NaN, p95_ms: NaN, p99_ms: NaN, exact: {}};
    entry[row.q as "p50_ms"] = Number(row.ms);
    entry.exact[row.q] = Number(row.exact_ms);
    byGroup.set(row.g, entry);
  }
  return byGroup;
}

function assertWithinBound(label: string, p: Percentiles & {exact: Record<string, number>}): void {
  for (const [name] of QUANTILES) {
    const exact = p.exact[name];
    // Durations under 1 µs share the first bucket: their bound is 1 µs rather than 2%.
    assert.ok(Math.abs(p[name] - exact) <= DURATION_RELATIVE_ERROR * exact + 0.001, `${label} ${name}: ${p[name]} ms is within 2% of the exact ${exact} ms`);
  }
}

const formatted = (p: Percentiles) => [formatCount(p.requests), formatMs(p.p50_ms), formatMs(p.p95_ms), formatMs(p.p99_ms)];

/** Every number the Performance page shows, compared with SQL over events under `where`. */
async function assertPerformancePage(watched: WatchedPage, where: string): Promise<void> {
  const [{requests, timed, first, last}] = await sql<{requests: number; timed: number; first: string; last: string}>(
    `SELECT count(*) AS requests, count(duration_us) AS timed, CAST(min(ts) FILTER (duration_us IS NOT NULL) AS VARCHAR) AS first, CAST(max(ts) FILTER (duration_us IS NOT NULL) AS VARCHAR) AS last FROM events ${where}`,
  );
  assert.ok(Number(timed) > 0 && Number(timed) < Number(requests), "some requests, not all, logged a duration");
  const text = (await watched.page.textContent("main")) ?? "";
  assert.ok(text.includes(`${formatCount(Number(timed))} of ${formatCount(Number(requests))} requests (${formatPercent(Number(timed) / Number(requests))}) logged a duration`));

  const overall = (await percentilesOfEvents(where)).get("all")!;
  assertWithinBound("overall", overall);
  for (const [name, metric] of [["p50_ms", "p50"], ["p95_ms", "p95"], ["p99_ms", "p99"]] as const) {
    assert.equal(await watched.page.textContent(`[data-metric="${metric}"]`), formatMs(overall[name]));
  }
  assert.ok(text.includes(`Half were answered within ${formatMs(overall.p50_ms)}, 95% within ${formatMs(overall.p95_ms)} and 99% within ${formatMs(overall.p99_ms)}`));

  // Over time: one dot per percentile and time bucket that had timed requests.
  const [firstTs, lastTs] = [utc(first), utc(last)];
  const pBucket = percentileTimeBucket(firstTs, lastTs);
  const overTime = await percentilesOfEvents(where, `time_bucket(${pBucket.sql}, date_trunc('hour', ts))`);
  const wantDots = [...overTime].flatMap(([time, p]) =>
    QUANTILES.map(([name]) => `${utc(time).toISOString()} ${name.slice(0, 3)} ${formatMs(p[name])} of ${formatCount(p.requests)} requests`),
  );
  assert.deepEqual((await ariaLabels(watched, '[data-chart="percentiles-over-time"] circle[aria-label]')).sort(), wantDots.sort());
  for (const [time, p] of overTime) assertWithinBound(time, p);

  // The heatmap: requests per time bucket and duration band.
  const hBucket = timeBucket(firstTs, lastTs);
  const cells = await sql<{time: string; band: number; n: number}>(
    `SELECT CAST(time_bucket(${hBucket.sql}, date_trunc('hour', ts)) AS VARCHAR) AS time, ${durationBucketSql()} // ${HEATMAP_BAND_BUCKETS} AS band, count(*) AS n FROM events ${where} AND duration_us IS NOT NULL GROUP BY ALL`,
  );
  const band = (b: number) => `${formatMs(bucketBoundsUs(b * HEATMAP_BAND_BUCKETS)[0] / 1000)}–${formatMs(bucketBoundsUs(b * HEATMAP_BAND_BUCKETS + HEATMAP_BAND_BUCKETS - 1)[1] / 1000)}`;
  const wantCells = cells.map((c) => `${utc(c.time).toISOString()} ${band(Number(c.band))}: ${formatCount(Number(c.n))} requests`);
  assert.deepEqual((await ariaLabels(watched, '[data-chart="latency-heatmap"] rect[aria-label]')).sort(), wantCells.sort());
  assert.equal(cells.reduce((n, c) => n + Number(c.n), 0), Number(timed), "every timed request is in the heatmap");

  // Slowest paths, by instance, by status class.
  const paths = [...(await percentilesOfEvents(where, "path"))]
    .filter(([, p]) => p.requests >= SLOWEST_PATHS_MIN_REQUESTS)
    .sort(([a, p], [b, q]) => q.p95_ms - p.p95_ms || q.requests - p.requests || (a < b ? -1 : 1))
    .slice(0, 15);
  assert.ok(paths.length > 3);
  for (const [path, p] of paths) assertWithinBound(path, p);
  assert.deepEqual(await tableRows(watched, "slowest-paths"), paths.map(([path, p]) => [path, ...formatted(p)]));
  const instances = [...(await percentilesOfEvents(where, "coalesce(log_stream, 'unknown')"))].sort(([a], [b]) => (a < b ? -1 : 1));
  assert.deepEqual(await tableRows(watched, "by-instance"), instances.map(([instance, p]) => [instance, ...formatted(p)]));
  const classes = [...(await percentilesOfEvents(where, "coalesce(CAST(status // 100 AS VARCHAR) || 'xx', 'unknown')"))].sort(([a], [b]) => (a < b ? -1 : 1));
  assert.ok(classes.length >= 2, "more than one status class");
  assert.deepEqual(await tableRows(watched, "by-status-class"), classes.map(([c, p]) => [c, ...formatted(p)]));
}

test("Performance, first view: every number equals SQL over events and is within 2% of the exact percentile", async () => {
  const watched = await open("/performance", '[data-chart="latency-heatmap"] svg');
  // The page opens on the default filter: your own traffic left out.
  await assertPerformancePage(watched, "WHERE NOT own_traffic");
  assert.equal(await watched.page.isVisible('[data-message="no-durations"]'), false);
  await finish(watched, "performance");
});

test("Performance under a filter (one day, 2xx and 5xx only): DuckDB-WASM over the rollups gives what events give", async () => {
  const filter = {from: "2023-05-16", to: "2023-05-16", statuses: ["2xx", "5xx"]};
  const watched = await open("/performance", '[data-chart="latency-heatmap"] svg', filter);
  await assertPerformancePage(watched, "WHERE NOT own_traffic AND ts >= TIMESTAMP '2023-05-16' AND ts < TIMESTAMP '2023-05-17' AND status // 100 IN (2, 5)");
  await finish(watched, "performance-filtered");
});

test("Performance where no request logged a duration: the page names %D and draws nothing", async () => {
  const watched = await open("/performance", '[data-message="no-durations"]', {instance: PLAIN_INSTANCE});
  const [{requests}] = await sql<{requests: number}>(`SELECT count(*) AS requests FROM events WHERE NOT own_traffic AND log_stream = ${sqlString(PLAIN_INSTANCE)}`);
  const message = (await watched.page.textContent('[data-message="no-durations"]')) ?? "";
  assert.ok(message.includes(`None of the ${formatCount(Number(requests))} requests in this selection logged how long it took`), message);
  assert.match(message, /LogFormat ".*%D" combined_time/);
  assert.match(message, /logFormats/);
  for (const shown of ['[data-section="timed"]', '[data-chart="latency-heatmap"] svg', '[data-chart="percentiles-over-time"] svg', '[data-metric="p50"]']) {
    assert.equal(await watched.page.isVisible(shown), false, `${shown} is not shown`);
  }
  assert.equal(await watched.page.$$eval("[data-chart] svg", (svgs) => svgs.length), 0, "no chart is drawn");
  await finish(watched, "performance-no-durations");
});

test("An instance's page: the instance that logs durations shows its percentiles as SQL over its events gives them; one that does not says so", async () => {
  const instance = expected.perf.durationInstance.log_stream as string;
  const where = `WHERE NOT own_traffic AND log_stream = ${sqlString(instance)}`;
  const watched = await open(`/instances/${instance}`, '[data-chart="response-time"] svg');
  const [{requests, timed, first, last}] = await sql<{requests: number; timed: number; first: string; last: string}>(
    `SELECT count(*) AS requests, count(duration_us) AS timed, CAST(min(ts) FILTER (duration_us IS NOT NULL) AS VARCHAR) AS first, CAST(max(ts) FILTER (duration_us IS NOT NULL) AS VARCHAR) AS last FROM events ${where}`,
  );
  const overall = (await percentilesOfEvents(where)).get("all")!;
  assertWithinBound("instance", overall);
  const text = (await watched.page.textContent("main")) ?? "";
  assert.ok(
    text.includes(`${formatCount(Number(timed))} of its ${formatCount(Number(requests))} requests logged a duration: half were answered within ${formatMs(overall.p50_ms)}, 95% within ${formatMs(overall.p95_ms)} and 99% within ${formatMs(overall.p99_ms)}.`),
    text,
  );
  const pBucket = percentileTimeBucket(utc(first), utc(last));
  const overTime = await percentilesOfEvents(where, `time_bucket(${pBucket.sql}, date_trunc('hour', ts))`);
  const wantDots = [...overTime].flatMap(([time, p]) =>
    QUANTILES.map(([name]) => `${utc(time).toISOString()} ${name.slice(0, 3)} ${formatMs(p[name])} of ${formatCount(p.requests)} requests`),
  );
  assert.deepEqual((await ariaLabels(watched, '[data-chart="response-time"] circle[aria-label]')).sort(), wantDots.sort());
  assert.equal(await watched.page.isVisible('[data-response-time="untimed"]'), false);
  await finish(watched, "instance-response-time");

  const plain = await open(`/instances/${PLAIN_INSTANCE}`, '[data-chart="top-paths"] svg');
  await plain.page.waitForSelector('[data-response-time="untimed"]', {state: "visible"});
  assert.match((await plain.page.textContent('[data-response-time="untimed"]')) ?? "", /None of this instance's requests logged how long it took/);
  assert.equal(await plain.page.isVisible('[data-chart="response-time"]'), false, "no empty chart");
  await finish(plain, "instance-no-durations");
});

test("Traffic: requests, bytes and errors per virtual host equal SQL over events; left out when the selection has no vhost", async () => {
  const vhosts = await sql<{vhost: string; requests: number; bytes: number; errors: number}>(
    "SELECT vhost, count(*) AS requests, coalesce(sum(bytes), 0) AS bytes, count(*) FILTER (status >= 400) AS errors FROM events WHERE vhost IS NOT NULL AND NOT own_traffic GROUP BY vhost ORDER BY requests DESC, vhost",
  );
  assert.deepEqual(vhosts.map((v) => [v.vhost, Number(v.requests)]), expected.perf.vhosts.map((v: {value: string; count: number}) => [v.value, v.count]));
  const rows = (v: (typeof vhosts)[number]) => [v.vhost, formatCount(Number(v.requests)), formatBytes(Number(v.bytes)), formatCount(Number(v.errors)), formatPercent(Number(v.errors) / Number(v.requests))];
  const watched = await open("/traffic", '[data-table="vhosts"] table');
  assert.deepEqual(await tableRows(watched, "vhosts"), vhosts.map(rows));
  await finish(watched, "traffic-vhosts");

  // Under a filter: humans only, still the vhost instance's rows.
  const humans = await sql<(typeof vhosts)[number]>(
    "SELECT vhost, count(*) AS requests, coalesce(sum(bytes), 0) AS bytes, count(*) FILTER (status >= 400) AS errors FROM events WHERE vhost IS NOT NULL AND NOT is_bot AND NOT own_traffic GROUP BY vhost ORDER BY requests DESC, vhost",
  );
  assert.ok(humans.reduce((n, v) => n + Number(v.requests), 0) < vhosts.reduce((n, v) => n + Number(v.requests), 0), "the filter leaves some out");
  const filtered = await open("/traffic", '[data-table="vhosts"] table', {bots: "exclude"});
  assert.deepEqual(await tableRows(filtered, "vhosts"), humans.map(rows));
  await finish(filtered, "traffic-vhosts-filtered");

  const none = await open("/traffic", '[data-chart="referrer-hosts"] svg', {instance: PLAIN_INSTANCE});
  assert.equal(await none.page.isVisible('[data-section="vhosts"]'), false, "no vhost in the selection: no section");
  assert.equal(await none.page.isVisible('[data-table="vhosts"]'), false);
  await finish(none, "traffic-no-vhosts");
});
