// `npx weblog parse` run as a user runs it: a child process, lines on stdin, JSON lines on stdout.
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {join} from "node:path";
import {test} from "node:test";
import {openGeoIp} from "../../data-loaders/enrich/geoip.js";
import {createUserAgentClassifier} from "../../data-loaders/enrich/user-agent.js";
import {EVENT_COLUMNS, type EventOrigin} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";
import {fixtureLines, MAXMIND_TEST_DIR, REAL_LOG} from "../fixtures.js";
import {referenceEventJson} from "../support/event-reference.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const CITY_TEST_DB = join(MAXMIND_TEST_DIR, "GeoLite2-City-Test.mmdb");

function weblog(args: string[], input: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), ...args], {cwd: PROJECT_DIR, input, encoding: "utf8", env: {...process.env, WEBLOG_CONFIG: "", WEBLOG_TIME_ZONE: "", ...env}, maxBuffer: 1 << 28});
  return {status: run.status, stderr: run.stderr, stdout: run.stdout, lines: run.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))};
}

const combined =
  '81.2.69.142 - frank [24/Nov/2026:05:30:00 +0530] "GET /docs/index.html?lang=en HTTP/1.1" 200 2326 "https://example.com/start" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"';

test("one JSON object per input line, columns in contract order, errors in place, exit 0", () => {
  const record = JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: "i-02e3ca004943e0f26", timestamp: Date.parse("2026-12-01T06:00:01Z"), message: combined});
  const run = weblog(["parse", "--geoip", CITY_TEST_DB], [combined, "this is not an access log line", record, ""].join("\n") + "\n");
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.lines.length, 4);

  const [event, error, fromRecord, blank] = run.lines;
  assert.deepEqual(Object.keys(event), EVENT_COLUMNS.map((c) => c.name));
  assert.equal(event.ts, "2026-11-24T00:00:00.000Z");
  assert.equal(event.client_ip, "81.2.69.142");
  assert.equal(event.ident, null);
  assert.equal(event.auth_user, "frank");
  assert.equal(event.url, "/docs/index.html?lang=en");
  assert.equal(event.path, "/docs/index.html");
  assert.equal(event.query, "lang=en");
  assert.equal(event.status, 200);
  assert.equal(event.bytes, 2326);
  assert.equal(event.referrer_host, "example.com");
  assert.equal(event.browser, "Firefox");
  assert.equal(event.is_bot, false);
  // From MaxMind's test database: 81.2.69.142 is in London.
  assert.equal(event.city, "London");
  assert.equal(event.country_code, "GB");

  assert.equal(error.line, 2);
  assert.equal(typeof error.error, "string");
  assert.ok(error.error.length > 0);

  assert.equal(fromRecord.log_stream, "i-02e3ca004943e0f26");
  assert.equal(fromRecord.log_group, "cloudwatchLogsEC2");
  assert.equal(fromRecord.ingest_ts, "2026-12-01T06:00:01.000Z");
  assert.equal(fromRecord.url, event.url);

  assert.equal(blank.line, 4, "an empty line is an error in its place, not skipped");
});

test("the output is, byte for byte, JSON.stringify of each merged event: real lines, sink records, bad lines, many chunks", async () => {
  const real = fixtureLines(REAL_LOG);
  const records = real.slice(0, 500).map((message, i) => JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: `i-0${i % 3}`, timestamp: 1_432_000_000_000 + i, message}));
  const odd = ['81.2.69.142 - - [24/Nov/2026:05:30:00 +0000] "GET /é?q=\\x22 HTTP/1.1" 200 1 "-" "Mozilla/5.0 😀 \\"q\\""', "", "not a log line", '{"broken'];
  const input = [...real, ...records, ...odd, ...real].join("\n") + "\n";
  const run = weblog(["parse", "--geoip", CITY_TEST_DB], input);
  assert.equal(run.status, 0, run.stderr);

  const parser = lineParserFor("combined");
  const classifyUserAgent = createUserAgentClassifier();
  const geoip = await openGeoIp({city: CITY_TEST_DB, asn: null});
  const noOrigin: EventOrigin = {ingest_ts: null, log_group: null, log_stream: null, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null};
  const expected = input.split("\n").slice(0, -1).map((text, i) => {
    let line = text;
    let origin = noOrigin;
    if (text.startsWith("{")) {
      const record = JSON.parse(text.startsWith('{"broken') ? "null" : text);
      if (record === null) return null; // a record that does not decode: an error line, checked below
      line = record.message;
      origin = {...noOrigin, ingest_ts: record.timestamp, log_group: record.logGroupName, log_stream: record.logStreamName};
    }
    const parsed = parser.parse(line);
    return isParseError(parsed) ? JSON.stringify({error: parsed.error, line: i + 1}) : referenceEventJson(origin, parsed, classifyUserAgent(parsed.user_agent), geoip.lookup(parsed.client_ip));
  });
  const printed = run.stdout.split("\n");
  assert.equal(printed.pop(), "", "every line ends with a line break");
  assert.equal(printed.length, expected.length);
  expected.forEach((line, i) => {
    if (line === null) assert.match(printed[i], new RegExp(`^\\{"error":"record: .*","line":${i + 1}\\}$`));
    else assert.equal(printed[i], line, `line ${i + 1}`);
  });
  assert.ok(Buffer.byteLength(run.stdout) > 4 << 20, "more than one output buffer's worth");
});

test("--format picks the log format: Common has no referrer or agent", () => {
  const run = weblog(["parse", "--format", "common"], '::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209\n');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.lines[0].ts, "2016-12-26T14:16:29.000Z");
  assert.equal(run.lines[0].client_ip, "::1");
  assert.equal(run.lines[0].user_agent, null);
  assert.equal(run.lines[0].country, null);
});

test("a LogFormat string works as --format", () => {
  const run = weblog(["parse", "--format", '%h %l %u %t "%r" %>s %b %D'], '10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "POST /api HTTP/2.0" 201 17 1234\n');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.lines[0].method, "POST");
  assert.equal(run.lines[0].duration_us, 1234);
});

test("an unknown format is a usage error, exit 2, with the names to choose from", () => {
  const run = weblog(["parse", "--format", "apache-ish"], "");
  assert.equal(run.status, 2);
  assert.match(run.stderr, /combined/);
});

test("sync against a bucket that does not exist: one line naming it, exit 1", () => {
  const run = spawnSync(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), "sync"], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
    env: {...process.env, WEBLOG_BUCKET: "no-such-bucket", WEBLOG_S3_ENDPOINT: "http://127.0.0.1:9", WEBLOG_STORE: join(PROJECT_DIR, ".cache/cli-store"), AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y"},
  });
  assert.equal(run.status, 1);
  const lines = run.stderr.split("\n").filter((l) => l.startsWith("weblog sync:"));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /s3:\/\/no-such-bucket\/topics\/: cannot reach http:\/\/127\.0\.0\.1:9/);
  assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
});

const LOCAL_TIME_FORMAT = '%h %l %u [%{%d/%b/%Y:%H:%M:%S}t] "%r" %>s %b';
const localLine = '81.2.69.142 - - [29/Mar/2026:03:30:00] "GET / HTTP/1.1" 200 5';

test("a format logging local time: refused at start without WEBLOG_TIME_ZONE, read in the zone with it", () => {
  const refused = weblog(["parse", "--format", LOCAL_TIME_FORMAT], localLine + "\n");
  assert.equal(refused.status, 2);
  assert.deepEqual(refused.lines, [], "nothing parsed line by line");
  assert.match(refused.stderr, /^weblog parse: --format: log format: %\{%d\/%b\/%Y:%H:%M:%S\}t writes the servers' local time with no UTC offset; set "timeZone" in weblog.config.json \(or WEBLOG_TIME_ZONE\)/);

  const read = weblog(["parse", "--format", LOCAL_TIME_FORMAT, "--geoip", CITY_TEST_DB], localLine + "\n", {WEBLOG_TIME_ZONE: "Europe/Berlin"});
  assert.equal(read.status, 0, read.stderr);
  assert.equal(read.lines[0].ts, "2026-03-29T01:30:00.000Z", "03:30 summer time in Berlin");

  const badZone = weblog(["parse", "--format", LOCAL_TIME_FORMAT], localLine + "\n", {WEBLOG_TIME_ZONE: "Europe/Berlinn"});
  assert.equal(badZone.status, 1);
  assert.match(badZone.stderr, /WEBLOG_TIME_ZONE must be an IANA time zone name such as "Europe\/Berlin", "America\/New_York" or "UTC", found "Europe\/Berlinn"/);
});

test("a format with no time at all: ts is null, never CloudWatch's ingestion time, which stays in ingest_ts", () => {
  const record = JSON.stringify({logGroupName: "g", logStreamName: "i-1", timestamp: Date.parse("2026-12-01T06:00:01Z"), message: '81.2.69.142 "GET / HTTP/1.1" 200'});
  const run = weblog(["parse", "--format", '%h "%r" %>s', "--geoip", CITY_TEST_DB], record + "\n");
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.lines[0].ts, null);
  assert.equal(run.lines[0].ingest_ts, "2026-12-01T06:00:01.000Z");
});

test("sync with a local-time format and no time zone stops before listing the bucket, naming the setting", () => {
  const run = spawnSync(process.execPath, [join(PROJECT_DIR, "bin/weblog.js"), "sync"], {
    cwd: PROJECT_DIR,
    encoding: "utf8",
    env: {
      ...process.env, WEBLOG_CONFIG: "", WEBLOG_TIME_ZONE: "", WEBLOG_LOG_FORMAT: LOCAL_TIME_FORMAT, WEBLOG_BUCKET: "no-such-bucket",
      WEBLOG_S3_ENDPOINT: "http://127.0.0.1:9", WEBLOG_STORE: join(PROJECT_DIR, ".cache/cli-store"), AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y",
    },
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^weblog sync: logFormat: log format: %\{%d\/%b\/%Y:%H:%M:%S\}t writes the servers' local time with no UTC offset; set "timeZone"/m);
  assert.doesNotMatch(run.stderr, /no-such-bucket|cannot reach/, "refused before the bucket is asked");
});
