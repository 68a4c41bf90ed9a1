// Every named format, and the LogFormat directives, modifiers and layouts users write.
import assert from "node:assert/strict";
import {test} from "node:test";
import type {ParsedLine} from "../../data-loaders/event.js";
import {lineParserFor, NAMED_FORMATS} from "../../data-loaders/parse/formats.js";
import {compileLogFormat, isParseError} from "../../data-loaders/parse/log-format.js";

/** Parsed with the servers' clocks on UTC, for formats that log local time (see local-time.test.ts). */
function parse(format: string, line: string): ParsedLine {
  const parsed = lineParserFor(format, {timeZone: "UTC"}).parse(line);
  if (isParseError(parsed)) assert.fail(`did not parse with ${format} (${parsed.error}): ${line.slice(0, 160)}`);
  return parsed;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const T = "[24/Nov/2026:05:30:00 +0530]";
const UTC_MIDNIGHT = Date.parse("2026-11-24T00:00:00Z");
const AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/** A ParsedLine with every column null but those given. */
function only(fields: Partial<ParsedLine>): ParsedLine {
  return {
    ts: null, vhost: null, client_ip: null, ident: null, auth_user: null, method: null, url: null, path: null, query: null, protocol: null,
    status: null, bytes: null, referrer: null, referrer_host: null, user_agent: null, server_port: null, duration_us: null,
    bytes_received: null, bytes_sent: null, ...fields,
  };
}

const REQUEST = {method: "GET", url: "/a/b?x=1", path: "/a/b", query: "x=1", protocol: "HTTP/1.1"};

test("the named formats are the ones the CLI documents", () => {
  assert.deepEqual(Object.keys(NAMED_FORMATS).sort(), ["combined", "combinedio", "common", "nginx", "vhost_combined"]);
  assert.equal(NAMED_FORMATS.combined, '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"');
  assert.equal(NAMED_FORMATS.vhost_combined, '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"');
});

test("common", () => {
  assert.deepEqual(parse("common", `10.1.2.3 - frank ${T} "GET /a/b?x=1 HTTP/1.1" 200 2326`), only({ts: UTC_MIDNIGHT, client_ip: "10.1.2.3", auth_user: "frank", ...REQUEST, status: 200, bytes: 2326}));
});

test("combined", () => {
  assert.deepEqual(
    parse("combined", `10.1.2.3 - - ${T} "GET /a/b?x=1 HTTP/1.1" 200 2326 "https://www.example.com/start.html" "${AGENT}"`),
    only({ts: UTC_MIDNIGHT, client_ip: "10.1.2.3", ...REQUEST, status: 200, bytes: 2326, referrer: "https://www.example.com/start.html", referrer_host: "www.example.com", user_agent: AGENT}),
  );
});

test("combinedio: %I and %O after the agent", () => {
  assert.deepEqual(
    parse("combinedio", `10.1.2.3 - - ${T} "GET /a/b?x=1 HTTP/1.1" 200 2326 "-" "${AGENT}" 512 2611`),
    only({ts: UTC_MIDNIGHT, client_ip: "10.1.2.3", ...REQUEST, status: 200, bytes: 2326, user_agent: AGENT, bytes_received: 512, bytes_sent: 2611}),
  );
});

test("vhost_combined: %v:%p, and %O standing in for the body size it lacks; without the port too", () => {
  assert.deepEqual(
    parse("vhost_combined", `www.example.com:443 10.1.2.3 - - ${T} "GET /a/b?x=1 HTTP/1.1" 200 2611 "-" "${AGENT}"`),
    only({ts: UTC_MIDNIGHT, vhost: "www.example.com", server_port: 443, client_ip: "10.1.2.3", ...REQUEST, status: 200, bytes: 2611, bytes_sent: 2611, user_agent: AGENT}),
  );
  const noPort = parse("vhost_combined", `vhost1.example.fr 123.123.123.123 - - ${T} "GET / HTTP/1.1" 200 32953 "-" "${AGENT}"`);
  assert.deepEqual([noPort.vhost, noPort.server_port, noPort.client_ip, noPort.bytes], ["vhost1.example.fr", null, "123.123.123.123", 32953]);
});

test("nginx: a line as nginx's combined format writes it", () => {
  const p = parse("nginx", `172.17.0.1 - alice [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0"`);
  assert.deepEqual(
    p,
    only({
      ts: Date.parse("2016-12-07T10:05:07Z"), client_ip: "172.17.0.1", auth_user: "alice", method: "GET", url: "/ocelot", path: "/ocelot", protocol: "HTTP/1.1",
      status: 200, bytes: 571, user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0",
    }),
  );
  // nginx escapes a quote as \x22.
  assert.equal(parse("nginx", `172.17.0.1 - - ${T} "GET / HTTP/1.1" 200 0 "-" "say \\x22hi\\x22"`).user_agent, 'say "hi"');
});

const LONG = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D %T %v %p %I %O';
const LONG_FIELDS = only({
  ts: UTC_MIDNIGHT, client_ip: "10.0.0.1", ...REQUEST, status: 200, bytes: 100, referrer: "http://r.example/x", referrer_host: "r.example",
  user_agent: AGENT, duration_us: 1500, vhost: "www.example.com", server_port: 8080, bytes_received: 321, bytes_sent: 654,
});

test("the long format: %D %T %v %p %I %O after the agent", () => {
  assert.deepEqual(parse(LONG, `10.0.0.1 - - ${T} "GET /a/b?x=1 HTTP/1.1" 200 100 "http://r.example/x" "${AGENT}" 1500 0 www.example.com 8080 321 654`), LONG_FIELDS);
});

test("the long format with nothing quoted: the request read as words, the agent as all that the last six words leave", () => {
  const unquoted = LONG.replaceAll('"', "");
  assert.deepEqual(parse(unquoted, `10.0.0.1 - - ${T} GET /a/b?x=1 HTTP/1.1 200 100 http://r.example/x ${AGENT} 1500 0 www.example.com 8080 321 654`), LONG_FIELDS);
  // "-" as the request, and no protocol.
  const dash = parse(unquoted, `10.0.0.1 - - ${T} - 408 - - - 10 0 www.example.com 80 0 0`);
  assert.deepEqual([dash.method, dash.url, dash.status, dash.bytes, dash.referrer, dash.user_agent, dash.duration_us], [null, null, 408, null, null, null, 10]);
  const old = parse(unquoted, `10.0.0.1 - - ${T} GET /x 200 1 - curl/8 1 0 h 80 1 1`);
  assert.deepEqual([old.method, old.url, old.protocol, old.status, old.user_agent], ["GET", "/x", null, 200, "curl/8"]);
});

test("an unquoted agent at the end of the format takes the rest of the line", () => {
  const p = parse('%h %l %u %t "%r" %>s %b %{Referer}i %{User-Agent}i', `10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 http://r.example/ ${AGENT}`);
  assert.deepEqual([p.referrer, p.user_agent], ["http://r.example/", AGENT]);
});

test("quoted numbers, as some formats write every field", () => {
  const p = parse('%h %l %u %t "%r" "%>s" "%b" "%{Referer}i" "%{User-Agent}i" "%D"', `10.0.0.1 - - ${T} "GET /a/b?x=1 HTTP/1.1" "200" "100" "http://r.example/x" "${AGENT}" "1500"`);
  assert.deepEqual(p, only({...LONG_FIELDS, vhost: null, server_port: null, bytes_received: null, bytes_sent: null}));
});

test("tab-separated fields may hold spaces", () => {
  const p = parse("%h\t%u\t%t\t%r\t%>s\t%b\t%{User-Agent}i", `10.0.0.1\tJohn Smith\t${T}\tGET /a b HTTP/1.1\t200\t5\t${AGENT}`);
  assert.deepEqual([p.auth_user, p.url, p.protocol, p.status, p.user_agent], ["John Smith", "/a b", "HTTP/1.1", 200, AGENT]);
});

test("[%t]: %t brings its own brackets, so [%t] reads the same line; a bare time is read too", () => {
  const format = '[%t] %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b';
  const p = parse(format, '[16/Oct/2019:11:53:47 +0200] 81.2.69.143 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 "GET /appl/ajaxhelper.php?cmd=x HTTP/1.1" 1234');
  assert.deepEqual(p, only({ts: Date.parse("2019-10-16T09:53:47Z"), client_ip: "81.2.69.143", method: "GET", url: "/appl/ajaxhelper.php?cmd=x", path: "/appl/ajaxhelper.php", query: "cmd=x", protocol: "HTTP/1.1", bytes: 1234}));
  assert.deepEqual(parse("%t %h %>s", `${T} 10.0.0.1 200`), only({ts: UTC_MIDNIGHT, client_ip: "10.0.0.1", status: 200}));
  assert.deepEqual(parse("%h %t %>s", "10.0.0.1 24/Nov/2026:05:30:00 +0530 200"), only({ts: UTC_MIDNIGHT, client_ip: "10.0.0.1", status: 200}));
  // A strftime time has no brackets of its own: literal ones around it must be in the line.
  assert.deepEqual(parse("[%{%d/%b/%Y:%H:%M:%S %z}t] %h", `${T} 10.0.0.1`), only({ts: UTC_MIDNIGHT, client_ip: "10.0.0.1"}));
});

test("%{format}t: strftime times, with and without a zone, and Apache's own tokens", () => {
  const at = (format: string, text: string) => iso(parse(`%h ${format} %>s`, `10.0.0.1 ${text} 200`).ts);
  assert.equal(at("%{%Y-%m-%dT%H:%M:%S}t", "2026-11-24T05:30:00"), "2026-11-24T05:30:00.000Z", "no %z: local time, here in UTC");
  assert.equal(at("%{%Y-%m-%dT%H:%M:%S%z}t", "2026-11-24T05:30:00+0530"), "2026-11-24T00:00:00.000Z");
  assert.equal(at("%{%FT%T%z}t", "2026-11-24T05:30:00+05:30"), "2026-11-24T00:00:00.000Z");
  assert.equal(at("%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t", "24/Nov/2026 05:30:00.123 +0530"), "2026-11-24T00:00:00.123Z", "Apache's documented example");
  assert.equal(at("%{%a, %d %B %Y %H:%M:%S %Z}t", "Tue, 24 November 2026 00:00:00 GMT"), "2026-11-24T00:00:00.000Z");
  assert.equal(at("%{%e/%m/%y %R}t", " 4/07/99 23:59"), "1999-07-04T23:59:00.000Z");
  assert.equal(at("%{sec}t", "1795478400"), "2026-11-24T00:00:00.000Z");
  assert.equal(at("%{msec}t", "1795478400123"), "2026-11-24T00:00:00.123Z");
  assert.equal(at("%{begin:usec}t", "1795478400123456"), "2026-11-24T00:00:00.123Z");
  assert.equal(at("%{end:sec}t.%{usec_frac}t", "1795478400.250000"), "2026-11-24T00:00:00.250Z");
  assert.equal(at("%t %{msec_frac}t", `${T} 042`), "2026-11-24T00:00:00.042Z");
  assert.equal(at("%{%H:%M:%S}t", "10:00:00"), null, "a time of day alone is not an instant");
});

test("status: %>s is the final status and wins over %s / %<s, whatever the order; %s alone is used", () => {
  assert.equal(parse("%h %<s %>s", "10.0.0.1 302 200").status, 200);
  assert.equal(parse("%h %>s %s", "10.0.0.1 200 302").status, 200);
  assert.equal(parse("%h %s", "10.0.0.1 302").status, 302);
  assert.equal(parse("%h %>s", "10.0.0.1 -").status, null);
});

test("conditional modifiers (%!200,304{…}i, %400,501{…}i) and header names in any case", () => {
  const p = parse('%h %>s "%!200,304{Referer}i" "%400,501{user-agent}i"', '10.0.0.1 404 "http://r.example/" "curl/8"');
  assert.deepEqual([p.referrer, p.user_agent], ["http://r.example/", "curl/8"]);
  const skipped = parse('%h %>s "%!200,304{Referer}i" "%400,501{user-agent}i"', '10.0.0.1 200 "-" "-"');
  assert.deepEqual([skipped.referrer, skipped.user_agent], [null, null]);
});

test("the client: %a over %h over %{c}a, whichever comes first", () => {
  assert.equal(parse("%h %a %>s", "proxy.example 10.0.0.1 200").client_ip, "10.0.0.1");
  assert.equal(parse("%{c}a %h %>s", "192.0.2.1 10.0.0.1 200").client_ip, "10.0.0.1");
  assert.equal(parse("%{c}a %>s", "192.0.2.1 200").client_ip, "192.0.2.1");
});

test("durations: %D in µs; %T in s, %{ms}T, %{us}T; %D wins over %T in either order", () => {
  const d = (format: string, values: string) => parse(`%h ${format}`, `10.0.0.1 ${values}`).duration_us;
  assert.equal(d("%D", "1500"), 1500);
  assert.equal(d("%T", "3"), 3_000_000);
  assert.equal(d("%{s}T", "3"), 3_000_000);
  assert.equal(d("%{ms}T", "42"), 42_000);
  assert.equal(d("%{us}T", "42"), 42);
  assert.equal(d("%D %T", "1500 0"), 1500);
  assert.equal(d("%T %D", "0 1500"), 1500);
});

test("ports: %p and %{local}p / %{canonical}p fill server_port, %{remote}p is the client's and ignored", () => {
  assert.equal(parse("%h %p", "10.0.0.1 443").server_port, 443);
  assert.equal(parse("%h %{local}p", "10.0.0.1 8443").server_port, 8443);
  assert.equal(parse("%h %{remote}p %{canonical}p", "10.0.0.1 51234 80").server_port, 80);
});

test("%m %U%q %H without %r rebuild the request; %U alone; an empty %q", () => {
  assert.deepEqual(parse('%h %t "%m %U%q %H" %>s', `10.0.0.1 ${T} "POST /api/v1?x=1 HTTP/1.1" 201`), only({ts: UTC_MIDNIGHT, client_ip: "10.0.0.1", method: "POST", url: "/api/v1?x=1", path: "/api/v1", query: "x=1", protocol: "HTTP/1.1", status: 201}));
  assert.deepEqual(parse('%h "%m %U%q %H"', '10.0.0.1 "GET /p HTTP/2.0"'), only({client_ip: "10.0.0.1", method: "GET", url: "/p", path: "/p", protocol: "HTTP/2.0"}));
  assert.deepEqual(parse("%h %U %q %>s", "10.0.0.1 /p ?a=b 200"), only({client_ip: "10.0.0.1", url: "/p?a=b", path: "/p", query: "a=b", status: 200}));
  assert.deepEqual(parse("%h %m %U %>s", "10.0.0.1 HEAD /robots.txt 200"), only({client_ip: "10.0.0.1", method: "HEAD", url: "/robots.txt", path: "/robots.txt", status: 200}));
});

test("%v and %V name the virtual host; %% is a literal percent sign", () => {
  assert.equal(parse("%V %h", "canonical.example 10.0.0.1").vhost, "canonical.example");
  assert.deepEqual([parse("%h %% %>s", "10.0.0.1 % 204").status], [204]);
});

test("headers, notes, environment, SSL variables, cookies and the rest are read past and ignored", () => {
  const format = '%h "%{X-Forwarded-For}i" %{SSL_PROTOCOL}x %{UNIQUE_ID}e %{note}n "%{Content-Type}o" %{sess}C %P %{tid}P %k %L %R %f %X %S %A %{Foo}^ti %>s';
  const line = '10.0.0.1 "203.0.113.9, 10.0.0.7 \\"x\\"" TLSv1.3 ZxY1 - "text/html; charset=utf-8" abc 1234 5678 0 - - /var/www/i.html + 900 10.0.0.2 - 200';
  assert.deepEqual(parse(format, line), only({client_ip: "10.0.0.1", status: 200}));
});

test("a LogFormat pasted from httpd.conf, with \\\" around fields", () => {
  const p = parse('%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Agent}i\\"', `10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "curl/8"`);
  assert.deepEqual([p.url, p.status, p.user_agent], ["/", 200, "curl/8"]);
});

test("the parser says which format it reads", () => {
  assert.equal(lineParserFor("combined").format, NAMED_FORMATS.combined);
  assert.equal(compileLogFormat("%h %>s").format, "%h %>s");
});
