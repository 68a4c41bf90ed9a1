// Lines real servers write that trip naive parsers, each with the exact fields expected.
import assert from "node:assert/strict";
import {test} from "node:test";
import type {ParsedLine} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";

const combined = lineParserFor("combined");

function parse(line: string, format = "combined"): ParsedLine {
  const parsed = (format === "combined" ? combined : lineParserFor(format)).parse(line);
  if (isParseError(parsed)) assert.fail(`did not parse (${parsed.error}): ${line.slice(0, 120)}`);
  return parsed;
}

/** The request and response columns, in one array for compact exact comparisons. */
const request = (p: ParsedLine) => [p.method, p.url, p.path, p.query, p.protocol, p.status, p.bytes];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const T = "[24/Nov/2026:10:00:00 +0000]";

test("a Common line inside a Combined log: referrer and agent null, the rest read", () => {
  const p = parse('::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209');
  assert.deepEqual(request(p), ["GET", "/favicon.ico", "/favicon.ico", null, "HTTP/1.1", 404, 209]);
  assert.deepEqual([p.client_ip, iso(p.ts), p.referrer, p.referrer_host, p.user_agent], ["::1", "2016-12-26T14:16:29.000Z", null, null, null]);
  // With a trailing space, as some servers write it.
  assert.equal(parse('::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209 ').bytes, 209);
});

test("extra fields after the user agent are accepted and ignored", () => {
  for (const extra of [' "-"', " 1234", ' "-" "x y" 57', ' "id=\\"abc\\""']) {
    const p = parse(`172.17.0.1 - - ${T} "GET /s HTTP/1.1" 404 612 "-" "Mozilla/5.0 (X11)"${extra}`);
    assert.deepEqual([p.status, p.bytes, p.referrer, p.user_agent], [404, 612, null, "Mozilla/5.0 (X11)"], extra);
  }
});

test("a host name as client (HostnameLookups On), kept as given", () => {
  assert.equal(parse(`monitoring-server.example.org - - ${T} "GET /status HTTP/1.1" 200 612 "-" "-"`).client_ip, "monitoring-server.example.org");
});

test('"-" as the request (a connection closed before sending one), with - bytes', () => {
  const p = parse('::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -');
  assert.deepEqual(request(p), [null, null, null, null, null, 408, null]);
  assert.deepEqual([p.referrer, p.user_agent], [null, null]);
});

test("TLS handshake bytes sent to the HTTP port: status and bytes kept, the raw text in url, no method/path/protocol", () => {
  const raw = String.raw`\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\xa4\x8f`;
  const p = parse(`45.148.10.81 - - [14/May/2023:18:50:01 +0530] "${raw}" 400 226 "-" "-"`);
  assert.deepEqual(request(p), [null, raw, null, null, null, 400, 226]);
  assert.equal(iso(p.ts), "2023-05-14T13:20:01.000Z");
  // Garbage with spaces (printable bytes are not escaped) is still not a method.
  const spaced = parse(`45.148.10.81 - - ${T} "\\x16\\x03 junk HTTP/1.1" 400 226 "-" "-"`);
  assert.deepEqual(request(spaced), [null, "\\x16\\x03 junk HTTP/1.1", null, null, null, 400, 226]);
});

test("a request without protocol (HTTP/0.9 style), and a target with a space", () => {
  assert.deepEqual(request(parse(`10.0.0.1 - - ${T} "GET /index.html" 200 5 "-" "-"`)), ["GET", "/index.html", "/index.html", null, null, 200, 5]);
  assert.deepEqual(request(parse(`10.0.0.1 - - ${T} "GET /a b.html?x=1 y HTTP/1.1" 404 5 "-" "-"`)), ["GET", "/a b.html?x=1 y", "/a b.html", "x=1 y", "HTTP/1.1", 404, 5]);
  // A lone method, and a protocol in lower case as a client sent it.
  assert.deepEqual(request(parse(`10.0.0.1 - - ${T} "GET" 400 5 "-" "-"`)), [null, "GET", null, null, null, 400, 5]);
  assert.deepEqual(request(parse(`10.0.0.1 - - ${T} "GET / http/1.0" 200 5 "-" "-"`)), ["GET", "/", "/", null, "http/1.0", 200, 5]);
});

test("escaped quotes and backslashes in the user agent and referrer: the field does not end at \\\"", () => {
  const p = parse(String.raw`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "http://a.example/?q=\"x\" \"y\"" "Mozilla/5.0 \"quoted\" C:\\path\\"`);
  assert.equal(p.referrer, 'http://a.example/?q="x" "y"');
  assert.equal(p.referrer_host, "a.example");
  assert.equal(p.user_agent, 'Mozilla/5.0 "quoted" C:\\path\\');
  // A UA that is just an escaped quote followed by the field separator text.
  assert.equal(parse(String.raw`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "a\" \"b"`).user_agent, 'a" "b');
});

test("control characters Apache escapes as \\t \\n \\r \\b \\v are restored", () => {
  assert.equal(parse(String.raw`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "a\tb\nc\rd\be\vf"`).user_agent, "a\tb\nc\rd\be\vf");
});

test("\\xhh bytes in referrer and agent decode as UTF-8 when valid, else one Latin-1 character per byte; url stays as logged", () => {
  const p = parse(String.raw`10.0.0.1 - - ${T} "GET /caf\xc3\xa9 HTTP/1.1" 200 5 "http://\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84/" "Agent-\xc3\xa9t\xc3\xa9 \xe9\x22"`);
  assert.equal(p.url, String.raw`/caf\xc3\xa9`);
  assert.equal(p.referrer, "http://пример.рф/");
  assert.equal(p.referrer_host, "пример.рф");
  // \xe9 alone is not UTF-8: é in Latin-1; \x22 (nginx's escaped quote) is a quote.
  assert.equal(p.user_agent, 'Agent-été é"');
  // A lone, cut escape stays as it was.
  assert.equal(parse(String.raw`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "a\x4"`).user_agent, "ax4");
});

test("IPv6 clients, and an IPv6 referrer host", () => {
  const p = parse(`2001:db8:85a3::8a2e:370:7334 - - ${T} "GET /x HTTP/2.0" 200 5 "http://[2001:DB8::1]:8080/p" "curl/8.5.0"`);
  assert.deepEqual([p.client_ip, p.protocol, p.referrer_host, p.user_agent], ["2001:db8:85a3::8a2e:370:7334", "HTTP/2.0", "2001:db8::1", "curl/8.5.0"]);
  assert.equal(parse(`::ffff:192.0.2.128 - - ${T} "GET / HTTP/1.1" 200 5 "-" "-"`).client_ip, "::ffff:192.0.2.128");
});

test("percent-encoded and non-ASCII URLs stay exactly as logged", () => {
  const p = parse(`10.0.0.1 - - ${T} "GET /caf%C3%A9/\u00fcber/\u6f22\u5b57?q=%3Cscript%3E&x=1&y=a?b HTTP/1.1" 200 5 "-" "-"`);
  assert.deepEqual(request(p), ["GET", "/caf%C3%A9/\u00fcber/\u6f22\u5b57?q=%3Cscript%3E&x=1&y=a?b", "/caf%C3%A9/\u00fcber/\u6f22\u5b57", "q=%3Cscript%3E&x=1&y=a?b", "HTTP/1.1", 200, 5]);
  // An empty query is "", not null: the ? was there.
  assert.deepEqual(request(parse(`10.0.0.1 - - ${T} "GET /p? HTTP/1.1" 200 5 "-" "-"`)).slice(1, 4), ["/p?", "/p", ""]);
});

test("ident and user are read, and - means null", () => {
  const p = parse(`10.0.0.1 identd-user alice ${T} "GET / HTTP/1.1" 200 5 "-" "-"`);
  assert.deepEqual([p.ident, p.auth_user], ["identd-user", "alice"]);
  assert.equal(parse(String.raw`10.0.0.1 - Jos\xc3\xa9 ${T} "GET / HTTP/1.1" 200 5 "-" "-"`).auth_user, "José");
});

test("empty quoted referrer and agent are null, like -", () => {
  const p = parse(`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "" ""`);
  assert.deepEqual([p.referrer, p.referrer_host, p.user_agent], [null, null, null]);
});

test("a line cut short in the user agent keeps what is there; cut anywhere before, it is refused", () => {
  const full = `10.0.0.1 - - ${T} "GET /page HTTP/1.1" 200 5 "http://ref.example/" "Mozilla/5.0 (X11; Linux x86_64)"`;
  assert.equal(parse(full.slice(0, -10)).user_agent, "Mozilla/5.0 (X11; Linu");
  assert.equal(parse(full.slice(0, -10)).referrer, "http://ref.example/");
  assert.equal(parse(full.slice(0, -1)).user_agent, "Mozilla/5.0 (X11; Linux x86_64)");
  // Cut right after an escaped quote: that quote does not close the field.
  assert.equal(parse(String.raw`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "Mozilla \"x\"`).user_agent, 'Mozilla "x"');
  const cutInReferrer = combined.parse(full.slice(0, full.indexOf("ref.example")));
  assert.ok(isParseError(cutInReferrer) && /no closing quote after the referrer/.test(cutInReferrer.error), JSON.stringify(cutInReferrer));
  const cutInRequest = combined.parse(full.slice(0, full.indexOf("/page") + 3));
  assert.ok(isParseError(cutInRequest) && /no closing quote after the request line %r/.test(cutInRequest.error), JSON.stringify(cutInRequest));
});

test("CRLF line endings: the \\r is not part of the last field", () => {
  assert.equal(parse(`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "curl/8"\r`).user_agent, "curl/8");
  assert.equal(parse(`10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5\r`).bytes, 5);
  assert.equal(parse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5\r', "common").bytes, 5);
});

test("nginx combined with a raw (unescaped) quote inside the agent", () => {
  const p = parse('10.0.0.1 - bob [24/Nov/2026:10:00:00 +0000] "GET /n HTTP/1.1" 200 0 "-" "Weird "agent" 1.0"', "nginx");
  assert.deepEqual([p.ident, p.auth_user, p.bytes, p.user_agent], [null, "bob", 0, 'Weird "agent" 1.0']);
  const withExtra = parse('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /n HTTP/1.1" 200 0 "-" "Weird "agent" 1.0" "-"', "nginx");
  assert.equal(withExtra.user_agent, 'Weird "agent" 1.0');
});

test("+0530, the servers' zone, and negative offsets are applied", () => {
  assert.equal(iso(parse(`1.2.3.4 - - [24/Nov/2026:05:30:00 +0530] "GET / HTTP/1.1" 200 1 "-" "-"`).ts), "2026-11-24T00:00:00.000Z");
  assert.equal(iso(parse(`1.2.3.4 - - [01/Jan/2027:00:10:00 +0530] "GET / HTTP/1.1" 200 1 "-" "-"`).ts), "2026-12-31T18:40:00.000Z");
  assert.equal(iso(parse(`1.2.3.4 - - [31/Dec/2026:20:00:00 -0700] "GET / HTTP/1.1" 200 1 "-" "-"`).ts), "2027-01-01T03:00:00.000Z");
  assert.equal(iso(parse(`1.2.3.4 - - [28/Feb/2024:22:15:00 -0345] "GET / HTTP/1.1" 200 1 "-" "-"`).ts), "2024-02-29T02:00:00.000Z");
});

/** Milliseconds a parse of `line` takes, the best of 3 (after a warm-up). */
function timed(line: string, format = "combined"): number {
  const parser = lineParserFor(format);
  parser.parse(line);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    parser.parse(line);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

test("a 100 KB line parses, quickly", () => {
  const url = "/search?q=" + "a%20".repeat(25_000);
  const agent = "Mozilla/5.0 " + "x\\\" ".repeat(500);
  const line = `10.0.0.1 - - ${T} "GET ${url} HTTP/1.1" 414 5 "-" "${agent}"`;
  assert.ok(line.length > 100_000);
  const p = parse(line);
  assert.deepEqual([p.url, p.status, p.user_agent], [url, 414, "Mozilla/5.0 " + 'x" '.repeat(500)]);
  assert.ok(timed(line) < 20, "linear in the line's length");
});

test("100 KB lines built to make a backtracking parser hang finish in milliseconds", () => {
  const head = `10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "`;
  const hostile = [
    head + '\\" '.repeat(35_000), // quotes, all escaped, never closed: cut short
    head + 'x" '.repeat(35_000) + "y", // raw quotes, each followed by a space, none closing
    head + "\\".repeat(100_000) + '"', // backslashes before the last quote
    `10.0.0.1 - - ${T} "` + "GET " + "/a ".repeat(35_000) + '" 200 5 "-" "-"', // a request of 35,000 words
    `10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "a" ` + '"b" '.repeat(30_000), // 30,000 extra fields
    " ".repeat(50_000) + "x".repeat(50_000),
  ];
  for (const [i, line] of hostile.entries()) {
    const result = combined.parse(line); // a line or a reason: both fine, as long as it returns
    assert.ok(isParseError(result) || result.status === 200, `case ${i}`);
    assert.ok(timed(line) < 50, `case ${i} is linear`);
  }
  // Unquoted headers are matched from the end of the line; that must stay linear too.
  const bare = '%h %t %{User-Agent}i %D %>s';
  assert.ok(timed(`10.0.0.1 ${T} ${"w ".repeat(50_000)}12 200`, bare) < 50);
});
