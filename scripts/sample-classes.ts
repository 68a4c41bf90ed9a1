// The sample's own traffic (scripts/make-sample.ts calls this): an office browsing the site from
// an IPv4 range and an IPv6 /48, pages with their assets, and a monitoring host asking /healthz
// every minute for three hours. The demo (scripts/demo.ts) configures the rules below, so its pages
// open with these requests hidden; the facts go to sample/expected.json under "classes".
import type {OwnTrafficRule} from "../data-loaders/derive/own-traffic.js";
import {apacheTime, type LogLine} from "./sample-lines.js";

/** The demo's ownTraffic setting. Documentation ranges (RFC 5737, RFC 3849): no real client is in them. */
export const SAMPLE_OWN_TRAFFIC: OwnTrafficRule[] = [
  {name: "monitoring", clients: ["192.0.2.10"], paths: ["/healthz"]},
  {name: "office", clients: ["192.0.2.128/25", "2001:db8:4f2a::/48"]},
];

const FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:113.0) Gecko/20100101 Firefox/113.0";
const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_3_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 Safari/605.1.15";
const UPTIME_KUMA = "Uptime-Kuma/1.21.3";

/** The office's people: two on IPv4, two on IPv6 addresses of the office /48. */
const COLLEAGUES = [
  {ip: "192.0.2.140", agent: FIREFOX},
  {ip: "192.0.2.201", agent: SAFARI},
  {ip: "2001:db8:4f2a:1::17", agent: FIREFOX},
  {ip: "2001:db8:4f2a:20:5054:ff:fe12:3456", agent: SAFARI},
];

/** A page and what the browser fetches with it. */
const VISITS = [
  ["/", "/css/main.css", "/js/site.js", "/images/logo.png"],
  ["/blog/", "/css/main.css", "/images/header.jpg"],
  ["/about.html", "/favicon.ico"],
  ["/api/v1/status", "/data/releases.json"],
] as const;

/** Every line of the office and the monitoring host, with the rule that must mark it; whole seconds, as %t logs them. */
export function ownTrafficLines(): {line: LogLine; rule: string}[] {
  const lines: {line: LogLine; rule: string}[] = [];
  const add = (utcMillis: number, clientIp: string, request: string, status: number, bytes: number, referrer: string, agent: string, rule: string) =>
    lines.push({line: {utcMillis, clientIp, text: `${clientIp} - - [${apacheTime(utcMillis)}] "${request}" ${status} ${bytes} "${referrer}" "${agent}"`, parses: true}, rule});
  // Office hours (09:30 to 17:30 in the servers' zone, +0530) on each of the sample's days: each colleague opens each visit once.
  ["2023-05-14", "2023-05-15", "2023-05-16", "2023-05-17"].forEach((day, d) => {
    COLLEAGUES.forEach(({ip, agent}, c) => {
      VISITS.forEach((visit, v) => {
        const start = Date.parse(`${day}T04:00:00Z`) + ((d * 7 + c * 3 + v * 5) % 8) * 3_600_000 + c * 60_000 + v * 600_000;
        visit.forEach((path, i) => {
          const referrer = i === 0 ? "-" : `https://www.example.com${visit[0]}`;
          add(start + i * 1000, ip, `GET ${path} HTTP/1.1`, 200, 1200 + 300 * i + 17 * c, referrer, agent, "office");
        });
      });
    });
  });
  // The monitoring host: /healthz each minute from 08:00 to 11:00 UTC on 15 May.
  const from = Date.parse("2023-05-15T08:00:00Z");
  for (let minute = 0; minute < 180; minute++) add(from + minute * 60_000, "192.0.2.10", "GET /healthz HTTP/1.1", 200, 2, "-", UPTIME_KUMA, "monitoring");
  return lines;
}

/** What a correct site makes of them, counted over the records that became events (a record cut short does not). */
export function ownTrafficFacts(events: readonly LogLine[], lines: readonly {line: LogLine; rule: string}[]) {
  const ruleOf = new Map(lines.map(({line, rule}) => [line, rule]));
  const byRule: Record<string, number> = {};
  let ipv6 = 0;
  for (const event of events) {
    const rule = ruleOf.get(event);
    if (rule === undefined) continue;
    byRule[rule] = (byRule[rule] ?? 0) + 1;
    if (event.clientIp.includes(":")) ipv6++;
  }
  return {
    description: "Requests the demo's ownTraffic rules (scripts/sample-classes.ts) mark, by rule; the office's over IPv6",
    ownTrafficByRule: byRule,
    officeIpv6: ipv6,
  };
}
