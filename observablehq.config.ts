// Observable Framework settings for the workbook site. Everything the site loads comes from
// this project: no CDN, no web fonts, so the built site works with no network at all.
import {existsSync, readdirSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {loadConfig} from "./data-loaders/config.js";
import {geoCreditHtml, geoDatabasesUsed} from "./data-loaders/enrich/geoip-credit.js";
import {instancePages, storedLogStreams} from "./data-loaders/log-streams.js";
import {rollupBlocks, rollupKindNames, storedDays} from "./data-loaders/site-data.js";
import {TYPESCRIPT_LOADER} from "./data-loaders/site-loaders.js";

const config = loadConfig();
// One page per EC2 instance (log stream) found in the local store: src/instances/[instance].md.
// A stream whose name is unsafe as a path (log-streams.ts says which are) gets none: a warning says so.
const streams = instancePages(await storedLogStreams(config).catch(() => [] as string[]));
if (streams.warning) console.warn(streams.warning);
const instances = streams.withPage;
// One events file per day in the store, made by src/data/events/[day].parquet.ts, and one rollups
// file per kind and block of days, from src/data/rollups/[block].tar.ts; the pages find them
// through data/event-days.json.
const days = await storedDays(config).catch(() => []);
// Every page ships its first view (src/data/first-view.tar.ts): the answers to its queries with
// the default filter when they are in src/queries/<page>.ts, none otherwise.
const firstViewPages = readdirSync(fileURLToPath(new URL("src", import.meta.url)))
  .filter((file) => file.endsWith(".md"))
  .map((file) => file.slice(0, -3));

// The sidebar, in reading order. A page listed here whose file you delete simply drops out.
const pages = [
  {name: "Overview", path: "/"},
  {name: "Traffic", path: "/traffic"},
  {name: "Visits", path: "/visits"},
  {name: "Status codes", path: "/status-codes"},
  {name: "Performance", path: "/performance"},
  {name: "Broken links", path: "/broken-links"},
  {name: "Geography", path: "/geography"},
  {name: "Top talkers", path: "/top-talkers"},
  {name: "User agents", path: "/user-agents"},
  {name: "Security", path: "/security"},
  {name: "Instances", open: false, pages: instances.map((instance) => ({name: instance, path: `/instances/${instance}`}))},
  {name: "Explore", path: "/explore"},
  {name: "Data quality", path: "/data-quality"},
].filter((page) => page.pages !== undefined || existsSync(fileURLToPath(new URL(`src${page.path === "/" ? "/index" : page.path}.md`, import.meta.url))));

// Previous and next page at the bottom of each page. Framework's own pager names the home page
// after the site's title ("Weblog Workbook"), whatever `pages` calls it; this one takes every
// name from `pages`, so the Overview is "Overview". Same markup, so Framework's styles apply.
const pagerOrder: {name: string; path: string}[] = pages.flatMap((page) => page.pages ?? [page]);
function pagerHtml(path: string): string {
  const at = pagerOrder.findIndex((page) => page.path === path.replace(/(^|\/)index$/, "$1"));
  if (at < 0) return "";
  const link = (page: {name: string; path: string} | undefined, rel: string) =>
    page ? `<a rel="${rel}" href="${escapeHtml(encodeURI(page.path))}"><span>${escapeHtml(page.name)}</span></a>` : "";
  return `<nav>${link(pagerOrder[at - 1], "prev")}${link(pagerOrder[at + 1], "next")}</nav>`;
}

// Each page's first view (the answers its queries give under the default filter) is named in the
// page's <head> as a preload: the browser fetches it alongside the page's modules instead of after
// them, and src/components/workbook.ts fetches the URL this link has (Framework rewrites it to the
// file's content-hashed name), so the fetch reuses the preloaded response. A page with no first
// view (one not in the lists below) has no link, and DuckDB-WASM answers all its queries.
// Framework puts `head` after the page's ~20 modulepreloads; over HTTP/1.1's six connections the
// file was sent last, after every module (0.3–0.6 s after them on a loaded machine), and the page
// waited for it. `fetchpriority="high"` sends it in the first round.
const firstViewPaths = new Set([...firstViewPages.map((page) => `/${page}`), ...instances.map((instance) => `/instances/${instance}`)]);
function firstViewPreload(path: string): string {
  if (!firstViewPaths.has(path)) return "";
  return `<link rel="preload" as="fetch" fetchpriority="high" crossorigin="anonymous" data-first-view href="${escapeHtml(`/data/first-view${path}.json`)}">`;
}

// The site's icon, in the page itself: without one the browser asks the server for /favicon.ico,
// which a static site does not have, and logs the 404 as an error on every first visit.
const ICON =
  "<link rel=\"icon\" href=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'>" +
  "<rect x='1' y='8' width='4' height='7' fill='%234269d0'/><rect x='6' y='4' width='4' height='11' fill='%234269d0'/>" +
  "<rect x='11' y='1' width='4' height='14' fill='%234269d0'/></svg>\">";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Which GeoLite2 database this build's locations come from, as configured when the site is built.
const geoCredit = geoCreditHtml(await geoDatabasesUsed(config));

export default {
  root: "src",
  title: "Weblog Workbook",
  pages,
  pager: false,
  dynamicPaths: [
    ...instances.map((instance) => `/instances/${instance}`),
    ...days.map(({day}) => `/data/events/${day}.parquet`),
    ...rollupBlocks(days).flatMap((block) => rollupKindNames().map((kind) => `/data/rollups/${block.name}/${kind}.parquet`)),
  ],
  head: ({path}: {path: string}) => ICON + firstViewPreload(path),
  // Framework's default asks fonts.googleapis.com for Source Serif; the system fonts do instead.
  globalStylesheets: [],
  // Default theme (air, near-midnight when dark) plus Inputs' stylesheet, all from node_modules.
  style: "style.css",
  // The pager (Framework's own names the Overview after the site), then which GeoLite2 database the
  // locations come from, its build and its licence (the bundled build is non-commercial), with the
  // credit GeoLite2's licence asks for wherever the data is shown.
  footer: ({path}: {path: string}) =>
    pagerHtml(path) +
    "Weblog Workbook: access logs from CloudWatch, Kafka and S3, analysed in your browser with DuckDB-WASM. " +
    geoCredit,
  search: false,
  // TypeScript loaders run in one Node process with tsx's hooks, instead of the tsx command's two
  // (a launcher, then Node): 0.15 s sooner each, and a rebuild runs several.
  interpreters: {".ts": TYPESCRIPT_LOADER},
};
