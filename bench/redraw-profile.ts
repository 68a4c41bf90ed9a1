// `tsx bench/redraw-profile.ts <dist> [page]`: where a filter redraw's main-thread time goes in
// the browser. Opens the page (default /traffic) of a site bench:site kept, reaches for the filter
// bar and waits until every engine is warm, then samples the main thread's CPU (Chromium's
// profiler over CDP) through PICKS instance picks, each left a while to draw, and prints its busy
// time per redraw by script, by function and by call stack. The engines' workers are not sampled:
// their questions are timed by bench/site.ts and bench/redraw-queries.ts. Figures to read;
// nothing asserts a time.
import {resolve} from "node:path";
import {serveSite} from "../scripts/serve-site.js";
import {launchBrowser, openWatchedPage} from "../test/support/browser.js";
import {INSTANCES} from "./workload.js";

const [distArgument, path = "/traffic"] = process.argv.slice(2);
if (!distArgument) throw new Error("usage: tsx bench/redraw-profile.ts <dist of a site bench:site kept> [page]");
const PICKS = 6;
// Long enough for a redraw at 10M on a slow day to end, charts drawn, before the next pick.
const PICK_EVERY_MS = 1200;

interface ProfileNode {
  id: number;
  callFrame: {functionName: string; url: string; lineNumber: number};
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

const server = await serveSite(resolve(distArgument));
const browser = await launchBrowser();
try {
  const watched = await openWatchedPage(browser, server.url);
  await watched.page.goto(new URL(path, server.url).href);
  await watched.settled(500, 120_000).catch(() => {});
  await watched.page.getByLabel("Instance").hover();
  await watched.page.waitForFunction(() => document.documentElement.dataset.engineWarm !== undefined, undefined, {timeout: 120_000, polling: 50});
  await watched.page.waitForTimeout(1500);
  const cdp = await watched.page.context().newCDPSession(watched.page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", {interval: 200});
  await cdp.send("Profiler.start");
  for (let pick = 0; pick < PICKS; pick++) {
    await watched.page.getByLabel("Instance").selectOption(INSTANCES[(pick + 1) % INSTANCES.length]);
    await watched.page.waitForTimeout(PICK_EVERY_MS);
  }
  const {profile} = (await cdp.send("Profiler.stop")) as unknown as {profile: Profile};
  printBusyTime(profile);
} finally {
  await browser.close();
  await server.close();
}

/** The main thread's busy time per redraw (idle and the profiler's own "(program)" left out) by script, function and stack. */
function printBusyTime(profile: Profile): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const script = (node: ProfileNode) => node.callFrame.url.replace(/^https?:\/\/[^/]+/, "") || `(${node.callFrame.functionName})`;
  const frame = (node: ProfileNode) => `${node.callFrame.functionName || "(anonymous)"} ${script(node)}:${node.callFrame.lineNumber}`;
  const byScript = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byStack = new Map<string, number>();
  let busy = 0;
  const add = (totals: Map<string, number>, key: string, ms: number) => totals.set(key, (totals.get(key) ?? 0) + ms);
  (profile.samples ?? []).forEach((id, index) => {
    const node = byId.get(id)!;
    if (["(idle)", "(program)", "(root)"].includes(node.callFrame.functionName)) return;
    const ms = (profile.timeDeltas?.[index + 1] ?? 0) / 1000;
    busy += ms;
    add(byScript, script(node), ms);
    add(byFunction, frame(node), ms);
    const stack: string[] = [];
    for (let at: ProfileNode | undefined = node; at && stack.length < 6; at = parentOf.get(at.id)) stack.push(frame(at));
    add(byStack, stack.join(" < "), ms);
  });
  const top = (totals: Map<string, number>, n: number) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, ms]) => `  ${(ms / PICKS).toFixed(1).padStart(6)} ms  ${key.slice(0, 240)}`)
      .join("\n");
  console.log(`${path}: the main thread busy ${(busy / PICKS).toFixed(0)} ms per instance pick (${PICKS} picks, ${PICK_EVERY_MS} ms apart)`);
  console.log(`by script:\n${top(byScript, 12)}\nby function:\n${top(byFunction, 20)}\nby call stack:\n${top(byStack, 20)}`);
}
