// `tsx bench/first-views.ts <dir>`: every page's first view over a store bench:site kept
// (BENCH_SITE_KEEP=1), timed per page and, for the slowest queries, per query; with
// BENCH_FIRST_VIEWS_TABLES=1 the rollup kinds are first read into DuckDB tables; each exact
// question is answered once, as the loader does (BENCH_FIRST_VIEWS_EVERY=1: as often as asked). Figures to read.
import {existsSync, readdirSync} from "node:fs";
import {loadavg} from "node:os";
import {join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {loadConfig} from "../data-loaders/config.js";
import {dailyAnswer} from "../data-loaders/daily-answers.js";
import {storedLogStreams} from "../data-loaders/log-streams.js";
import {openSiteDatabase} from "../data-loaders/site-database.js";
import {kindRollupsFiles} from "../data-loaders/site-data.js";
import {demoEnvironment} from "../scripts/demo.js";
import * as instancePage from "../src/queries/instance.js";
import type {Ask} from "../src/queries/query.js";
import {answerKey} from "../src/queries/shipped.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");
const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/first-views.ts <a directory bench:site kept>");
const config = loadConfig(join(dir, "project"), demoEnvironment("http://127.0.0.1:1", join(dir, "store")));
let started = performance.now();
await kindRollupsFiles(config);
console.log(`kinds' files ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
started = performance.now();
const openCpu = process.cpuUsage();
const database = await openSiteDatabase(config, {kindsAs: process.env.BENCH_FIRST_VIEWS_TABLES ? "tables" : "views"});
console.log(`database opened in ${((performance.now() - started) / 1000).toFixed(1)} s (CPU ${(((u) => u.user + u.system)(process.cpuUsage(openCpu)) / 1e6).toFixed(1)} s; the kinds as ${process.env.BENCH_FIRST_VIEWS_TABLES ? "tables" : "views"})`);
// Queries run one at a time, so the process's CPU over one (DuckDB's threads included) is that query's.
const times: {page: string; sql: string; ms: number; cpuMs: number}[] = [];
let page = "";
// Each exact question answered once, as src/data/first-view.tar.ts does (BENCH_FIRST_VIEWS_EVERY=1: every time asked).
const answered = new Map<string, ReturnType<Ask>>();
let asked = 0;
const ask: Ask = async (query) => {
  asked++;
  const key = answerKey(query);
  if (answered.has(key) && !process.env.BENCH_FIRST_VIEWS_EVERY) return answered.get(key)!;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const rows = query.perDay ? dailyAnswer(config, database, query) : database.rows(query.sql, query.params);
  answered.set(key, rows);
  await rows;
  const cpu = process.cpuUsage(cpuStart);
  times.push({page, sql: query.sql.replace(/\s+/g, " ").slice(0, 140), ms: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000});
  return rows;
};
const all = performance.now();
const cpuBefore = process.cpuUsage();
for (const name of readdirSync(join(projectDir, "src")).filter((f) => f.endsWith(".md")).map((f) => f.slice(0, -3))) {
  if (!existsSync(join(projectDir, "src/queries", `${name}.ts`))) continue;
  page = name;
  const {firstView} = (await import(`../src/queries/${name}.js`)) as {firstView: (ask: Ask) => Promise<void>};
  await firstView(ask);
}
for (const instance of await storedLogStreams(config)) {
  page = `instances/${instance}`;
  await instancePage.firstView(ask, instance);
}
const cpu = process.cpuUsage(cpuBefore);
console.log(`every first view in ${((performance.now() - all) / 1000).toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, load ${loadavg()[0].toFixed(1)}), ${asked} questions asked, ${times.length} queries run`);
const byPage = new Map<string, {ms: number; cpuMs: number}>();
for (const t of times) {
  const sum = byPage.get(t.page) ?? {ms: 0, cpuMs: 0};
  byPage.set(t.page, {ms: sum.ms + t.ms, cpuMs: sum.cpuMs + t.cpuMs});
}
console.log([...byPage].map(([p, {ms, cpuMs}]) => `${p} ${(ms / 1000).toFixed(2)} s (CPU ${(cpuMs / 1000).toFixed(2)} s)`).join(", "));
for (const t of times.sort((a, b) => b.cpuMs - a.cpuMs).slice(0, Number(process.env.BENCH_FIRST_VIEWS_TOP ?? 12))) console.log(`${Math.round(t.ms)} ms (CPU ${Math.round(t.cpuMs)} ms) ${t.page}: ${t.sql}`);
database.close();
