// The sample's two instances that log something Combined does not (scripts/make-sample.ts writes
// them beside the three web servers): an API application in a log group of its own whose lines end
// in %D, the microseconds each request took, and a front server logging vhost_combined for three
// virtual hosts. Hand-made, deterministic (a seeded generator), over the same four days.
//
// The API's durations are log-normal around each endpoint's own median, with an export endpoint
// that is slow by design, a two-hour incident on 16 May (10:00–12:00 UTC) when everything is
// several times slower and some requests fail with 503 (checkouts most), and a few multi-second
// outliers.
import {apacheTime, type LogLine} from "./sample-lines.js";
import {seededRandom} from "../src/components/seeded-random.js";

/** An instance the sample's own formats describe: its log group, stream, format and lines. */
export interface SampleInstance {
  logGroup: string;
  logStream: string;
  /** Its LogFormat: the demo's `logFormats` rule says so (scripts/demo.ts). */
  format: string;
  lines: LogLine[];
}

export const API_LOG_GROUP = "apiAppEC2";
export const API_INSTANCE = "i-0c4e8a2f6b1d39a75";
export const API_FORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D';
/** In the web servers' log group, told apart by its stream. */
export const VHOST_LOG_GROUP = "cloudwatchLogsEC2";
export const VHOST_INSTANCE = "i-0e7f1d3b5a9c24d68";
export const VHOST_FORMAT = "vhost_combined";

/** The `logFormats` rules that read these instances: by log group for the API, by stream for the vhosts. */
export const SAMPLE_LOG_FORMATS = [
  {logGroup: API_LOG_GROUP, format: API_FORMAT},
  {logStream: VHOST_INSTANCE, format: VHOST_FORMAT},
];

const START = Date.parse("2023-05-14T00:00:00Z");
const END = Date.parse("2023-05-17T18:00:00Z");
const INCIDENT = [Date.parse("2023-05-16T10:00:00Z"), Date.parse("2023-05-16T12:00:00Z")] as const;

export function perfSampleInstances(): SampleInstance[] {
  return [
    {logGroup: API_LOG_GROUP, logStream: API_INSTANCE, format: API_FORMAT, lines: apiLines()},
    {logGroup: VHOST_LOG_GROUP, logStream: VHOST_INSTANCE, format: VHOST_FORMAT, lines: vhostLines()},
  ];
}

interface Endpoint {
  method: string;
  target: (random: () => number) => string;
  /** Median microseconds and the spread (σ of the log). */
  medianUs: number;
  sigma: number;
  bytes: number;
  /** Share of the API's traffic. */
  weight: number;
  status: (random: () => number, incident: boolean) => number;
}

const ok = () => 200;
const ENDPOINTS: Endpoint[] = [
  {method: "GET", target: () => "/api/v1/products", medianUs: 25_000, sigma: 0.5, bytes: 18_400, weight: 30, status: ok},
  {method: "GET", target: (r) => `/api/v1/products/${1000 + Math.floor(r() * 400)}`, medianUs: 12_000, sigma: 0.4, bytes: 2_300, weight: 30, status: (r) => (r() < 0.04 ? 404 : 200)},
  {method: "GET", target: (r) => `/api/v1/search?q=${SEARCHES[Math.floor(r() * SEARCHES.length)]}`, medianUs: 80_000, sigma: 0.7, bytes: 9_800, weight: 18, status: ok},
  {method: "POST", target: () => "/api/v1/cart", medianUs: 35_000, sigma: 0.5, bytes: 640, weight: 12, status: (r) => (r() < 0.03 ? 422 : 201)},
  {method: "POST", target: () => "/api/v1/checkout", medianUs: 450_000, sigma: 0.6, bytes: 1_100, weight: 7, status: (r, incident) => (incident && r() < 0.3 ? 503 : r() < 0.02 ? 500 : 200)},
  {method: "GET", target: (r) => `/api/v1/reports/export?month=2023-0${1 + Math.floor(r() * 4)}`, medianUs: 2_500_000, sigma: 0.5, bytes: 512_000, weight: 3, status: ok},
];
const SEARCHES = ["shoes", "running+shoes", "jacket", "socks", "rain+jacket", "backpack"];
const API_AGENTS = [
  "ShopApp/4.2.1 (iPhone; iOS 16.4; Scale/3.00)",
  "ShopApp/4.2.0 (Linux; Android 13; Pixel 7)",
  "okhttp/4.10.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36",
];

function apiLines(): LogLine[] {
  const random = seededRandom(12);
  const lines: LogLine[] = [];
  const clients = Array.from({length: 80}, (_, i) => `49.36.${16 + (i % 40)}.${10 + ((i * 37) % 200)}`);
  for (let t = START; t < END; ) {
    // Busier in the Indian daytime (UTC 03:00–17:00): a request every ~2.5 min, else every ~6.
    const hour = new Date(t).getUTCHours();
    t += Math.round(-Math.log(1 - random()) * (hour >= 3 && hour < 17 ? 150_000 : 360_000));
    if (t >= END) break;
    const endpoint = pick(ENDPOINTS, random);
    const incident = t >= INCIDENT[0] && t < INCIDENT[1];
    // Log-normal body; the incident multiplies by 6; one request in 250 stalls for 2–9 s.
    let us = endpoint.medianUs * Math.exp(endpoint.sigma * gaussian(random)) * (incident ? 6 : 1);
    if (random() < 1 / 250) us += 2_000_000 + random() * 7_000_000;
    // In the incident the upstream times out now and then: a 503 after the long wait.
    const status = incident && random() < 0.2 ? 503 : endpoint.status(random, incident);
    const client = clients[Math.floor(random() * clients.length)];
    const agent = API_AGENTS[Math.floor(random() * API_AGENTS.length)];
    const bytes = status >= 400 ? 180 : Math.round(endpoint.bytes * (0.8 + random() * 0.4));
    const target = endpoint.target(random);
    const text = `${client} - - [${apacheTime(t)}] "${endpoint.method} ${target} HTTP/1.1" ${status} ${bytes} "-" "${agent}" ${Math.round(us)}`;
    lines.push({utcMillis: t, clientIp: client, text, parses: true});
  }
  // The load balancer's health check, every 30 minutes: fast and steady.
  for (let t = START + 60_000; t < END; t += 30 * 60_000) {
    const us = Math.round(300 * Math.exp(0.3 * gaussian(random)));
    lines.push({utcMillis: t, clientIp: "10.0.1.12", text: `10.0.1.12 - - [${apacheTime(t)}] "GET /api/v1/health HTTP/1.1" 200 17 "-" "ELB-HealthChecker/2.0" ${us}`, parses: true});
  }
  return lines.sort((a, b) => a.utcMillis - b.utcMillis);
}

const VHOSTS = [
  {host: "www.example.org", weight: 5, paths: ["/", "/about", "/pricing", "/docs/getting-started", "/docs/api", "/contact"], broken: ["/old-pricing", "/docs/v1/setup"]},
  {host: "blog.example.org", weight: 3, paths: ["/", "/posts/2023/05/release-4-2", "/posts/2023/04/scaling-search", "/feed.xml", "/tags/search"], broken: ["/posts/2021/draft"]},
  {host: "static.example.org", weight: 4, paths: ["/css/site.css", "/js/app.js", "/img/logo.svg", "/img/hero.jpg", "/fonts/inter.woff2"], broken: ["/img/banner-2022.png"]},
];
const PAGE_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:112.0) Gecko/20100101 Firefox/112.0",
  "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
];

function vhostLines(): LogLine[] {
  const random = seededRandom(34);
  const lines: LogLine[] = [];
  const clients = Array.from({length: 60}, (_, i) => `81.2.${69 + (i % 8)}.${20 + ((i * 53) % 220)}`);
  for (let t = START; t < END; ) {
    t += Math.round(-Math.log(1 - random()) * 330_000);
    if (t >= END) break;
    const vhost = pick(VHOSTS, random);
    const broken = random() < 0.05;
    const path = broken ? vhost.broken[Math.floor(random() * vhost.broken.length)] : vhost.paths[Math.floor(random() * vhost.paths.length)];
    const status = broken ? 404 : random() < 0.01 ? 500 : 200;
    const bytes = status === 200 ? 800 + Math.floor(random() * (vhost.host.startsWith("static") ? 90_000 : 24_000)) : 310;
    const client = clients[Math.floor(random() * clients.length)];
    const agent = PAGE_AGENTS[Math.floor(random() * PAGE_AGENTS.length)];
    // Pages and assets are linked from the site's own pages; a broken link has a page that links to it.
    const referrer = random() < 0.6 ? `https://www.example.org${VHOSTS[0].paths[Math.floor(random() * VHOSTS[0].paths.length)]}` : "-";
    const text = `${vhost.host}:443 ${client} - - [${apacheTime(t)}] "GET ${path} HTTP/1.1" ${status} ${bytes} "${referrer}" "${agent}"`;
    lines.push({utcMillis: t, clientIp: client, text, parses: true});
  }
  return lines;
}

function pick<T extends {weight: number}>(items: readonly T[], random: () => number): T {
  const total = items.reduce((n, item) => n + item.weight, 0);
  let at = random() * total;
  for (const item of items) if ((at -= item.weight) < 0) return item;
  return items[items.length - 1];
}

/** A standard normal deviate (Box–Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

