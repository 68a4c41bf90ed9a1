// Headless Chromium (Debian's, not a downloaded one) driven by playwright-core, with every
// request outside the site's origin recorded and refused, and console errors collected.
import {chromium, type Browser, type Page} from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium calls Google at start, which this
// machine's closed network refuses.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // No host but this machine resolves: a request elsewhere fails in the browser, whether or not
  // the harness holds it (WatchOptions).
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS});
}

export interface WatchedPage {
  page: Page;
  /** Requests to anywhere but the site's own origin (refused before they leave: see WatchOptions). */
  externalRequests: string[];
  /** console.error messages and uncaught exceptions. */
  errors: string[];
  /**
   * Resolves once no request has been in flight for `quietMs`: the page has fetched every file
   * it asked for. (Playwright's "networkidle" is a load state, reached once per navigation.)
   */
  settled(quietMs?: number, timeoutMs?: number): Promise<void>;
}

export interface WatchOptions {
  /**
   * How a request outside the site's origin is refused. "route" (the tests'): the harness holds
   * every request and aborts any but the site's, before it leaves. "browser" (the benchmarks',
   * which time pages as a reader meets them): nothing is held, since holding each request costs a
   * round trip to this process (100–300 ms more to a page's first chart on the 2-core machine);
   * the browser resolves no host but this one (launchBrowser), and such requests are recorded as
   * they start.
   */
  refuse?: "route" | "browser";
}

export async function openWatchedPage(browser: Browser, origin: string, {refuse = "route"}: WatchOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  const page = await context.newPage();
  let inFlight = 0;
  let lastActivity = Date.now();
  const started = () => {
    inFlight++;
    lastActivity = Date.now();
  };
  const ended = () => {
    inFlight--;
    lastActivity = Date.now();
  };
  page.on("request", started);
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  const watched: WatchedPage = {
    page,
    externalRequests: [],
    errors: [],
    async settled(quietMs = 1000, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0 || Date.now() - lastActivity < quietMs) {
        if (Date.now() > deadline) throw new Error(`the page still had ${inFlight} requests in flight after ${timeoutMs} ms`);
        await new Promise((done) => setTimeout(done, 100));
      }
    },
  };
  const allowed = new URL(origin).origin;
  const isOwn = (url: string) => new URL(url).origin === allowed || url.startsWith("data:") || url.startsWith("blob:");
  if (refuse === "route") {
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (isOwn(url)) return route.continue();
      watched.externalRequests.push(url);
      return route.abort();
    });
  } else {
    page.on("request", (request) => {
      if (!isOwn(request.url())) watched.externalRequests.push(request.url());
    });
  }
  page.on("console", (message) => {
    if (message.type() === "error") watched.errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => watched.errors.push(`page: ${error.message}`));
  return watched;
}

/**
 * How many of a page's queries were answered from its shipped first view and how many by
 * DuckDB-WASM (src/components/workbook.ts counts them on <html>).
 */
export async function answeredBy(page: Page): Promise<{shipped: number; duckdb: number}> {
  return page.evaluate(() => ({
    shipped: Number(document.documentElement.dataset.answeredShipped ?? 0),
    duckdb: Number(document.documentElement.dataset.answeredDuckdb ?? 0),
  }));
}

/**
 * Resolves once DuckDB-WASM has answered every query the page asked and answered none for
 * `quietMs` (src/components/workbook.ts: data-queries-running, data-last-answered-at): a page's
 * queries run side by side, so the chart waited for is not the last one drawn.
 */
export async function queriesSettled(page: Page, quietMs = 150): Promise<void> {
  await page.waitForFunction(
    (quiet) => {
      const {queriesRunning, lastAnsweredAt} = document.documentElement.dataset;
      return (queriesRunning ?? "0") === "0" && performance.now() - Number(lastAnsweredAt ?? 0) > quiet;
    },
    quietMs,
    {timeout: 60_000, polling: 50},
  );
}
