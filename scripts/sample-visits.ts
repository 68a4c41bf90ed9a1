// The sample's hand-made lines for the Broken links, Visits and Top talkers pages (called by
// scripts/make-sample.ts): one reader's visit across midnight UTC that follows internal links to
// pages that are gone, another site's link to a missing page, and two IPv6 clients in one /48.
// The facts the tests rely on are returned for sample/expected.json ("visits").
import {apacheTime, type LogLine} from "./sample-lines.js";

/** The sample's own host names: the real log's site (the demo configures them as ownHosts). */
export const SAMPLE_OWN_HOSTS = ["semicomplete.com", "www.semicomplete.com"];

const FIREFOX = '"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:113.0) Gecko/20100101 Firefox/113.0"';
const SAFARI = '"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 Safari/605.1.15"';

interface Request {
  iso: string;
  clientIp: string;
  request: string;
  status: number;
  bytes: number;
  referrer: string;
  agent: string;
}

const READER = "203.0.113.61";
const OTHER_SITE_READER = "192.0.2.144";
const IPV6_A = "2001:db8:4d2:10::1a";
const IPV6_B = "2001:db8:4d2:99::7";

const REQUESTS: Request[] = [
  // A visit from 23:50 on 15 May to 00:12 on 16 May (UTC): counted once, on the 15th; four pages
  // (the two missing ones count: a page is told by its path) and a stylesheet.
  {iso: "2023-05-15T23:50:00Z", clientIp: READER, request: "GET /projects/ HTTP/1.1", status: 200, bytes: 8120, referrer: "https://duckduckgo.com/", agent: FIREFOX},
  {iso: "2023-05-15T23:50:01Z", clientIp: READER, request: "GET /style.css HTTP/1.1", status: 200, bytes: 2311, referrer: "http://www.semicomplete.com/projects/", agent: FIREFOX},
  // Internal broken links: the projects page links to pages that are gone.
  {iso: "2023-05-15T23:53:40Z", clientIp: READER, request: "GET /projects/grokdiscovery/ HTTP/1.1", status: 404, bytes: 210, referrer: "http://www.semicomplete.com/projects/", agent: FIREFOX},
  {iso: "2023-05-15T23:58:02Z", clientIp: READER, request: "GET /projects/xdotool/old-docs.html HTTP/1.1", status: 404, bytes: 210, referrer: "http://www.semicomplete.com/projects/?from=nav", agent: FIREFOX},
  {iso: "2023-05-16T00:12:30Z", clientIp: READER, request: "GET /blog/ HTTP/1.1", status: 200, bytes: 15420, referrer: "http://www.semicomplete.com/projects/", agent: FIREFOX},
  // The same reader an hour later: a new visit, on the 16th, of one page (a bounce).
  {iso: "2023-05-16T01:20:00Z", clientIp: READER, request: "GET /projects/grokdiscovery/ HTTP/1.1", status: 404, bytes: 210, referrer: "http://semicomplete.com/blog/", agent: FIREFOX},
  // Another site links to a page that is not there.
  {iso: "2023-05-16T09:14:05Z", clientIp: OTHER_SITE_READER, request: "GET /articles/unix-tools.html HTTP/1.1", status: 404, bytes: 210, referrer: "https://news.example.org/item?id=4242", agent: SAFARI},
  // Two clients in one IPv6 /48 (2001:db8:4d2::/48): one network on Top talkers.
  {iso: "2023-05-16T10:00:00Z", clientIp: IPV6_A, request: "GET /blog/ HTTP/1.1", status: 200, bytes: 15420, referrer: "-", agent: SAFARI},
  {iso: "2023-05-16T10:00:09Z", clientIp: IPV6_A, request: "GET /articles/ HTTP/1.1", status: 200, bytes: 9120, referrer: "http://www.semicomplete.com/blog/", agent: SAFARI},
  {iso: "2023-05-17T07:30:00Z", clientIp: IPV6_B, request: "GET /blog/ HTTP/1.1", status: 200, bytes: 15420, referrer: "-", agent: FIREFOX},
];

export function visitSampleLines(): LogLine[] {
  return REQUESTS.map((r) => {
    const utcMillis = Date.parse(r.iso);
    return {
      utcMillis,
      clientIp: r.clientIp,
      text: `${r.clientIp} - - [${apacheTime(utcMillis)}] "${r.request}" ${r.status} ${r.bytes} ${r.referrer === "-" ? '"-"' : `"${r.referrer}"`} ${r.agent}`,
      parses: true,
    };
  });
}

/** What the tests may rely on, for sample/expected.json. */
export function visitSampleFacts() {
  return {
    ownHosts: SAMPLE_OWN_HOSTS,
    /** The reader whose first visit spans midnight UTC, and the day it is counted on. */
    midnightVisit: {clientIp: READER, startsOn: "2023-05-15", requests: 5, pages: 4},
    /** A missing page two pages of the site link to (one linking page twice). */
    internalBrokenTarget: {path: "/projects/grokdiscovery/", requests: 2, referrerPaths: ["/blog/", "/projects/"]},
    externalBrokenTarget: {path: "/articles/unix-tools.html", referrerHost: "news.example.org"},
    ipv6Network: {network: "2001:db8:4d2::/48", clients: [IPV6_A, IPV6_B]},
  };
}
