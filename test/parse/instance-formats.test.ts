import assert from "node:assert/strict";
import {test} from "node:test";
import {configuredInstanceParsers} from "../../data-loaders/parse/instance-formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";

const COMBINED = '203.0.113.9 - - [21/Apr/2023:00:19:45 +0000] "GET /a HTTP/1.1" 200 512 "-" "curl/8.0"';
const WITH_D = `${COMBINED} 48213`;
const VHOST = 'shop.example.com:443 203.0.113.9 - - [21/Apr/2023:00:19:45 +0000] "GET /a HTTP/1.1" 200 512 "-" "curl/8.0"';
const D_FORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D';

test("each instance's lines are read with its own format; other instances with logFormat", () => {
  const parsers = configuredInstanceParsers({
    logFormat: "combined",
    timeZone: null,
    logFormats: [
      {logGroup: "apiApp", logStream: null, format: D_FORMAT},
      {logGroup: null, logStream: "i-0vhost", format: "vhost_combined"},
    ],
  });
  const api = parsers.parserFor("apiApp", "i-0api").parse(WITH_D);
  assert.ok(!isParseError(api) && api.duration_us === 48213);
  const vhost = parsers.parserFor("webEC2", "i-0vhost").parse(VHOST);
  assert.ok(!isParseError(vhost) && vhost.vhost === "shop.example.com");
  const other = parsers.parserFor("webEC2", "i-0web").parse(COMBINED);
  assert.ok(!isParseError(other) && other.duration_us === null);
  // The other instances' format does not read the API's lines: rejected, never misread.
  assert.ok(isParseError(parsers.parserFor("webEC2", "i-0web").parse(VHOST)));
  // Unknown group and stream (a value without them, a topic that names neither): logFormat.
  assert.equal(parsers.parserFor(null, null).format, parsers.parserFor("webEC2", "i-0web").format);
});

test("the most specific rule wins whatever the order: group and stream, then stream, then group", () => {
  const parsers = configuredInstanceParsers({
    logFormat: "common",
    timeZone: null,
    logFormats: [
      {logGroup: "g", logStream: null, format: "combined"},
      {logGroup: null, logStream: "s", format: "vhost_combined"},
      {logGroup: "g", logStream: "s", format: D_FORMAT},
    ],
  });
  assert.equal(parsers.parserFor("g", "s").format, D_FORMAT);
  assert.match(parsers.parserFor("other", "s").format, /^%v:%p /);
  assert.match(parsers.parserFor("g", "t").format, /"%\{User-Agent\}i"$/);
  assert.equal(parsers.parserFor("other", "t").format, '%h %l %u %t "%r" %>s %b');
  // Asked again after another instance, the answer is the same (the last-answer memo is keyed right).
  assert.equal(parsers.parserFor("g", "s").format, D_FORMAT);
});
