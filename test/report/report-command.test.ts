// `npx weblog report` as a user runs it: the real command in a child process on access-log files
// made from the sample's real lines (a rotated set with a .gz, and a second instance in a folder),
// the built site opened in Chromium. The Overview counts every line given but the rejected ones,
// and still does after the same files are reported again, after lines are appended and after a
// rotation. Each way the input can be wrong gives one line and a non-zero exit, and writes nothing.
import assert from "node:assert/strict";
import {execFile} from "node:child_process";
import {appendFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {gzipSync} from "node:zlib";
import {after, before, test} from "node:test";
import type {Browser} from "playwright-core";
import {serveSite} from "../../data-loaders/serve-site.js";
import {launchBrowser, openWatchedPage} from "../support/browser.js";
import {shownRequests} from "../support/live-workbook.js";
import {PROJECT_DIR} from "../support/sample-site.js";
import {isWellFormedCombined, sampleLogLines} from "../support/sample-log-lines.js";

const lines = sampleLogLines();
let dir: string;
let browser: Browser;
/** Every line written to the log files so far. */
const given: string[] = [];
let next = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "weblog-report-"));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (dir) await rm(dir, {recursive: true, force: true});
});

/** The next `n` sample lines as a file's text; they count as given. */
function take(n: number): string {
  const chunk = lines.slice(next, next + n);
  assert.equal(chunk.length, n);
  next += n;
  given.push(...chunk);
  return chunk.map((line) => line + "\n").join("");
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `weblog report …` in `dir`, as `npx weblog` runs it. */
function weblog(...args: string[]): Promise<Run> {
  // No WEBLOG_* settings of the machine running the tests leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("WEBLOG_")));
  return new Promise((done) => {
    execFile(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), ...args], {cwd: dir, env, maxBuffer: 16 << 20}, (error, stdout, stderr) => {
      done({code: error ? Number(error.code ?? 1) : 0, stdout, stderr});
    });
  });
}

/** Reports on `logs/` into `site/` and returns what the Overview and Data quality pages show. */
async function reportAndOpen(): Promise<{requests: number; rejected: number; instances: string[]}> {
  const run = await weblog("report", "logs", "--out", "site");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /npx weblog serve site/);
  const server = await serveSite(join(dir, "site"));
  try {
    const overview = await openWatchedPage(browser, server.url);
    await overview.page.goto(server.url);
    await overview.page.waitForFunction(() => /\d/.test(document.querySelector('[data-metric="requests"]')?.textContent ?? ""), undefined, {timeout: 90_000});
    const requests = await shownRequests(overview.page);
    // Combined logs name no virtual host (%v): the filter bar offers no vhost choice.
    assert.equal(await overview.page.getByLabel("Virtual host").count(), 0);
    const quality = await openWatchedPage(browser, server.url);
    await quality.page.goto(new URL("/data-quality", server.url).href);
    await quality.page.waitForFunction(() => /\d/.test(document.querySelector('[data-metric="rejected"]')?.textContent ?? ""), undefined, {timeout: 90_000});
    const rejected = Number((await quality.page.textContent('[data-metric="rejected"]'))!.replace(/[^\d]/g, ""));
    assert.deepEqual([...overview.errors, ...quality.errors, ...overview.externalRequests], []);
    await overview.page.context().close();
    await quality.page.context().close();
    const instances = readdirSync(join(dir, "site/instances")).map((f) => f.replace(/\.html$/, "")).sort();
    return {requests: requests!, rejected, instances};
  } finally {
    await server.close();
  }
}

function expected() {
  const rejected = given.filter((line) => !isWellFormedCombined(line)).length;
  return {requests: given.length - rejected, rejected, instances: ["web-1", "web-2"]};
}

test("a rotated set with a .gz and a second instance: the Overview counts every line given but the rejected ones", {timeout: 300_000}, async () => {
  const logs = join(dir, "logs");
  mkdirSync(join(logs, "web-2"), {recursive: true});
  writeFileSync(join(logs, "web-1.access.log.2.gz"), gzipSync(take(700)));
  writeFileSync(join(logs, "web-1.access.log.1"), take(600));
  writeFileSync(join(logs, "web-1.access.log"), take(300));
  // The part of the sample with the lines that do not parse.
  next = lines.findIndex((line) => !isWellFormedCombined(line)) - 200;
  writeFileSync(join(logs, "web-2", "access.log"), take(400));
  next = 2500;
  const shown = await reportAndOpen();
  assert.ok(expected().rejected > 0, "some lines given are rejected");
  assert.deepEqual(shown, expected());
  // Nothing is left beside the report but its state.
  assert.deepEqual(readdirSync(dir).sort(), [".site.weblog", ".weblog", "logs", "site"]);
});

test("reported again on the same files, nothing is counted twice", {timeout: 300_000}, async () => {
  assert.deepEqual(await reportAndOpen(), expected());
});

test("lines appended to the live file are added once", {timeout: 300_000}, async () => {
  appendFileSync(join(dir, "logs/web-1.access.log"), take(120));
  appendFileSync(join(dir, "logs/web-2/access.log"), take(80));
  assert.deepEqual(await reportAndOpen(), expected());
});

test("after a rotation only the new live file's lines are added", {timeout: 300_000}, async () => {
  const at = (name: string) => join(dir, "logs", name);
  renameSync(at("web-1.access.log.2.gz"), at("web-1.access.log.3.gz"));
  writeFileSync(at("web-1.access.log.2.gz"), gzipSync(readFileSync(at("web-1.access.log.1"))));
  rmSync(at("web-1.access.log.1"));
  renameSync(at("web-1.access.log"), at("web-1.access.log.1"));
  writeFileSync(at("web-1.access.log"), take(90));
  assert.deepEqual(await reportAndOpen(), expected());
});

/** Runs a report that must fail: one line on stderr, the exit code, and nothing written. */
async function failing(args: string[], code: number, message: RegExp): Promise<void> {
  const before = readdirSync(dir).sort();
  const siteBefore = readdirSync(join(dir, "site")).sort();
  const run = await weblog("report", ...args);
  assert.equal(run.code, code, `${args.join(" ")}: ${run.stderr}`);
  assert.equal(run.stdout, "");
  assert.equal(run.stderr.trim().split("\n").length, 1, `one line: ${run.stderr}`);
  assert.match(run.stderr, message);
  assert.deepEqual(readdirSync(dir).sort(), before, "no folder was made or removed");
  assert.deepEqual(readdirSync(join(dir, "site")).sort(), siteBefore, "the existing report is untouched");
}

test("a file that does not exist: one line naming it, exit 1, nothing written", async () => {
  await failing(["logs", "web-3.access.log", "--out", "other"], 1, /^weblog report: cannot read web-3\.access\.log: no such file or folder$/m);
});

test("a .gz file that is not gzip: one line naming it, exit 1", async () => {
  writeFileSync(join(dir, "broken.access.log.gz"), "not gzip at all\n");
  await failing(["broken.access.log.gz", "--out", "other"], 1, /^weblog report: cannot read broken\.access\.log\.gz: not a valid gzip file/m);
  rmSync(join(dir, "broken.access.log.gz"));
});

test("an unknown --format: one line listing the formats, exit 2", async () => {
  await failing(["logs", "--format", "apache", "--out", "other"], 2, /unknown log format "apache": use one of combined, common/);
});

test("lines mostly of another format: one line saying which format to try, exit 1", async () => {
  const vhost = lines.slice(0, 50).map((line) => `www.example.com:80 ${line}\n`).join("");
  writeFileSync(join(dir, "vhosts.access.log"), vhost);
  await failing(["vhosts.access.log", "--out", "other"], 1, /^weblog report: vhosts\.access\.log: 50 of its first 50 lines are not "combined" lines; try --format vhost_combined$/m);
  rmSync(join(dir, "vhosts.access.log"));
});

test("logFormats: each file is read with the format of the instance its name gives", {timeout: 300_000}, async () => {
  const folder = join(dir, "mixed");
  mkdirSync(folder);
  const vhostLines = lines.filter(isWellFormedCombined).slice(0, 40).map((line) => `www.example.com:443 ${line}`);
  writeFileSync(join(folder, "vhosts.access.log"), vhostLines.map((l) => l + "\n").join(""));
  writeFileSync(join(folder, "web-3.access.log"), lines.filter(isWellFormedCombined).slice(40, 70).map((l) => l + "\n").join(""));
  // Without a rule the vhost file is refused, as any file of another format.
  await failing(["mixed", "--out", "mixed-site"], 1, /^weblog report: mixed\/vhosts\.access\.log: 40 of its first 40 lines are not "combined" lines; try --format vhost_combined$/m);
  writeFileSync(join(dir, "weblog.config.json"), JSON.stringify({logFormats: [{logStream: "vhosts", format: "vhost_combined"}]}));
  try {
    const run = await weblog("report", "mixed", "--out", "mixed-site");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /70 events and 0 rejected lines taken in/);
  } finally {
    rmSync(join(dir, "weblog.config.json"));
    rmSync(folder, {recursive: true});
    rmSync(join(dir, "mixed-site"), {recursive: true, force: true});
    rmSync(join(dir, ".mixed-site.weblog"), {recursive: true, force: true});
  }
});

test("the configuration's own traffic rules reach the report's site: the office's lines are hidden from the Overview", {timeout: 300_000}, async () => {
  const folder = join(dir, "office");
  mkdirSync(folder);
  const chosen = lines.filter(isWellFormedCombined).slice(0, 60);
  const office = chosen[0].split(" ")[0];
  const fromOffice = chosen.filter((line) => line.split(" ")[0] === office).length;
  writeFileSync(join(folder, "web-4.access.log"), chosen.map((l) => l + "\n").join(""));
  writeFileSync(join(dir, "weblog.config.json"), JSON.stringify({ownTraffic: [{name: "office", clients: [office]}]}));
  try {
    const run = await weblog("report", "office", "--out", "office-site");
    assert.equal(run.code, 0, run.stderr);
    const server = await serveSite(join(dir, "office-site"));
    try {
      const overview = await openWatchedPage(browser, server.url);
      await overview.page.goto(server.url);
      await overview.page.waitForFunction(() => /\d/.test(document.querySelector('[data-metric="requests"]')?.textContent ?? ""), undefined, {timeout: 90_000});
      // The default filter hides own traffic: none of the office's lines is counted.
      assert.equal(await shownRequests(overview.page), chosen.length - fromOffice);
      await overview.page.context().close();
    } finally {
      await server.close();
    }
  } finally {
    rmSync(join(dir, "weblog.config.json"));
    rmSync(folder, {recursive: true});
    rmSync(join(dir, "office-site"), {recursive: true, force: true});
    rmSync(join(dir, ".office-site.weblog"), {recursive: true, force: true});
  }
});

test("empty input: one line, exit 1", async () => {
  mkdirSync(join(dir, "empty"));
  writeFileSync(join(dir, "empty", "access.log"), "");
  await failing(["empty", "--out", "other"], 1, /^weblog report: nothing to report: empty\/access\.log is empty$/m);
  await failing(["logs/web-2/missing", "--out", "other"], 1, /cannot read logs\/web-2\/missing/);
  rmSync(join(dir, "empty"), {recursive: true});
});

test("an --out folder holding other files is never replaced", async () => {
  await failing(["logs", "--out", "logs"], 1, /--out .*logs holds other files, not a report/);
  assert.ok(existsSync(join(dir, "logs/web-1.access.log")));
});
