// `weblog parse`'s JSON line (data-loaders/cli/event-json.ts) says what merging the event's parts
// into one object in column order and JSON.stringify would say, only faster.
import assert from "node:assert/strict";
import {test} from "node:test";
import {createEventJsonEncoder, createIsoTime} from "../../data-loaders/cli/event-json.js";
import {EVENT_COLUMNS, type EventOrigin, type GeoFields, type UserAgentFields} from "../../data-loaders/event.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {isParseError} from "../../data-loaders/parse/log-format.js";

test("times are written exactly as Date#toISOString writes them", () => {
  const isoTime = createIsoTime();
  const values = [0, -1, -86_400_001, 1.9, -1.9, 951_782_400_000, 4_102_444_799_999, 8.64e15, -8.64e15, 1_675_092_839_000];
  for (let i = 0; i < 20_000; i++) values.push(Math.floor((Math.random() - 0.3) * 5e12));
  for (const value of values) assert.equal(isoTime(value), new Date(value).toISOString(), String(value));
  assert.equal(isoTime(null), null);
  // Out of Date's range: an error, as toISOString gives.
  assert.throws(() => isoTime(8.64e15 + 86_400_000), RangeError);
});

test("an event's line is its parts merged in column order, absent values null", () => {
  const encode = createEventJsonEncoder();
  const parser = lineParserFor("combined");
  const parsed = parser.parse('81.2.69.142 - frank [24/Nov/2026:05:30:00 +0530] "GET /a?b=1 HTTP/1.1" 200 2326 "https://example.com/" "Mozilla/5.0 \\"quoted\\" \\u00e9"');
  assert.ok(!isParseError(parsed));
  const origin: EventOrigin = {ingest_ts: 1_675_092_839_123, log_group: "g", log_stream: "i-0abc", topic: null, kafka_partition: null, kafka_offset: null, s3_key: null, event_id: "3195310660696698337880902507980421114328961542429"};
  const agent: UserAgentFields = {browser: "Firefox", browser_version: "120", os: "Linux", device_type: "desktop", is_bot: false, bot_name: null};
  const geo: GeoFields = {country_code: "GB", country: "United Kingdom", subdivision: null, city: "London", latitude: 51.5, longitude: -0.1, time_zone: "Europe/London", asn: null, as_org: null};
  const merged: Record<string, unknown> = {...origin, ...parsed, ...agent, ...geo};
  const expected: Record<string, unknown> = {};
  for (const {name, type} of EVENT_COLUMNS) {
    const value = merged[name];
    expected[name] = type === "TIMESTAMP" && typeof value === "number" ? new Date(value).toISOString() : (value ?? null);
  }
  assert.equal(encode(origin, {...parsed}, agent, geo), JSON.stringify(expected));
  // A format without a time: ts is null, never the ingestion time (two clocks in one column).
  const timeless = JSON.parse(encode(origin, {...parsed, ts: null}, agent, geo));
  assert.equal(timeless.ts, null);
  assert.equal(timeless.ingest_ts, "2023-01-30T15:33:59.123Z");
});
