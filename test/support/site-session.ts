// What the page tests share: the sample site built once per test file and served, with Chromium
// open on it; SQL over the site's shipped events; and the checks every page ends with (it drew
// from its shipped first view, or asked DuckDB-WASM under a filter; no request left the origin;
// no error).
import assert from "node:assert/strict";
import {join} from "node:path";
import {after, before} from "node:test";
import type {Browser} from "playwright-core";
import {openDuckDB, sqlString} from "../../data-loaders/write/duckdb.js";
import {serveSite, type SiteServer} from "../../scripts/serve-site.js";
import {answeredBy, launchBrowser, type WatchedPage} from "./browser.js";
import {PROJECT_DIR, sampleSite, type SampleSite} from "./sample-site.js";

export interface SiteSession {
  site: SampleSite;
  server: SiteServer;
  browser: Browser;
}

/** Builds and serves the sample site before the file's tests and closes it after; its fields are set once `before` has run. */
export function sampleSiteSession(): SiteSession {
  const session = {} as SiteSession;
  before(async () => {
    session.site = await sampleSite();
    session.server = await serveSite(session.site.dist);
    session.browser = await launchBrowser();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}

/** Rows of `text` over every event the site ships (own traffic included): `events` in the text. */
export async function eventsSql<T = Record<string, unknown>>(site: SampleSite, text: string): Promise<T[]> {
  const duckdb = await openDuckDB();
  return (await duckdb.runAndReadAll(text.replaceAll("FROM events", `FROM read_parquet(${sqlString(site.eventsParquet)})`))).getRowObjectsJson() as T[];
}

/**
 * A page's closing checks, after a screenshot in test-results/: opened with the default filter it
 * drew from its shipped first view alone; under another filter (in the URL) DuckDB-WASM answered.
 * No request left the origin and nothing failed.
 */
export async function finishPage(watched: WatchedPage, name: string): Promise<void> {
  await watched.page.screenshot({path: join(PROJECT_DIR, `test-results/${name}.png`), fullPage: true});
  const answered = await answeredBy(watched.page);
  if (new URL(watched.page.url()).searchParams.has("filter")) assert.ok(answered.duckdb > 0, `${name}: a filtered page asks DuckDB-WASM`);
  else assert.deepEqual(answered, {shipped: answered.shipped || -1, duckdb: 0}, `${name}: the first view was answered from the shipped file alone`);
  assert.deepEqual(watched.externalRequests, []);
  assert.deepEqual(watched.errors, []);
  await watched.page.context().close();
}
