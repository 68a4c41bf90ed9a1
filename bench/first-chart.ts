// `tsx bench/first-chart.ts [DIST] [PAGE…]`: the critical path to a page's first chart, as a
// waterfall. Opens each page in a fresh Chromium profile on the built site (the sample site the
// tests build when no DIST is given) and prints every request with when it started and ended,
// what asked for it, its bytes, and where the first chart, DOMContentLoaded and load fell, with
// the main thread's long tasks. Figures to read; nothing asserts a time.
import {resolve} from "node:path";
import {serveSite} from "../scripts/serve-site.js";
import {launchBrowser, openWatchedPage} from "../test/support/browser.js";
import {sampleSite} from "../test/support/sample-site.js";

const [distArgument, ...pageArguments] = process.argv.slice(2);
const dist = distArgument ? resolve(distArgument) : (await sampleSite()).dist;
const pages = pageArguments.length > 0 ? pageArguments : ["/"];
// What bench/site.ts counts as a page's first chart.
const FIRST_CHART = "[data-chart] svg, [data-chart] table, [data-table] table, [data-message=\"no-durations\"]";

const server = await serveSite(dist);
const browser = await launchBrowser();
try {
  for (const path of pages) {
    const watched = process.env.NO_ROUTE ? await plainPage() : await openWatchedPage(browser, server.url);
    // Marks, in the page's own clock, when the first chart appears and each long task runs.
    await watched.page.addInitScript((selector: string) => {
      const marks = ((window as unknown as {benchMarks: Record<string, unknown>}).benchMarks = {longTasks: [] as number[][]});
      new MutationObserver((_, observer) => {
        if (document.querySelector(selector)) {
          (marks as Record<string, unknown>).firstChart = performance.now();
          observer.disconnect();
        }
      }).observe(document, {subtree: true, childList: true});
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) marks.longTasks.push([e.startTime, e.duration]);
      }).observe({type: "longtask", buffered: true});
    }, FIRST_CHART);
    const cdp = process.env.PROFILE ? await watched.page.context().newCDPSession(watched.page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", {interval: 500});
      await cdp.send("Profiler.start");
    }
    await watched.page.goto(new URL(path, server.url).href);
    // A page with nothing visible to match (Performance's hidden note on logs with durations) is printed without.
    await watched.page.waitForSelector(FIRST_CHART, {timeout: 15_000}).catch(() => {});
    if (cdp) printProfile((await cdp.send("Profiler.stop")).profile);
    await watched.settled(500, 60_000).catch(() => {});
    const timing = await watched.page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const resources = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).map((e) => ({
        name: e.name.replace(location.origin, ""), type: e.initiatorType, start: e.startTime, end: e.responseEnd, bytes: e.transferSize,
        sent: e.requestStart, firstByte: e.responseStart,
      }));
      const marks = (window as unknown as {benchMarks: {firstChart?: number; longTasks: number[][]}}).benchMarks;
      const paints = performance.getEntriesByType("paint").map((e) => [e.name, e.startTime] as const);
      return {html: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, resources, paints, ...marks};
    });
    const ms = (t: number | undefined) => (t === undefined ? "–" : `${Math.round(t)}`.padStart(5));
    console.log(`\n# ${path}: first chart ${ms(timing.firstChart)} ms; HTML in ${ms(timing.html)}, DOMContentLoaded ${ms(timing.domContentLoaded)}, load ${ms(timing.load)}; ${timing.paints.map(([n, t]) => `${n} ${Math.round(t)}`).join(", ")}`);
    for (const r of timing.resources.sort((a, b) => a.start - b.start)) {
      const before = timing.firstChart !== undefined && r.end <= timing.firstChart ? "*" : " ";
      console.log(`${before} ${ms(r.start)} → ${ms(r.end)} ms (sent ${ms(r.sent)}, first byte ${ms(r.firstByte)}) ${r.type.padEnd(14)} ${`${(r.bytes / 1e3).toFixed(1)} kB`.padStart(9)}  ${r.name.slice(0, 110)}`);
    }
    console.log(`long tasks: ${timing.longTasks.map(([s, d]) => `${Math.round(s)}+${Math.round(d)}`).join(", ") || "none"}`);
    await watched.page.context().close();
  }
} finally {
  await browser.close();
  await server.close();
}

async function plainPage() {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  const page = await context.newPage();
  return {page, settled: () => new Promise<void>((done) => setTimeout(done, 3000))};
}

/** Self time by function (and by script) from a CPU profile, the largest first. */
function printProfile(profile: {nodes: {id: number; callFrame: {functionName: string; url: string; lineNumber: number}; children?: number[]}[]; samples?: number[]; timeDeltas?: number[]}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByFunction = new Map<string, number>();
  const selfByScript = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const node = byId.get(id)!;
    const dt = (profile.timeDeltas?.[i + 1] ?? 0) / 1000;
    const script = node.callFrame.url.replace(/^https?:\/\/[^/]+/, "") || `(${node.callFrame.functionName})`;
    const fn = `${node.callFrame.functionName || "(anonymous)"} ${script}:${node.callFrame.lineNumber}`;
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + dt);
    selfByScript.set(script, (selfByScript.get(script) ?? 0) + dt);
  });
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${v.toFixed(0).padStart(5)} ms ${k.slice(0, 140)}`).join("\n");
  console.log(`CPU self time by script, until the first chart:\n${top(selfByScript, 15)}\nby function:\n${top(selfByFunction, 25)}`);
}
