// The word cloud's layout module (src/components/d3-cloud.js, made by scripts/bundle-libraries.ts)
// is d3-cloud with a shorter canvas for its words' sprites. Laid out in Chromium beside the
// package as published, on the same words with the same random numbers: no two words overlap and
// it places as many. (Not every word in the same place: d3-cloud reads a word's shape from a
// canvas it shares with the words drawn beside it, and a few stray pixels of a neighbour end up
// in some shapes; with other neighbours, other stray pixels.)
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before, test} from "node:test";
import {build} from "esbuild";
import type {Browser} from "playwright-core";
import {PACKAGE_DIR} from "../../data-loaders/package-dir.js";
import {bundleLibraries, COMPONENTS_DIR} from "../../scripts/bundle-libraries.js";
import {launchBrowser} from "../support/browser.js";

let browser: Browser;

before(async () => {
  await bundleLibraries();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** `module`'s default export as a script that sets `window[name]`. */
async function asScript(module: string, name: string): Promise<string> {
  const result = await build({stdin: {contents: `export {default} from ${JSON.stringify(module)};`, resolveDir: PACKAGE_DIR, loader: "js"}, bundle: true, format: "iife", globalName: name, platform: "browser", write: false});
  return `${result.outputFiles[0].text}\nwindow.${name} = ${name}.default;`;
}

/** In the page: each word's place (centred, as word-cloud.ts draws it) as `layoutName` lays them out. */
const LAYOUT = `
  (layoutName, words, width) => new Promise((resolve) => {
    let state = 42;
    const random = () => ((state = (state * 16807) % 2147483647) / 2147483647);
    window[layoutName]()
      .size([width, Math.round(width / 2)])
      .words(words.map((w) => ({...w})))
      .padding(2)
      .rotate(() => 0)
      .font("sans-serif")
      .fontSize((d) => d.size)
      .random(random)
      .on("end", (placed) => resolve(placed.map((w) => [w.text, w.x, w.y, w.size])))
      .start();
  })
`;

/** In the page: the pixels two or more of the placed words cover, each drawn as word-cloud.ts draws it (centred, its size, no padding). */
const OVERLAPPING_PIXELS = `
  (placed, width) => {
    const height = Math.round(width / 2);
    const covered = new Uint8Array(width * height);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d", {willReadFrequently: true});
    context.textAlign = "center";
    let overlapping = 0;
    for (const [text, x, y, size] of placed) {
      context.clearRect(0, 0, width, height);
      context.font = size + "px sans-serif";
      context.fillText(text, width / 2 + x, height / 2 + y);
      const alpha = context.getImageData(0, 0, width, height).data;
      for (let i = 0; i < covered.length; i++) if (alpha[i * 4 + 3] > 128 && covered[i]++ === 1) overlapping++;
    }
    return overlapping;
  }
`;

test("d3-cloud with the shorter sprite canvas places as many words as the package, none over another, long agent strings at the largest size too", async () => {
  const page = await browser.newPage();
  try {
    await page.setContent("<!doctype html><title>word cloud layouts</title>");
    await page.addScriptTag({content: await asScript("d3-cloud", "packageLayout")});
    await page.addScriptTag({content: await asScript(join(COMPONENTS_DIR, "d3-cloud.js"), "workbookLayout")});
    // As word-cloud.ts sizes them (11 to 54 px), cut at 40 characters: many long agent strings,
    // more than one batch of sprites even on the package's canvas, and more words than fit.
    const agents = Array.from({length: 40}, (_, i) => `Mozilla/5.0 (X11; Linux x86_64; rv:${100 + i}.0) Gecko/20100101`.slice(0, 39) + "…");
    const families = Array.from({length: 60}, (_, i) => ["Chrome", "Firefox", "Safari", "Googlebot", "curl", "python-requests"][i % 6] + ` ${i}`);
    const words = [...agents, ...families].map((text, i) => ({text, size: Math.round(54 - (43 * i) / 99)}));
    const layout = async (name: string, width: number) => (await page.evaluate(`(${LAYOUT})(${JSON.stringify(name)}, ${JSON.stringify(words)}, ${width})`)) as [string, number, number, number][];
    const overlapping = async (placed: unknown[], width: number) => (await page.evaluate(`(${OVERLAPPING_PIXELS})(${JSON.stringify(placed)}, ${width})`)) as number;
    for (const width of [320, 670, 1200]) {
      const theirs = await layout("packageLayout", width);
      const ours = await layout("workbookLayout", width);
      assert.ok(theirs.length >= 10, `the package placed words at width ${width}`);
      assert.ok(Math.abs(ours.length - theirs.length) <= Math.max(2, theirs.length / 20), `as many words placed at width ${width}: ${ours.length}, the package ${theirs.length}`);
      assert.equal(await overlapping(ours, width), 0, `no word over another at width ${width}`);
      // The measure sees overlaps: the same words all in the middle.
      assert.ok((await overlapping(ours.map(([text, , , size]) => [text, 0, 0, size]), width)) > 0);
    }
  } finally {
    await page.close();
  }
});
