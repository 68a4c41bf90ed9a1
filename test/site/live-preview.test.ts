// `npm run dev` live: an S3 sink object put into the bucket while the Overview is open in
// Chromium shows up on the page by itself (no one reloads it), and only the day it fell on is
// exported again.
import assert from "node:assert/strict";
import {readdir} from "node:fs/promises";
import {join} from "node:path";
import {after, before, test} from "node:test";
import type {Browser} from "playwright-core";
import {storedDays} from "../../data-loaders/site-data.js";
import {DEMO_BUCKET, SAMPLE_DIR} from "../../scripts/demo.js";
import {seedBucket} from "../../scripts/local-s3.js";
import {launchBrowser, openWatchedPage, type WatchedPage} from "../support/browser.js";
import {landObject, shownRequests, startLiveSetup, type LiveSetup} from "../support/live-workbook.js";

let live: LiveSetup;
let browser: Browser;
let overview: WatchedPage;

before(async () => {
  live = await startLiveSetup((client) => seedBucket(client, DEMO_BUCKET, SAMPLE_DIR).then(() => {}));
  browser = await launchBrowser();
  overview = await openWatchedPage(browser, live.url);
  await overview.page.goto(live.url);
  await overview.page.waitForSelector("[data-chart] svg", {timeout: 90_000});
  // The first chart can be drawn before the page has fetched all its files; what is fetched after
  // the landing must be only what the landing changed.
  await overview.settled();
});

after(async () => {
  await browser?.close();
  await live?.stop();
});

test("an object landing in the bucket appears on the open Overview without a reload", {timeout: 120_000}, async (t) => {
  const before = await shownRequests(overview.page);
  assert.ok(before !== null && before > 0, `the Overview shows ${before} requests`);
  const daysBefore = await storedDays(live.config);
  const rollupsBefore = await readdir(join(live.config.store, "site-rollups"));
  let navigations = 0;
  overview.page.on("framenavigated", (frame) => {
    if (frame === overview.page.mainFrame()) navigations++;
  });

  // 250 requests on 17 May 2023, a day the sample already has, from a new partition's first object
  // (from addresses outside the demo's own-traffic ranges, which the Overview leaves out).
  const lines = Array.from({length: 250}, (_, i) => `203.0.113.${i % 200} - - [17/May/2023:09:${String(i % 60).padStart(2, "0")}:00 +0000] "GET /live/${i} HTTP/1.1" 200 512 "-" "curl/8.4.0"`);
  const outputBefore = live.output().length;
  const landed = performance.now();
  await landObject(live.client, "i-05f1a9c3d7e2b6480", 900_000, lines);

  await overview.page.waitForFunction(
    ([selector, expected]) => document.querySelector(selector)?.textContent?.replace(/[^\d]/g, "") === String(expected),
    ['[data-metric="requests"]', before + 250] as const,
    {timeout: 60_000, polling: 200},
  ).catch((error) => assert.fail(`the page still shows ${before}: ${error.message}\n${live.output().slice(-3000)}`));
  t.diagnostic(`shown ${((performance.now() - landed) / 1000).toFixed(1)} s after landing (polling every second)`);
  assert.equal(navigations, 0, "nobody reloaded the page");

  const daysAfter = await storedDays(live.config);
  const changed = daysAfter.filter((d) => daysBefore.find((b) => b.day === d.day)?.version !== d.version).map((d) => d.day);
  assert.deepEqual(changed, ["2023-05-17"]);
  // The open Overview redrew from its first view, made again from the rollups; of those, only the
  // changed day's and the day before's were counted again (the store keeps each day's, by version,
  // and combines them into one file per kind; a visit of the day before may go on into the changed
  // day). A day file of events the page fetched anew could only be the changed day's: Framework
  // logs "load /data/events/<day>.parquet → [fresh] …" for a file served from its cache,
  // "[missing]" or "[stale]" for one it makes again.
  const output = live.output().slice(outputBefore);
  const loadLines = output.split("\n").filter((line) => /load \/data\//.test(line));
  assert.match(output, /load \/data\/first-view\/index\.json → \[(missing|stale)\]/, `the preview loaded after landing:\n${loadLines.join("\n")}`);
  const loaded = [...output.matchAll(/load \/data\/events\/([\w-]+)\.parquet → (\[\w+\] )?/g)].filter((m) => m[2] !== "[fresh] ").map((m) => m[1]);
  assert.ok(loaded.every((day) => day === "2023-05-17"), `the preview loaded after landing:\n${loadLines.join("\n")}`);
  const rollupsAfter = await readdir(join(live.config.store, "site-rollups"));
  assert.deepEqual(rollupsAfter.filter((f) => !rollupsBefore.includes(f)).map((f) => f.slice(0, 10)), ["2023-05-16", "2023-05-17"], "only the changed day's rollups and the day before's were counted again");
  assert.deepEqual(overview.externalRequests, []);
  assert.deepEqual(overview.errors, []);
});
