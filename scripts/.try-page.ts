import {sampleSite} from "../test/support/sample-site.js";
import {serveSite} from "./serve-site.js";
import {launchBrowser, openWatchedPage} from "../test/support/browser.js";
const site = await sampleSite();
console.log(site.dist);
const server = await serveSite(site.dist);
const browser = await launchBrowser();
for (const path of (process.argv[2] ?? "/performance").split(",")) {
  const watched = await openWatchedPage(browser, server.url);
  await watched.page.goto(new URL(path, server.url).href);
  await watched.page.waitForTimeout(8000);
  await watched.page.screenshot({path: `/tmp/page-${path.replace(/\W/g, "_")}.png`, fullPage: true});
  console.log(path, watched.errors, watched.externalRequests);
  console.log((await watched.page.textContent("main"))?.slice(0, 1500));
  await watched.page.context().close();
}
await browser.close();
await server.close();
