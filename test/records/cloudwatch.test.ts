// Every record shape the S3 sink writes (docs/design-notes.md, What the connectors write), and the topic fallback.
import assert from "node:assert/strict";
import {test} from "node:test";
import {decodeSinkRecord, SinkRecordReader} from "../../data-loaders/records/cloudwatch.js";
import {seededRandom} from "../../src/components/seeded-random.js";
import {splitTopicName} from "../../data-loaders/records/topic-name.js";

const line = '1.2.3.4 - - [14/May/2023:16:32:17 +0530] "GET / HTTP/1.1" 200 1 "-" "-"';

test("a plain object: message, log group, stream and event time", () => {
  const record = decodeSinkRecord(JSON.stringify({logGroupName: "cloudwatchLogsEC2", logStreamName: "i-02e3ca004943e0f26", timestamp: 1684062137400, message: line}));
  assert.deepEqual(record, {message: line, log_group: "cloudwatchLogsEC2", log_stream: "i-02e3ca004943e0f26", ingest_ts: 1684062137400});
});

test("other spellings of the fields, and an ISO time", () => {
  const record = decodeSinkRecord(JSON.stringify({logGroup: "g", logStream: "s", ingestionTime: "2023-05-14T11:02:17.400Z", message: line}));
  assert.deepEqual(record, {message: line, log_group: "g", log_stream: "s", ingest_ts: Date.parse("2023-05-14T11:02:17.400Z")});
});

test("a Connect envelope around the object, and around a string", () => {
  const schema = {type: "struct", fields: [{field: "message", type: "string"}]};
  const wrapped = decodeSinkRecord(JSON.stringify({schema, payload: {message: line, logStreamName: "i-1", timestamp: 5}}));
  assert.deepEqual(wrapped, {message: line, log_group: null, log_stream: "i-1", ingest_ts: 5});
  const wrappedString = decodeSinkRecord(JSON.stringify({schema: {type: "string"}, payload: line}));
  assert.deepEqual(wrappedString, {message: line, log_group: null, log_stream: null, ingest_ts: null});
});

test("a bare JSON string", () => {
  assert.deepEqual(decodeSinkRecord(JSON.stringify(line)), {message: line, log_group: null, log_stream: null, ingest_ts: null});
});

test("records that cannot be read say why", () => {
  assert.match((decodeSinkRecord('{"message": "cut sh') as {error: string}).error, /not valid JSON/);
  assert.match((decodeSinkRecord('{"msg": "x"}') as {error: string}).error, /no "message" field/);
  assert.match((decodeSinkRecord('{"message": 42}') as {error: string}).error, /must be a string/);
  assert.match((decodeSinkRecord("[1,2]") as {error: string}).error, /object or a string/);
  assert.match((decodeSinkRecord("null") as {error: string}).error, /found null/);
});

test("topic names split at the last dot: groups may hold dots, streams do not", () => {
  assert.deepEqual(splitTopicName("cloudwatchLogsEC2.i-02e3ca004943e0f26"), {log_group: "cloudwatchLogsEC2", log_stream: "i-02e3ca004943e0f26"});
  assert.deepEqual(splitTopicName("prod.web.access.i-0abc"), {log_group: "prod.web.access", log_stream: "i-0abc"});
  assert.deepEqual(splitTopicName("nodots"), {log_group: "nodots", log_stream: null});
  assert.deepEqual(splitTopicName("trailing."), {log_group: "trailing.", log_stream: null});
});

/** Each line read by one object's SinkRecordReader, in order, and by decodeSinkRecord alone. */
function readBothWays(lines: readonly string[]) {
  const reader = new SinkRecordReader();
  return {byReader: lines.map((l) => reader.read(l)), alone: lines.map((l) => decodeSinkRecord(l))};
}

const compact = (time: number | string, message: string, stream = "i-0abc") => JSON.stringify({logGroupName: "web", logStreamName: stream, timestamp: time, message});

test("an object's records read by its first record's text give what each record gives alone, and only their message is parsed", () => {
  const messages = [line, 'ü "quoted" \\ back\\slash', "tab\tand \u0001", '"}', "", "x".repeat(300)];
  const plain = messages.map((message, i) => compact(1735689600000 + i, message));
  const parsed: string[] = [];
  const realParse = JSON.parse;
  JSON.parse = ((text: string, ...rest: []) => (parsed.push(text), realParse(text, ...rest))) as typeof JSON.parse;
  let both;
  try {
    both = readBothWays(plain);
  } finally {
    JSON.parse = realParse;
  }
  assert.deepEqual(both.byReader, both.alone);
  // The first record whole; the rest by their message alone.
  assert.equal(parsed.length, plain.length * 2);
  assert.deepEqual(parsed.slice(0, plain.length).filter((text) => text.startsWith("{")), [plain[0]]);
});

test("records unlike the first are parsed whole: another stream, odd times, other fields, other shapes, broken JSON", () => {
  const first = compact(1735689600000, line);
  const tricky = [
    compact(1735689600001, line, "i-0other"),
    compact(1735689600001, line).replace('"timestamp":1735689600001', '"timestamp":01735689600001'),
    compact(1735689600001, line).replace('"timestamp":1735689600001', '"timestamp":0'),
    compact(1735689600001, line).replace('"timestamp":1735689600001', '"timestamp":1735689600001234'),
    // Past 2^53: read digit by digit, it would round otherwise than JSON.parse.
    compact(1735689600001, line).replace('"timestamp":1735689600001', '"timestamp":190513342872396912'),
    compact(1735689600001, line).replace('"timestamp":1735689600001', '"timestamp":1735689600001.5'),
    compact(1735689600001, line).replace('"timestamp":1735689600001', '"timestamp":1e12'),
    compact(1735689600001, line).replace('"timestamp":1735689600001', '"timestamp":-5'),
    compact("1735689600001", line),
    compact(1735689600001, line).replace('"message":', '"message": '),
    compact(1735689600001, line).replace(/}$/, " }"),
    compact(1735689600001, line).replace(/}$/, "}}"),
    compact(1735689600001, line).replace(/}$/, ',"message":"second"}'),
    compact(1735689600001, line).replace(/}$/, ',"extra":1}'),
    compact(1735689600001, line).replace(/"}$/, '" , "x"}'),
    compact(1735689600001, line).replace(/"}$/, "'}"),
    JSON.stringify({logGroupName: "web", logStreamName: "i-0abc", timestamp: 1735689600001, message: 42}),
    JSON.stringify({logGroupName: "web", logStreamName: "i-0abc", timestamp: 1735689600001, message: null}),
    JSON.stringify({logGroupName: "web", logStreamName: "i-0abc", timestamp: 1735689600001, message: {line}}),
    JSON.stringify({logStreamName: "i-0abc", logGroupName: "web", timestamp: 1735689600001, message: line}),
    JSON.stringify({schema: {type: "string"}, payload: line}),
    JSON.stringify(line),
    '{"logGroupName":"web","logStreamName":"i-0abc","timestamp":1735689600001,"message":"cut',
    compact(1735689600002, line),
  ];
  const both = readBothWays([first, ...tricky]);
  assert.deepEqual(both.byReader, both.alone);
  // A first record that is not compact, or whose message is not last, makes no template: the rest read whole, the same.
  // First records of other kinds: written with spaces, the message not last, two times, a time
  // not next to the message, a Connect envelope with fields beside it. The records after them
  // (the plain one, and each kind again with another time and message) read the same.
  const others = [
    (time: number, message: string) => compact(time, message).replace('"message":', '"message": ').replace('"web"', ' "web"'),
    (time: number, message: string) => JSON.stringify({message, timestamp: time, logGroupName: "web"}),
    (time: number, message: string) => JSON.stringify({timestamp: time, ingestionTime: time + 1, message}),
    (time: number, message: string) => JSON.stringify({timestamp: 1735689600000, sequence: time, message}),
    (time: number, message: string) => JSON.stringify({timestamp: 1735689600000, ingestionTime: time, message}),
    (time: number, message: string) => JSON.stringify({schema: {type: "string"}, payload: "the payload's", timestamp: time, message}),
  ];
  for (const other of others) {
    const again = readBothWays([other(1735689600000, line), compact(1735689600003, line), other(1735689600004, `${line} again`)]);
    assert.deepEqual(again.byReader, again.alone);
  }
});

test("records mutated at random read the same by an object's reader as alone", () => {
  const next = seededRandom(Number(process.env.FUZZ_SEED ?? 20261208));
  const alphabet = '0123456789,:{}"\\ .e-ax';
  for (let round = 0; round < 300; round++) {
    const lines = Array.from({length: 12}, (_, i) => {
      const record = compact(1735689600000 + i * 997, i % 3 === 0 ? line : `${line} #${i}`);
      if (i === 0 || next() < 0.5) return record;
      const at = Math.floor(next() * (record.length + 1));
      const char = alphabet[Math.floor(next() * alphabet.length)];
      const kind = next();
      return kind < 0.33 ? record.slice(0, at) + char + record.slice(at + 1) : kind < 0.66 ? record.slice(0, at) + record.slice(at + 1) : record.slice(0, at) + char + record.slice(at);
    });
    const both = readBothWays(lines);
    assert.deepEqual(both.byReader, both.alone, lines.join("\n"));
  }
});
