// The pieces a line's text columns go through: request line, referrer host, Apache's escapes.
import assert from "node:assert/strict";
import {test} from "node:test";
import {unescapeLogField} from "../../data-loaders/parse/escapes.js";
import {referrerHost} from "../../data-loaders/parse/referrer.js";
import {bareRequestEnd, splitRequestLine, type RequestLine} from "../../data-loaders/parse/request-line.js";

function split(raw: string): (string | null)[] {
  const into: RequestLine = {method: "stale", url: "stale", path: "stale", query: "stale", protocol: "stale"};
  splitRequestLine(raw, into);
  return [into.method, into.url, into.path, into.query, into.protocol];
}

test("request lines: well formed, HTTP/0.9, spaces in the target, -, empty, not HTTP at all", () => {
  assert.deepEqual(split("GET /a?b=c&d HTTP/1.1"), ["GET", "/a?b=c&d", "/a", "b=c&d", "HTTP/1.1"]);
  assert.deepEqual(split("PROPFIND /dav/ HTTP/2"), ["PROPFIND", "/dav/", "/dav/", null, "HTTP/2"]);
  assert.deepEqual(split("M-SEARCH * HTTP/1.1"), ["M-SEARCH", "*", "*", null, "HTTP/1.1"]);
  assert.deepEqual(split("CONNECT example.com:443 HTTP/1.1"), ["CONNECT", "example.com:443", "example.com:443", null, "HTTP/1.1"]);
  assert.deepEqual(split("GET http://proxy.example/x?y HTTP/1.0"), ["GET", "http://proxy.example/x?y", "http://proxy.example/x", "y", "HTTP/1.0"]);
  assert.deepEqual(split("GET /index.html"), ["GET", "/index.html", "/index.html", null, null]);
  assert.deepEqual(split("GET /a b HTTP/1.1"), ["GET", "/a b", "/a b", null, "HTTP/1.1"]);
  assert.deepEqual(split("GET /a HTTPS/1.1"), ["GET", "/a HTTPS/1.1", "/a HTTPS/1.1", null, null]);
  assert.deepEqual(split("-"), [null, null, null, null, null]);
  assert.deepEqual(split(""), [null, null, null, null, null]);
  assert.deepEqual(split("\\x16\\x03\\x01\\x00\\xa5"), [null, "\\x16\\x03\\x01\\x00\\xa5", null, null, null]);
  assert.deepEqual(split("get / HTTP/1.1"), [null, "get / HTTP/1.1", null, null, null], "methods are case-sensitive");
  assert.deepEqual(split("9GET / HTTP/1.1"), [null, "9GET / HTTP/1.1", null, null, null]);
});

test("an unquoted request ends after its protocol, or after its target when there is none", () => {
  const line = "GET /a HTTP/1.1 200 5";
  assert.equal(line.slice(0, bareRequestEnd(line, 0, " ")), "GET /a HTTP/1.1");
  assert.equal("GET /a 200 5".slice(0, bareRequestEnd("GET /a 200 5", 0, " ")), "GET /a");
  assert.equal("- 408 -".slice(0, bareRequestEnd("- 408 -", 0, " ")), "-");
  assert.equal("\\x16\\x03 400 226".slice(0, bareRequestEnd("\\x16\\x03 400 226", 0, " ")), "\\x16\\x03");
  assert.equal(bareRequestEnd("GET /a HTTP/1.1", 0, " "), 15);
});

test("referrer hosts: lower-cased, without user, port or brackets; null when there is no host", () => {
  const cases: [string | null, string | null][] = [
    ["https://www.Example.COM:8443/a?b#c", "www.example.com"],
    ["http://user:pw@host.example/", "host.example"],
    ["http://[2001:DB8::1]:8080/", "2001:db8::1"],
    ["http://example.org", "example.org"],
    ["http://example.org?q=1", "example.org"],
    ["android-app://com.google.android.gm/", "com.google.android.gm"],
    ["http://пример.рф/", "пример.рф"],
    ["about:blank", null],
    ["/relative/path", null],
    ["www.example.com/no-scheme", null],
    ["http:///path", null],
    ["1http://x.example/", null],
    ["://x.example/", null],
    ["<img src=x onerror=alert(2)>", null],
    [null, null],
  ];
  for (const [referrer, host] of cases) assert.equal(referrerHost(referrer), host, String(referrer));
  // The same referrer twice running, then others between: each answer is its own referrer's.
  for (const [referrer, host] of [...cases, ...cases.toReversed()].flatMap((c) => [c, c])) assert.equal(referrerHost(referrer), host, `again: ${referrer}`);
});

test("Apache's escapes undone: quotes, backslashes, control characters, \\xhh as UTF-8 or Latin-1", () => {
  const cases: [string, string][] = [
    ["plain", "plain"],
    ['say \\"hi\\"', 'say "hi"'],
    ["C:\\\\dir\\\\", "C:\\dir\\"],
    ["a\\tb\\nc\\rd\\be\\vf", "a\tb\nc\rd\be\vf"],
    ["\\xc3\\xa9t\\xc3\\xa9", "été"],
    ["\\xf0\\x9f\\x98\\x80!", "😀!"],
    ["\\xe9t\\xe9", "été"], // Latin-1: each byte one character
    ["\\xc3", "\u00c3"], // a UTF-8 sequence cut short: Latin-1
    ["\\xC3\\xA9", "é"], // upper-case hex
    ["\\x4", "x4"], // not an escape: the backslash goes
    ["end\\", "end\\"],
    ["\\x22quoted\\x22", '"quoted"'], // nginx
  ];
  for (const [logged, original] of cases) assert.equal(unescapeLogField(logged), original, logged);
});

test("a long run of \\xhh escapes decodes without blowing the stack", () => {
  const logged = "\\xff".repeat(200_000);
  assert.equal(unescapeLogField(logged), "\u00ff".repeat(200_000));
});
