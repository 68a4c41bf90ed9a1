// `weblog parse`'s JSON line (data-loaders/cli/event-json.ts) says, byte for byte, what merging the
// event's parts into one object in column order and JSON.stringify would say, only faster: the
// agent's and GeoIP columns come from bytes cached per distinct user agent and client, the line's
// own columns are written value by value, all straight into bytes (cli/output-bytes.ts).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, before, describe, test} from "node:test";
import {createEventJsonEncoder, createIsoTime, jsonValue, type EventEnrichers} from "../../data-loaders/cli/event-json.js";
import {createOutputBytes} from "../../data-loaders/cli/output-bytes.js";
import {bundledGeoLite2City} from "../../data-loaders/enrich/bundled-geolite2.js";
import {openGeoIp, type GeoIp} from "../../data-loaders/enrich/geoip.js";
import {createUserAgentClassifier} from "../../data-loaders/enrich/user-agent.js";
import {EVENT_COLUMNS, type EventOrigin, type GeoFields, type ParsedLine, type UserAgentFields} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";
import {fixtureLines, REAL_LOG} from "../fixtures.js";
import {referenceEventJson as reference} from "../support/event-reference.js";
import {sampleLogLines} from "../support/sample-log-lines.js";
import {PROJECT_DIR} from "../support/sample-site.js";

const NO_ORIGIN: EventOrigin = {ingest_ts: null, log_group: null, log_stream: null, topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: null};

/** Encodes events with `enrichers` and returns each one's line, read back from the output bytes. */
function encoder(enrichers: EventEnrichers, cacheSize?: number) {
  const out = createOutputBytes(4096); // small, so that the tests also cross buffer ends
  const writeEvent = createEventJsonEncoder(out, enrichers, cacheSize === undefined ? {} : {cacheSize}).write;
  return (origin: EventOrigin, line: ParsedLine): string => {
    writeEvent(origin, line);
    return out.take().toString("utf8");
  };
}

test("times are written exactly as Date#toISOString writes them", () => {
  const isoTime = createIsoTime();
  const values = [0, -1, -86_400_001, 1.9, -1.9, 951_782_400_000, 4_102_444_799_999, 8.64e15, -8.64e15, 1_675_092_839_000];
  for (let i = 0; i < 20_000; i++) values.push(Math.floor((Math.random() - 0.3) * 5e12));
  for (const value of values) assert.equal(isoTime(value), new Date(value).toISOString(), String(value));
  assert.equal(isoTime(null), null);
  // Out of Date's range: an error, as toISOString gives.
  assert.throws(() => isoTime(8.64e15 + 86_400_000), RangeError);
});

test("a value is written as JSON.stringify writes it: escapes, Unicode, lone surrogates, numbers", () => {
  const values: unknown[] = [
    null, undefined, true, false, 0, -0, 1, -1, 200, 2326, 1.5, -0.1, 2 ** 53, 1e21, 1e-7, 5e-324, NaN, Infinity, -Infinity,
    "", " ", "plain /index.html?a=1&b=2", 'say "hi"', "back\\slash", "tab\there", "new\nline", "\r", "\u0000\u0001\u001f", "\u007f",
    "é", "naïve café", "日本語", "emoji 😀", "\u2028\u2029", "\ud800", "lone \udc00 low", "\udbff\udfff", "x\ud83d", "~}|{", "\\x22",
  ];
  for (let code = 0; code < 0x3000; code++) values.push(`a${String.fromCharCode(code)}b`);
  // An undefined member is null, as the encoder's `?? null` always made it.
  for (const value of values) assert.equal(jsonValue(value), JSON.stringify({v: value ?? null}).slice(5, -1), JSON.stringify(String(value)));
});

test("an event's line is its parts merged in column order, absent values null", () => {
  const parser = lineParserFor("combined");
  const parsed = parser.parse('81.2.69.142 - frank [24/Nov/2026:05:30:00 +0530] "GET /a?b=1 HTTP/1.1" 200 2326 "https://example.com/" "Mozilla/5.0 \\"quoted\\" \\u00e9"');
  assert.ok(!isParseError(parsed));
  const origin: EventOrigin = {ingest_ts: 1_675_092_839_123, log_group: "g", log_stream: "i-0abc", topic: "t", kafka_partition: 3, kafka_offset: 12_345, s3_key: "topics/t/x.json", event_id: "3195310660696698337880902507980421114328961542429"};
  const agent: UserAgentFields = {browser: "Firefox", browser_version: "120", os: "Linux", device_type: "desktop", is_bot: false, bot_name: null};
  const geo: GeoFields = {country_code: "GB", country: "United Kingdom", subdivision: null, city: "London", latitude: 51.5, longitude: -0.1, time_zone: "Europe/London", asn: 64_512, as_org: "Ünïcode \"AS\""};
  const encode = encoder({classifyUserAgent: () => agent, lookupGeo: () => geo});
  assert.equal(encode(origin, parsed), reference(origin, parsed, agent, geo));
  // A format without a time: ts is null, never the ingestion time (two clocks in one column).
  const timeless = JSON.parse(encode(origin, {...parsed, ts: null}));
  assert.equal(timeless.ts, null);
  assert.equal(timeless.ingest_ts, "2023-01-30T15:33:59.123Z");
  assert.deepEqual(Object.keys(timeless), EVENT_COLUMNS.map((c) => c.name));
});

test("fields the parser leaves undefined are null; line fields win over the origin's, as in the spread", () => {
  const agent: UserAgentFields = {browser: null, browser_version: null, os: null, device_type: null, is_bot: true, bot_name: "Bot \\ \u0001"};
  const geo = {country_code: "FR"} as GeoFields; // the rest undefined
  const encode = encoder({classifyUserAgent: () => agent, lookupGeo: () => geo});
  const line = {ts: 1_700_000_000_000.7, client_ip: "2001:db8::1", url: "/ä?x=\"y\"", status: 404, bytes: 0, s3_key: "from the line"} as unknown as ParsedLine;
  const origin: EventOrigin = {...NO_ORIGIN, s3_key: "from the origin", log_stream: "i-1"};
  assert.equal(encode(origin, line), reference(origin, line, agent, geo));
});

describe("over real lines, with GeoLite2 City and the user-agent classifier", () => {
  let cacheDir: string;
  let geoip: GeoIp;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "weblog-event-json-"));
    geoip = await openGeoIp({city: await bundledGeoLite2City(join(cacheDir, "geoip")), asn: null});
  });
  after(async () => {
    await rm(cacheDir, {recursive: true, force: true});
  });

  /** Each line of `lines` (and, every third, as CloudWatch's record would place it) both ways. */
  function assertSameAsStringify(lines: string[], cacheSize?: number): number {
    const parser = lineParserFor("combined");
    const classifyUserAgent = createUserAgentClassifier();
    const encode = encoder({classifyUserAgent, lookupGeo: geoip.lookup}, cacheSize);
    let events = 0;
    lines.forEach((text, i) => {
      const parsed = parser.parse(text);
      if (isParseError(parsed)) return;
      const origin: EventOrigin = i % 3 === 0 ? {...NO_ORIGIN, ingest_ts: 1_432_000_000_000 + i, log_group: "cloudwatchLogsEC2", log_stream: `i-${i % 7}`} : NO_ORIGIN;
      // Twice: the first time the agent's and client's JSON is made, the second it is the cached bytes.
      for (let round = 0; round < 2; round++) {
        const expected = reference(origin, parsed, classifyUserAgent(parsed.user_agent), geoip.lookup(parsed.client_ip));
        assert.equal(encode(origin, parsed), expected, `line ${i + 1}: ${text}`);
      }
      events++;
    });
    return events;
  }

  test("the 10,000 real lines of test/fixtures", () => {
    assert.equal(assertSameAsStringify(fixtureLines(REAL_LOG)), 10_000);
  });

  test("the sample's lines (scanners, bad bytes, odd agents), and with a cache too small to keep them", () => {
    const lines = sampleLogLines();
    // The Combined instances' events: sampleLogLines leaves out the instances of other formats.
    const {instances} = JSON.parse(readFileSync(join(PROJECT_DIR, "sample/expected.json"), "utf8")) as {instances: {events: number; format?: string}[]};
    const events = instances.filter((i) => i.format === undefined).reduce((n, i) => n + i.events, 0);
    assert.equal(assertSameAsStringify(lines), events);
    assert.equal(assertSameAsStringify(lines, 2), events);
    assert.equal(assertSameAsStringify(lines, 0), events);
  });

  test("escapes, Unicode and lone surrogates in every text column, and agents too long to cache", () => {
    const odd = ['"quoted"', "back\\slash", "tab\tand\u0001", "é ü 日本 😀", "\ud800 lone", "\u2028", "\u007f"];
    const lines = odd.flatMap((text, i) => {
      const field = JSON.stringify(text).slice(1, -1).replace(/\\u([0-9a-f]{4})/g, "\\x$1"); // Apache's own escapes
      return [
        `81.2.69.${i} - ${text.replace(/\s/g, "_")} [24/Nov/2026:05:30:0${i} +0000] "GET /p${field}?q=${field} HTTP/1.1" 200 ${i} "https://x${i}.example/${field}" "Mozilla/5.0 ${field}"`,
        `2a03:2880:f1${i}::1 - - [24/Nov/2026:05:30:00 -0800] "POST /${i} HTTP/2.0" 500 - "-" "${"A".repeat(600)}${field}"`,
        `10.0.0.${i} - - [24/Nov/2026:05:30:00 +0100] "GET / HTTP/1.0" 304 - "-" "-"`,
      ];
    });
    assert.equal(assertSameAsStringify(lines), lines.length);
  });
});

test("JSON one encoder made and another learned (the command's threads) is the same bytes, and the learner never asks its enrichers for those values", async () => {
  const cacheDir = await mkdtemp(join(tmpdir(), "weblog-event-json-learn-"));
  try {
    const geoip = await openGeoIp({city: await bundledGeoLite2City(join(cacheDir, "geoip")), asn: null});
    const parser = lineParserFor("combined");
    const lines = [...fixtureLines(REAL_LOG), ...sampleLogLines()].map((text) => parser.parse(text)).filter((line): line is ParsedLine => !isParseError(line));
    const classifyUserAgent = createUserAgentClassifier();
    const maker = createEventJsonEncoder(createOutputBytes(4096), {classifyUserAgent, lookupGeo: geoip.lookup}, {share: true});
    // The first half of the lines is what one thread met; the learner is given what it made, packed as it crosses threads.
    const half = lines.slice(0, lines.length >> 1);
    for (const line of half) maker.write(NO_ORIGIN, line);
    const learned = maker.takeLearned();
    assert.ok(learned.agent.keys.length > 100 && learned.geo.keys.length > 500, `${learned.agent.keys.length} agents, ${learned.geo.keys.length} clients`);
    assert.equal(maker.takeLearned().geo.keys.length, 0, "taken once");
    const asked = new Set<string | null>();
    const out = createOutputBytes(4096);
    const learner = createEventJsonEncoder(out, {
      classifyUserAgent: (agent) => (asked.add(agent), classifyUserAgent(agent)),
      lookupGeo: (ip) => (asked.add(ip), geoip.lookup(ip)),
    }, {share: true});
    learner.learn(structuredClone(learned));
    for (const line of lines) {
      learner.write(NO_ORIGIN, line);
      assert.equal(out.take().toString("utf8"), reference(NO_ORIGIN, line, classifyUserAgent(line.user_agent), geoip.lookup(line.client_ip)));
    }
    const learnedValues = new Set([...learned.agent.keys, ...learned.geo.keys]);
    assert.deepEqual([...asked].filter((value) => learnedValues.has(value!)), [], "learned values are not made again");
    // What the learner made itself is only what the maker never met.
    const madeHere = learner.takeLearned();
    for (const key of [...madeHere.agent.keys, ...madeHere.geo.keys]) assert.ok(!learnedValues.has(key), key);
    assert.ok(madeHere.geo.keys.length > 0);
  } finally {
    await rm(cacheDir, {recursive: true, force: true});
  }
});

test("without share an encoder keeps nothing for others", () => {
  const encoder = createEventJsonEncoder(createOutputBytes(4096), {classifyUserAgent: createUserAgentClassifier(), lookupGeo: () => ({}) as GeoFields});
  const parsed = lineParserFor("combined").parse(fixtureLines(REAL_LOG)[0]);
  assert.ok(!isParseError(parsed));
  encoder.write(NO_ORIGIN, parsed);
  const learned = encoder.takeLearned();
  assert.equal(learned.agent.keys.length + learned.geo.keys.length, 0);
});

test("taken bytes are never written over, however much is written after them", () => {
  const out = createOutputBytes(64);
  out.text("first");
  const first = out.take();
  out.text("é".repeat(100)); // past the buffer's end: a new one
  out.raw(Buffer.from("raw"));
  out.newline();
  const second = out.take();
  out.text("x".repeat(1000));
  assert.equal(first.toString(), "first");
  assert.equal(second.toString(), `${"é".repeat(100)}raw\n`);
  assert.equal(out.take().toString(), "x".repeat(1000));
  assert.equal(out.take().length, 0);
});
