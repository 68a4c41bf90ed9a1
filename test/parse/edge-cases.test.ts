// Lines real servers write that trip naive parsers, each with the exact fields expected.
import assert from "node:assert/strict";
import {test} from "node:test";
import type {ParsedLine} from "../../data-loaders/event.js";
import {lineParserFor, NAMED_FORMATS} from "../../data-loaders/parse/formats.js";
import {compileLogFormat, isParseError} from "../../data-loaders/parse/log-format.js";

const combined = lineParserFor("combined");

function parse(line: string, format = "combined"): ParsedLine {
  const parsed = (format === "combined" ? combined : lineParserFor(format)).parse(line);
  if (isParseError(parsed)) assert.fail(`did not parse (${parsed.error}): ${line.slice(0, 120)}`);
  return parsed;
}

function refuse(line: string, format = "combined"): string {
  const parsed = lineParserFor(format).parse(line);
  assert.ok(isParseError(parsed), `should not parse: ${line.slice(0, 120)}`);
  return parsed.error;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

test("+0530, the servers' zone, and negative offsets are applied", () => {
  assert.equal(iso(parse('1.2.3.4 - - [24/Nov/2026:05:30:00 +0530] "GET / HTTP/1.1" 200 1 "-" "-"').ts), "2026-11-24T00:00:00.000Z");
  assert.equal(iso(parse('1.2.3.4 - - [31/Dec/2026:20:00:00 -0700] "GET / HTTP/1.1" 200 1 "-" "-"').ts), "2027-01-01T03:00:00.000Z");
  assert.equal(iso(parse('1.2.3.4 - - [01/Jan/2027:00:10:00 +0530] "GET / HTTP/1.1" 200 1 "-" "-"').ts), "2026-12-31T18:40:00.000Z");
});

test("IPv6 clients", () => {
  const p = parse('2001:db8:85a3::8a2e:370:7334 - - [24/Nov/2026:10:00:00 +0000] "GET /x HTTP/2.0" 200 5 "-" "curl/8.5.0"');
  assert.equal(p.client_ip, "2001:db8:85a3::8a2e:370:7334");
  assert.equal(p.protocol, "HTTP/2.0");
});

test("- sizes, - request and a Common line inside a Combined log", () => {
  const p = parse('::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -');
  assert.deepEqual([p.method, p.url, p.path, p.query, p.protocol, p.status, p.bytes, p.referrer, p.user_agent], [null, null, null, null, null, 408, null, null, null]);
});

test("escaped quotes and backslashes in the user agent and referrer are undone", () => {
  const p = parse(String.raw`10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "http://a.example/?q=\"x\"" "Mozilla/5.0 \"quoted\" C:\\path"`);
  assert.equal(p.referrer, 'http://a.example/?q="x"');
  assert.equal(p.user_agent, 'Mozilla/5.0 "quoted" C:\\path');
});

test("\\xhh bytes in the agent decode as UTF-8 when valid, else Latin-1", () => {
  const utf8 = parse(String.raw`10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "Agent-\xc3\xa9t\xc3\xa9"`);
  assert.equal(utf8.user_agent, "Agent-été");
  const latin1 = parse(String.raw`10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "Agent-\xe9"`);
  assert.equal(latin1.user_agent, "Agent-é");
});

test("TLS handshake bytes sent to the HTTP port: kept raw in url, no method", () => {
  const raw = String.raw`\x16\x03\x01\x00\xca\x01\x00\x00\xc6\x03\x03\xa4\x8f`;
  const p = parse(`45.148.10.81 - - [14/May/2023:18:50:01 +0530] "${raw}" 400 226 "-" "-"`);
  assert.equal(p.method, null);
  assert.equal(p.protocol, null);
  assert.equal(p.path, null);
  assert.equal(p.url, raw);
  assert.equal(p.status, 400);
  assert.equal(p.bytes, 226);
});

test("a request without protocol (HTTP/0.9 style) and a target with a space", () => {
  const old = parse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /index.html" 200 5 "-" "-"');
  assert.deepEqual([old.method, old.url, old.protocol], ["GET", "/index.html", null]);
  const spaced = parse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /a b.html HTTP/1.1" 404 5 "-" "-"');
  assert.deepEqual([spaced.url, spaced.path, spaced.protocol], ["/a b.html", "/a b.html", "HTTP/1.1"]);
});

test("percent-encoded and non-ASCII URLs stay exactly as logged", () => {
  const p = parse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /caf%C3%A9/\u00fcber?q=%3Cscript%3E&x=1 HTTP/1.1" 200 5 "-" "-"');
  assert.equal(p.url, "/caf%C3%A9/\u00fcber?q=%3Cscript%3E&x=1");
  assert.equal(p.path, "/caf%C3%A9/\u00fcber");
  assert.equal(p.query, "q=%3Cscript%3E&x=1");
});

test("a 100 KB line parses, quickly", () => {
  const url = "/search?q=" + "a".repeat(100_000);
  const agent = "Mozilla/5.0 " + "x".repeat(2_000);
  const p = parse(`10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET ${url} HTTP/1.1" 414 5 "-" "${agent}"`);
  assert.equal(p.url, url);
  assert.equal(p.user_agent, agent);
  assert.equal(p.status, 414);
});

test("a 100 KB line of quotes with no end is refused, not stuck", () => {
  const error = refuse(`10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "${'\\" '.repeat(40_000)}`);
  assert.match(error, /closing quote/);
});

test("an extra field after the user agent is accepted and ignored", () => {
  const p = parse('172.17.0.1 - - [29/May/2017:19:02:48 +0000] "GET /s HTTP/1.1" 404 612 "-" "Mozilla/5.0" "-"');
  assert.deepEqual([p.status, p.user_agent], [404, "Mozilla/5.0"]);
});

test("lines that do not parse say why", () => {
  assert.match(refuse(""), /empty/);
  assert.match(refuse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" abc 5 "-" "-"'), /status is not a number/);
  assert.match(refuse('10.0.0.1 - - [2026-11-24T10:00:00Z] "GET / HTTP/1.1" 200 5 "-" "-"'), /time/);
  // A letter where a digit belongs (found by test/fuzz): refused, not a NaN time.
  assert.match(refuse('10.0.0.1 - - [24/Nov/2026:10:0x:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"'), /time/);
  assert.match(refuse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 many "-" "-"'), /%b is not a number/);
  assert.match(refuse("[Tue May 16 11:30:00.123456 2023] [mpm_event:notice] [pid 1234:tid 140] AH00489: resuming"), /expected/);
});

test("vhost_combined, with and without the port", () => {
  const withPort = parse('www.example.com:443 10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5120 "-" "curl/8"', "vhost_combined");
  assert.deepEqual([withPort.vhost, withPort.server_port, withPort.client_ip, withPort.bytes_sent, withPort.bytes], ["www.example.com", 443, "10.0.0.1", 5120, 5120]);
  const noPort = parse('vhost1.example.fr 123.123.123.123 - - [04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 32953 "-" "curl/8"', "vhost_combined");
  assert.deepEqual([noPort.vhost, noPort.server_port, noPort.client_ip], ["vhost1.example.fr", null, "123.123.123.123"]);
});

test("nginx combined, with a raw quote in the agent", () => {
  assert.ok(NAMED_FORMATS.nginx);
  const p = parse('10.0.0.1 - bob [24/Nov/2026:10:00:00 +0000] "GET /n HTTP/1.1" 200 0 "-" "Weird "agent" 1.0"', "nginx");
  assert.deepEqual([p.auth_user, p.bytes, p.user_agent], ["bob", 0, 'Weird "agent" 1.0']);
});

test("the long LogFormat: %D %T %v %p %I %O", () => {
  const parser = compileLogFormat('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %T %v %p %I %O');
  const p = parser.parse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 100 "-" "curl/8" 1500 0 www.example.com 8080 321 654');
  assert.ok(!isParseError(p));
  assert.deepEqual([p.duration_us, p.vhost, p.server_port, p.bytes_received, p.bytes_sent, p.bytes], [1500, "www.example.com", 8080, 321, 654, 100]);
  const seconds = compileLogFormat("%h %t %T %>s").parse("10.0.0.1 [24/Nov/2026:10:00:00 +0000] 3 200");
  assert.ok(!isParseError(seconds));
  assert.equal(seconds.duration_us, 3_000_000);
});

test("%m %U%q %H without %r rebuild the request", () => {
  const parser = compileLogFormat('%h %t "%m %U%q %H" %>s');
  const p = parser.parse('10.0.0.1 [24/Nov/2026:10:00:00 +0000] "POST /api/v1?x=1 HTTP/1.1" 201');
  assert.ok(!isParseError(p));
  assert.deepEqual([p.method, p.url, p.path, p.query, p.protocol, p.status], ["POST", "/api/v1?x=1", "/api/v1", "x=1", "HTTP/1.1", 201]);
});

test("formats that cannot work say so when compiled", () => {
  assert.throws(() => compileLogFormat("%h %Z"), /unsupported directive %Z/);
  assert.throws(() => compileLogFormat("%h%u"), /nothing between them/);
  assert.throws(() => compileLogFormat("%{%Y-%m-%d}t %h"), /default time format/);
  assert.throws(() => lineParserFor("apache"), /unknown log format "apache".*combined/);
});
