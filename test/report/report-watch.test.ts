// `npx weblog report --watch`: the live workbook on local files. Lines appended to the live file,
// and a rotation with a new live file, appear on the open Overview by themselves, each line once.
import assert from "node:assert/strict";
import {spawn, type ChildProcess} from "node:child_process";
import {appendFileSync, renameSync, writeFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {createServer} from "node:net";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, test} from "node:test";
import type {Browser} from "playwright-core";
import {exited} from "../../data-loaders/framework.js";
import {launchBrowser, openWatchedPage, type WatchedPage} from "../support/browser.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {isWellFormedCombined, sampleLogLines} from "../support/sample-log-lines.js";

// Lines the parser takes, so the count shown is the lines given.
const lines = sampleLogLines().filter(isWellFormedCombined);
let dir: string;
let browser: Browser;
let report: ChildProcess;
let output = "";
let overview: WatchedPage;
let next = 0;

function take(n: number): string {
  const chunk = lines.slice(next, next + n);
  next += n;
  return chunk.map((line) => line + "\n").join("");
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-report-watch-"));
  writeFileSync(join(dir, "web-1.access.log"), take(300));
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("WEBLOG_")));
  report = spawn(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), "report", ".", "--out", "site", "--watch", "--port", String(port), "--interval", "1"], {cwd: dir, env, stdio: ["ignore", "pipe", "pipe"]});
  report.stdout!.on("data", (chunk) => (output += chunk));
  report.stderr!.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 120_000;
  while (!(await fetch(url).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || report.exitCode !== null) throw new Error(`the live report did not answer at ${url}:\n${output}`);
    await new Promise((done) => setTimeout(done, 300));
  }
  assert.match(output, new RegExp(`Live report: ${url.replace(/[.]/g, "\\.")}`));
  browser = await launchBrowser();
  overview = await openWatchedPage(browser, url);
  await overview.page.goto(url);
});

after(async () => {
  await browser?.close();
  if (report && report.exitCode === null) {
    report.kill("SIGINT");
    await exited(report);
  }
  if (dir) await rm(dir, {recursive: true, force: true});
});

async function showsRequests(expected: number): Promise<void> {
  await overview.page
    .waitForFunction(([expected]) => document.querySelector('[data-metric="requests"]')?.textContent?.replace(/[^\d]/g, "") === String(expected), [expected] as const, {timeout: 90_000, polling: 250})
    .catch((error) => assert.fail(`the Overview does not show ${expected} requests (${error.message}):\n${output.slice(-3000)}`));
}

test("the open Overview follows the live file as it grows and rotates, without a reload", {timeout: 300_000}, async () => {
  await showsRequests(300);
  let navigations = 0;
  overview.page.on("framenavigated", (frame) => {
    if (frame === overview.page.mainFrame()) navigations++;
  });
  appendFileSync(join(dir, "web-1.access.log"), take(150));
  await showsRequests(450);
  renameSync(join(dir, "web-1.access.log"), join(dir, "web-1.access.log.1"));
  writeFileSync(join(dir, "web-1.access.log"), take(60));
  await showsRequests(510);
  assert.equal(navigations, 0, "nobody reloaded the page");
  assert.deepEqual(overview.externalRequests, []);
});

test("Ctrl-C stops it cleanly", {timeout: 60_000}, async () => {
  report.kill("SIGINT");
  await exited(report);
  assert.equal(report.exitCode, 0, output.slice(-2000));
});

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}
