// `tsx scripts/screenshot.ts [URL] [FILE]`: the picture at the top of the README. Opens a page of
// a running site (by default the Overview of `npm run demo`, http://localhost:3000/) in Debian's
// Chromium, waits until its charts are drawn and its requests have stopped, and saves the whole
// page as a PNG (docs/screenshot.png by default).
import {resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {launchBrowser, openWatchedPage} from "../test/support/browser.js";

const projectDir = resolve(fileURLToPath(import.meta.url), "../..");

async function main(): Promise<void> {
  const url = process.argv[2] ?? "http://localhost:3000/";
  const file = resolve(process.argv[3] ?? `${projectDir}/docs/screenshot.png`);
  const browser = await launchBrowser();
  try {
    const watched = await openWatchedPage(browser, new URL(url).origin);
    await watched.page.goto(url);
    // The first chart drawn, then nothing fetched for 2 s: the rest drawn and DuckDB-WASM started.
    await watched.page.waitForSelector("[data-chart] svg");
    await watched.settled(2000);
    if (watched.errors.length > 0) throw new Error(`the page reported errors: ${watched.errors.join("; ")}`);
    await watched.page.screenshot({path: file, fullPage: true});
    console.log(`Saved ${url} to ${file}`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
