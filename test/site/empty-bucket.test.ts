// A site built before anything has landed (an empty bucket) still opens every page: the tables
// exist with their columns and no rows, the numbers say zero, nothing fails.
import assert from "node:assert/strict";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {CreateBucketCommand} from "@aws-sdk/client-s3";
import type {Browser} from "playwright-core";
import {DEMO_BUCKET} from "../../scripts/demo.js";
import {serveSite, type SiteServer} from "../../scripts/serve-site.js";
import {launchBrowser, openWatchedPage} from "../support/browser.js";
import {buildSiteWith} from "../support/sample-site.js";

let dir: string;
let server: SiteServer;
let browser: Browser;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-empty-site-"));
  const dist = await buildSiteWith(dir, async (client) => {
    await client.send(new CreateBucketCommand({Bucket: DEMO_BUCKET}));
  });
  server = await serveSite(dist);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, {recursive: true, force: true});
});

test("every page of a site with no events yet opens with no error, and the Overview counts zero", {timeout: 180_000}, async () => {
  for (const path of ["/", "/traffic", "/status-codes", "/geography", "/user-agents", "/security", "/explore", "/data-quality"]) {
    const watched = await openWatchedPage(browser, server.url);
    await watched.page.goto(new URL(path, server.url).href);
    await watched.page.waitForSelector("h1", {timeout: 60_000});
    await watched.settled();
    if (path === "/") assert.equal(await watched.page.textContent('[data-metric="requests"]'), "0");
    const failed = await watched.page.$$eval(".observablehq--error", (nodes) => nodes.map((n) => n.textContent));
    assert.deepEqual(failed, [], `${path}: cells that failed`);
    assert.deepEqual(watched.errors, [], path);
    assert.deepEqual(watched.externalRequests, [], path);
    await watched.page.context().close();
  }
});
