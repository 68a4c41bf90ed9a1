// Observable Framework settings for the workbook site. Everything the site loads comes from
// this project: no CDN, no web fonts, so the built site works with no network at all.
import {existsSync, readdirSync} from "node:fs";
import {fileURLToPath} from "node:url";
import {loadConfig} from "./data-loaders/config.js";
import {storedLogStreams} from "./data-loaders/log-streams.js";
import {storedDays} from "./data-loaders/site-data.js";

const config = loadConfig();
// One page per EC2 instance (log stream) found in the local store: src/instances/[instance].md.
const instances = await storedLogStreams(config).catch(() => [] as string[]);
// One events file and one rollups file per day in the store, made by src/data/events/[day].parquet.ts
// and src/data/rollups/[day].parquet.ts; the pages find them through data/event-days.json.
const days = await storedDays(config.store).catch(() => []);
// Every page ships its first view (src/data/first-view.tar.ts): the answers to its queries with
// the default filter when they are in src/queries/<page>.ts, none otherwise.
const firstViewPages = readdirSync(fileURLToPath(new URL("src", import.meta.url)))
  .filter((file) => file.endsWith(".md"))
  .map((file) => file.slice(0, -3));

// The sidebar, in reading order. A page listed here whose file you delete simply drops out.
const pages = [
  {name: "Overview", path: "/"},
  {name: "Traffic", path: "/traffic"},
  {name: "Status codes", path: "/status-codes"},
  {name: "Geography", path: "/geography"},
  {name: "User agents", path: "/user-agents"},
  {name: "Security", path: "/security"},
  {name: "Instances", open: false, pages: instances.map((instance) => ({name: instance, path: `/instances/${instance}`}))},
  {name: "Explore", path: "/explore"},
  {name: "Data quality", path: "/data-quality"},
].filter((page) => page.pages !== undefined || existsSync(fileURLToPath(new URL(`src${page.path === "/" ? "/index" : page.path}.md`, import.meta.url))));

export default {
  root: "src",
  title: "Weblog Workbook",
  pages,
  dynamicPaths: [
    ...instances.flatMap((instance) => [`/instances/${instance}`, `/data/first-view/instances/${instance}.json`]),
    ...days.flatMap(({day}) => [`/data/events/${day}.parquet`, `/data/rollups/${day}.parquet`]),
    // Each page's first view, answered when the site's data is made (src/queries/pages.ts).
    ...firstViewPages.map((page) => `/data/first-view/${page}.json`),
  ],
  // Framework's default asks fonts.googleapis.com for Source Serif; the system fonts do instead.
  globalStylesheets: [],
  // Default theme (air, near-midnight when dark) plus Inputs' stylesheet, all from node_modules.
  style: "style.css",
  // GeoLite2's licence asks for this credit wherever the data is shown.
  footer:
    "Weblog Workbook: access logs from CloudWatch, Kafka and S3, analysed in your browser with DuckDB-WASM. " +
    'IP geolocation by <a href="https://www.maxmind.com">MaxMind</a> GeoLite2.',
  search: false,
};
