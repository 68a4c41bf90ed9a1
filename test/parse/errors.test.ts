// Lines that do not fit say why, exactly; formats that cannot work say so when compiled; and no
// input makes a parser throw.
import assert from "node:assert/strict";
import {test} from "node:test";
import {lineParserFor, NAMED_FORMATS} from "../../data-loaders/parse/formats.js";
import {compileLogFormat, isParseError} from "../../data-loaders/parse/log-format.js";

const T = "[24/Nov/2026:10:00:00 +0000]";

function reason(line: string, format = "combined"): string {
  const parsed = lineParserFor(format, {timeZone: "UTC"}).parse(line);
  if (!isParseError(parsed)) assert.fail(`should not parse: ${line.slice(0, 120)}`);
  return parsed.error;
}

test("an empty or blank line", () => {
  assert.equal(reason(""), "empty line");
  assert.equal(reason(" \t \r"), "empty line");
});

test("too few fields: where the line ends and what the format still wanted", () => {
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 200`), 'the line ends after %>s (column 62), where the format goes on with " %b \\"%{Referer}i\\" \\"%{User-Agent}i\\""');
  assert.equal(reason("1.2.3.4 - -"), 'the line ends after %u (column 12), where the format goes on with " %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-Ag…"');
});

test("a field missing in the middle, or a line of another format", () => {
  assert.match(reason(`1.2.3.4 - ${T} "GET / HTTP/1.1" 200 5 "-" "-"`), /^the time at column 33 is not \[dd\/Mon\/yyyy:HH:MM:SS ±hhmm\]: "\+0000\] /);
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "-"`, "vhost_combined"), 'expected ":" after %v at column 8, found " - - [24/Nov/2026:10…"');
  assert.match(reason("[Tue May 16 11:30:00.123456 2023] [mpm_event:notice] [pid 1234:tid 140] AH00489: resuming"), /^the time at column 13 is not/);
});

test("bad timestamps: not Apache's form, a day that does not exist, a month that is not English, a letter for a digit", () => {
  for (const [time, shown] of [
    ["[2026-11-24T10:00:00Z]", "[2026-11-24T10:00:00Z]"],
    ["[30/Feb/2026:10:00:00 +0000]", "[30/Feb/2026:10:00:00 +0000]"],
    ["[29/Feb/2025:10:00:00 +0000]", "[29/Feb/2025:10:00:00 +0000]"],
    ["[24/nov/2026:10:00:00 +0000]", "[24/nov/2026:10:00:00 +0000]"],
    ["[24/Nov/2026:10:0x:00 +0000]", "[24/Nov/2026:10:0x:00 +0000]"],
    ["[24/Nov/2026:24:00:00 +0000]", "[24/Nov/2026:24:00:00 +0000]"],
    ["[24/Nov/2026:10:00:00 0530]", "[24/Nov/2026:10:00:00 0530]"],
    ["[24/Nov/2026:10:00:00 +0530 extra]", "[24/Nov/2026:10:00:00 +0530 extra]"],
  ]) {
    assert.equal(reason(`1.2.3.4 - - ${time} "GET / HTTP/1.1" 200 5 "-" "-"`), `the time at column 13 is not [dd/Mon/yyyy:HH:MM:SS ±hhmm]: ${JSON.stringify(shown)}`, time);
  }
  assert.equal(reason("1.2.3.4 2026/11/24 200", "%h %{%Y-%m-%d}t %>s"), 'the time does not match %{%Y-%m-%d}t at column 9: "2026/11/24 200"');
  assert.equal(reason("1.2.3.4 Tue, 24 November 2026 00:00:00 IST", "%h %{%a, %d %B %Y %H:%M:%S %Z}t"), 'the time zone name "IST" has no fixed offset (log %z instead)');
});

test("numbers that are not numbers", () => {
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" abc 5 "-" "-"`), 'status is not a number: "abc"');
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 2000 5 "-" "-"`), 'status is not a three-digit code: "2000"');
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" -200 5 "-" "-"`), 'status is not a number: "-200"');
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 many "-" "-"`), 'bytes (%b) is not a number: "many"');
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 99999999999999999999 "-" "-"`), 'bytes (%b) is not a number: "99999999999999999999"');
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5x`, "common"), 'bytes (%b) is not a number: "5x"');
  assert.equal(reason("1.2.3.4 1.5", "%h %D"), 'duration (%D) is not a number: "1.5"');
  assert.equal(reason("h:http 1.2.3.4", "%v:%p %h"), 'server port (%p) is not a number: "http"');
});

test("quotes: never closed, or text after the closing one", () => {
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1 200 5`), "no closing quote after the request line %r, opened at column 42");
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 "http://cut.example`), "no closing quote after the referrer %{Referer}i, opened at column 65");
  assert.equal(reason(`1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "agent"junk`), "unexpected text after the closing quote of the user agent %{User-Agent}i, opened at column 69");
  assert.equal(reason("1.2.3.4 200x", "%h %>s"), 'status is not a number: "200x"');
  assert.equal(reason('1.2.3.4 "GET / HTTP/1.1"x', '%h "%r"'), "unexpected text after the closing quote of the request line %r, opened at column 9");
  assert.equal(reason("1.2.3.4 (200)x", "%h (%>s)"), 'unexpected text after the last field at column 14: "x"');
});

test("formats that cannot work say so when compiled", () => {
  assert.throws(() => compileLogFormat("%h %Z"), {message: "log format: unsupported directive %Z (not one of Apache mod_log_config's)"});
  assert.throws(() => compileLogFormat("%h%u"), {message: "log format: %h and %u have nothing between them, so they cannot be told apart"});
  assert.throws(() => compileLogFormat("%{%I:%M %p}t %h"), /^Error: log format: %\{%I:%M %p\}t: the time conversion %I is not supported/);
  assert.throws(() => compileLogFormat("%h %{fortnight}T"), {message: "log format: %{fortnight}T: the unit must be s, ms or us"});
  assert.throws(() => compileLogFormat("%h %{Referer"), /cannot read the directive at "%\{Referer"/);
  assert.throws(() => compileLogFormat("%h %>"), /cannot read the directive at "%>"/);
  assert.throws(() => compileLogFormat("no directives"), {message: 'log format "no directives" has no % directives'});
});

test("an unknown format name lists the names there are", () => {
  assert.throws(() => lineParserFor("apache"), {message: 'unknown log format "apache": use one of combined, common, vhost_combined, combinedio, nginx, or an Apache LogFormat string'});
});

test("no input makes any parser throw: a parsed line or a reason", () => {
  const formats = [
    ...Object.keys(NAMED_FORMATS),
    '%h %l %u %t %r %>s %b %{Referer}i %{User-Agent}i %D %T %v %p %I %O',
    '[%t] %h %{SSL_PROTOCOL}x "%r" %b',
    '%h %{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t "%m %U%q %H" %>s',
    "%h\t%u\t%r\t%>s",
  ];
  const parsers = formats.map((format) => lineParserFor(format));
  const alphabet = ['"', "\\", "[", "]", " ", "\t", "-", ":", "/", "x", "0", "9", "+", "%", "?", "\r", "\u00e9", "\ud800", "GET", "HTTP/1.1", "24/Nov/2026:10:00:00 +0000"];
  let seed = 42;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let parsedSome = false;
  for (let i = 0; i < 5000; i++) {
    let line = "";
    for (let n = Math.floor(next() * 40); n > 0; n--) line += alphabet[Math.floor(next() * alphabet.length)];
    for (const parser of parsers) {
      const result = parser.parse(line);
      if (isParseError(result)) assert.ok(result.error.length > 0);
      else {
        parsedSome = true;
        assert.ok(result.ts === null || Number.isFinite(result.ts));
        assert.ok(result.status === null || (Number.isInteger(result.status) && result.status <= 999));
      }
    }
  }
  assert.ok(parsedSome);
});
