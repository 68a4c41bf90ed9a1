// 10,000 real Combined lines from a public web server (test/fixtures/real-logs), each checked
// against fields cut independently with one plain regular expression, a few lines read by hand,
// and totals counted outside the project (awk '$9==200' and awk '{s+=$10}').
import assert from "node:assert/strict";
import {test} from "node:test";
import type {ParsedLine} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";
import {fixtureLines, REAL_LOG} from "../fixtures.js";

const lines = fixtureLines(REAL_LOG);
const parser = lineParserFor("combined");
const results = lines.map((line) => parser.parse(line));

/** Line `n` (1-based, as `sed -n Np` numbers them), parsed. */
function line(n: number): ParsedLine {
  const result = results[n - 1];
  if (isParseError(result)) assert.fail(`line ${n} did not parse: ${result.error}`);
  return result;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

test("all 10,000 lines parse, the one cut short in its user agent included", () => {
  assert.equal(lines.length, 10_000);
  const refused = results.flatMap((r, i) => (isParseError(r) ? [`${i + 1}: ${r.error}`] : []));
  assert.deepEqual(refused, []);
});

test("status 200 count and byte total match the counts made with awk", () => {
  const parsed = results.filter((r): r is ParsedLine => !isParseError(r));
  assert.equal(parsed.filter((p) => p.status === 200).length, 9126);
  assert.equal(parsed.reduce((sum, p) => sum + (p.bytes ?? 0), 0), 2_747_282_740);
  assert.equal(parsed.filter((p) => p.bytes === null).length, 669);
});

test("every line agrees with an independent regular-expression split", () => {
  // Combined Log Format; the agent's closing quote optional, for the one line cut short.
  const combined = /^(\S+) (\S+) (\S+) \[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "(\S+) (\S+) (HTTP\/[\d.]+)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"?$/;
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  let compared = 0;
  for (const [i, text] of lines.entries()) {
    const m = combined.exec(text);
    assert.ok(m, `the regex reads line ${i + 1}`);
    const [, client, ident, user, day, month, year, hour, minute, second, offset, method, url, protocol, status, bytes, referrer, agent] = m;
    assert.equal(offset, "+0000", "this log is in UTC");
    const p = line(i + 1);
    const where = `line ${i + 1}`;
    assert.equal(p.ts, Date.UTC(+year, months.indexOf(month), +day, +hour, +minute, +second), where);
    assert.deepEqual(
      [p.client_ip, p.ident, p.auth_user, p.method, p.url, p.protocol, p.status, p.bytes],
      [client, ident === "-" ? null : ident, user === "-" ? null : user, method, url, protocol, +status, bytes === "-" ? null : +bytes],
      where,
    );
    assert.equal(p.path, url.split("?")[0], where);
    assert.equal(p.query, url.includes("?") ? url.slice(url.indexOf("?") + 1) : null, where);
    // Escaped bytes are decoded by the parser; the regex cannot, so those lines are checked by hand below.
    if (!referrer.includes("\\")) assert.equal(p.referrer, referrer === "-" ? null : referrer, where);
    if (!agent.includes("\\")) assert.equal(p.user_agent, agent === "-" ? null : agent, where);
    compared++;
  }
  assert.equal(compared, 10_000);
});

test("line 1, field by field", () => {
  // 83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023
  // "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"
  assert.deepEqual(line(1), {
    ts: Date.parse("2015-05-17T10:05:03Z"),
    vhost: null,
    client_ip: "83.149.9.216",
    ident: null,
    auth_user: null,
    method: "GET",
    url: "/presentations/logstash-monitorama-2013/images/kibana-search.png",
    path: "/presentations/logstash-monitorama-2013/images/kibana-search.png",
    query: null,
    protocol: "HTTP/1.1",
    status: 200,
    bytes: 203023,
    referrer: "http://semicomplete.com/presentations/logstash-monitorama-2013/",
    referrer_host: "semicomplete.com",
    user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36",
    server_port: null,
    duration_us: null,
    bytes_received: null,
    bytes_sent: null,
  });
});

test("line 35: a feed reader with a query string and no referrer", () => {
  // 46.105.14.53 - - [17/May/2015:10:05:03 +0000] "GET /blog/tags/puppet?flav=rss20 HTTP/1.1" 200 14872 "-" "UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/"
  const p = line(35);
  assert.equal(iso(p.ts), "2015-05-17T10:05:03.000Z");
  assert.deepEqual([p.url, p.path, p.query], ["/blog/tags/puppet?flav=rss20", "/blog/tags/puppet", "flav=rss20"]);
  assert.deepEqual([p.referrer, p.referrer_host], [null, null]);
  assert.equal(p.user_agent, "UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/");
});

test("line 688: HEAD with - bytes", () => {
  // 89.170.74.95 - - [17/May/2015:16:05:27 +0000] "HEAD /projects/xdotool/ HTTP/1.1" 200 - "-" "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:24.0) Gecko/20100101 Firefox/24.0"
  const p = line(688);
  assert.deepEqual([iso(p.ts), p.client_ip, p.method, p.url, p.status, p.bytes], ["2015-05-17T16:05:27.000Z", "89.170.74.95", "HEAD", "/projects/xdotool/", 200, null]);
});

test("line 5649: POST with a referrer and - for the agent", () => {
  // 78.173.140.106 - - [19/May/2015:09:05:53 +0000] "POST /blog/geekery/pyblosxom-mdate-vim-hack.html/trackback/ HTTP/1.1" 404 7861
  // "http://www.semicomplete.com/blog/geekery/pyblosxom-mdate-vim-hack.html" "-"
  const p = line(5649);
  assert.deepEqual([p.method, p.path, p.status, p.bytes], ["POST", "/blog/geekery/pyblosxom-mdate-vim-hack.html/trackback/", 404, 7861]);
  assert.deepEqual([p.referrer_host, p.user_agent], ["www.semicomplete.com", null]);
});

test("line 5851: a referrer in Windows-1251 bytes, escaped by Apache, decoded as Latin-1", () => {
  // 201.242.142.135 - - [19/May/2015:11:05:10 +0000] "GET /files/logstash/ HTTP/1.0" 200 13316
  // "http://\xe4\xe5\xe3\xf2\xff\xf0\xed\xee\xe5-\xec\xfb\xeb\xee.\xf0\xf4/" "Mozilla/5.0 (Windows NT 6.1; rv:11.0) Gecko/20100101 Firefox/11.0"
  // The bytes spell дегтярное-мыло.рф in Windows-1251; not being UTF-8, they become one Latin-1
  // character each, so nothing is lost (and they can be re-encoded if the charset is known).
  const p = line(5851);
  assert.equal(p.referrer, "http://\u00e4\u00e5\u00e3\u00f2\u00ff\u00f0\u00ed\u00ee\u00e5-\u00ec\u00fb\u00eb\u00ee.\u00f0\u00f4/");
  assert.equal(p.referrer_host, "\u00e4\u00e5\u00e3\u00f2\u00ff\u00f0\u00ed\u00ee\u00e5-\u00ec\u00fb\u00eb\u00ee.\u00f0\u00f4");
  assert.equal(new TextDecoder("windows-1251").decode(Uint8Array.from(p.referrer_host!, (c) => c.charCodeAt(0))), "дегтярное-мыло.рф");
  assert.deepEqual([p.protocol, p.status, p.bytes, p.user_agent], ["HTTP/1.0", 200, 13316, "Mozilla/5.0 (Windows NT 6.1; rv:11.0) Gecko/20100101 Firefox/11.0"]);
});

test("line 8899: the line cut short inside the user agent keeps every column, the agent as far as it goes", () => {
  // 46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html
  const p = line(8899);
  assert.deepEqual([iso(p.ts), p.client_ip, p.url, p.status, p.bytes, p.referrer], ["2015-05-20T12:05:17.000Z", "46.118.127.106", "/scripts/grok-py-test/configlib.py", 200, 235, null]);
  assert.equal(p.user_agent, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html");
});

test("the last line", () => {
  // 46.105.14.53 - - [20/May/2015:21:05:15 +0000] "GET /blog/tags/puppet?flav=rss20 HTTP/1.1" 200 14872 "-" "UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/"
  const p = line(10_000);
  assert.deepEqual([iso(p.ts), p.client_ip, p.query, p.bytes], ["2015-05-20T21:05:15.000Z", "46.105.14.53", "flav=rss20", 14872]);
});
