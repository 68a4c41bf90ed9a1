// The first chart is drawn before the rest: the shipped answers are handed
// out a turn per task (src/components/workbook.ts) and the word cloud is laid out after the
// frame it is asked in (src/components/word-cloud.ts). Before, one task drew every chart of the
// page and the first was painted when the last one was. Which charts are in the page when the
// first one appears is an order, not a time: nothing here asserts a duration.
import assert from "node:assert/strict";
import {after, before, test} from "node:test";
import type {Browser} from "playwright-core";
import {serveSite, type SiteServer} from "../../scripts/serve-site.js";
import {launchBrowser, openWatchedPage} from "../support/browser.js";
import {sampleSite} from "../support/sample-site.js";

let server: SiteServer;
let browser: Browser;

before(async () => {
  server = await serveSite((await sampleSite()).dist);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * In the page before its code: the charts drawn (a [data-chart] holding an svg) by the start of
 * the frame after the first one appeared, so every chart drawn in the same task as the first.
 */
const RECORD_FIRST_CHARTS = `
  const drawn = () => [...document.querySelectorAll("[data-chart]")].filter((c) => c.querySelector("svg")).map((c) => c.dataset.chart);
  new MutationObserver((_, observer) => {
    if (drawn().length === 0) return;
    observer.disconnect();
    requestAnimationFrame(() => (window.drawnWithFirstChart = drawn()));
  }).observe(document, {subtree: true, childList: true});
`;

/** Opens a page, waits for every named chart, and gives the charts that were drawn with the first. */
async function chartsWithTheFirst(path: string, charts: string[]): Promise<string[]> {
  const watched = await openWatchedPage(browser, server.url);
  try {
    await watched.page.addInitScript(RECORD_FIRST_CHARTS);
    await watched.page.goto(new URL(path, server.url).href);
    for (const chart of charts) await watched.page.waitForSelector(`[data-chart="${chart}"] svg`, {timeout: 60_000});
    assert.deepEqual([...watched.errors, ...watched.externalRequests], []);
    return await watched.page.evaluate(() => (window as unknown as {drawnWithFirstChart: string[]}).drawnWithFirstChart);
  } finally {
    await watched.page.context().close();
  }
}

test("Overview: the first charts are painted before the requests over time, whose query waits on the summary's turn", async () => {
  const first = await chartsWithTheFirst("/", ["requests-over-time", "top-paths", "top-countries"]);
  assert.ok(first.length > 0);
  assert.ok(!first.includes("requests-over-time"), `drawn with the first chart: ${first.join(", ")}`);
});

test("User agents: the other charts are painted before the word cloud is laid out", async () => {
  const first = await chartsWithTheFirst("/user-agents", ["agent-cloud", "browsers", "operating-systems", "device-types", "humans-bots"]);
  assert.ok(first.length > 0);
  assert.ok(!first.includes("agent-cloud"), `drawn with the first chart: ${first.join(", ")}`);
});
