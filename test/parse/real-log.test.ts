// 10,000 real Combined lines from a public web server (../shared/data/real-logs), checked against
// a count made independently with a plain regular expression, and a few lines read by hand.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import type {ParsedLine} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const lines = readFileSync(join(PROJECT_DIR, "../shared/data/real-logs/elastic-examples-apache_logs"), "utf8").split("\n").filter(Boolean);
const parser = lineParserFor("combined");
const results = lines.map((line) => parser.parse(line));
const parsed = results.filter((r): r is ParsedLine => !isParseError(r));

test("every well-formed line parses; the one line cut short is refused with its reason", () => {
  assert.equal(lines.length, 10_000);
  const refused = results.map((r, i) => [r, i + 1] as const).filter(([r]) => isParseError(r));
  assert.deepEqual(refused.map(([, n]) => n), [8899]);
  const [[error]] = refused;
  assert.match(isParseError(error) ? error.error : "", /closing quote/);
});

test("status counts and bytes agree with an independent regex count", () => {
  const simple = /^\S+ \S+ \S+ \[[^\]]+\] "[^"]*" (\d{3}) (\d+|-) /;
  let ok200 = 0;
  let bytes = 0;
  for (const line of lines) {
    const m = simple.exec(line);
    if (!m || !line.endsWith('"')) continue;
    if (m[1] === "200") ok200++;
    if (m[2] !== "-") bytes += Number(m[2]);
  }
  assert.equal(parsed.filter((p) => p.status === 200).length, ok200);
  assert.equal(parsed.reduce((sum, p) => sum + (p.bytes ?? 0), 0), bytes);
});

test("the first line, field by field", () => {
  // 83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023
  // "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) … Chrome/32.0.1700.77 Safari/537.36"
  const first = results[0] as ParsedLine;
  assert.equal(new Date(first.ts!).toISOString(), "2015-05-17T10:05:03.000Z");
  assert.equal(first.client_ip, "83.149.9.216");
  assert.equal(first.ident, null);
  assert.equal(first.auth_user, null);
  assert.equal(first.method, "GET");
  assert.equal(first.path, "/presentations/logstash-monitorama-2013/images/kibana-search.png");
  assert.equal(first.query, null);
  assert.equal(first.protocol, "HTTP/1.1");
  assert.equal(first.status, 200);
  assert.equal(first.bytes, 203023);
  assert.equal(first.referrer, "http://semicomplete.com/presentations/logstash-monitorama-2013/");
  assert.equal(first.referrer_host, "semicomplete.com");
  assert.match(first.user_agent!, /^Mozilla\/5\.0 \(Macintosh; Intel Mac OS X 10_9_1\).*Chrome\/32\.0\.1700\.77 Safari\/537\.36$/);
});

test("the last line: a feed reader asking with a query string", () => {
  // 46.105.14.53 - - [20/May/2015:21:05:15 +0000] "GET /blog/tags/puppet?flav=rss20 HTTP/1.1" 200 14872 "-" "UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/"
  const last = results.at(-1) as ParsedLine;
  assert.equal(new Date(last.ts!).toISOString(), "2015-05-20T21:05:15.000Z");
  assert.equal(last.url, "/blog/tags/puppet?flav=rss20");
  assert.equal(last.path, "/blog/tags/puppet");
  assert.equal(last.query, "flav=rss20");
  assert.equal(last.referrer, null);
  assert.equal(last.user_agent, "UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/");
});
