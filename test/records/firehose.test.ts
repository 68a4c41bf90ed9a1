// Firehose objects: concatenated CloudWatch Logs subscription documents with no delimiter, cut
// apart by braces outside strings; control messages, bad documents and a cut-short end.
import assert from "node:assert/strict";
import {test} from "node:test";
import {documentEnd, firehoseLogEvents} from "../../data-loaders/records/firehose.js";
import type {LogEventItem} from "../../data-loaders/records/log-event.js";

const line = (n: number) => `1.2.3.${n} - - [14/May/2023:16:32:17 +0530] "GET /{a}?q=\\"}{\\" HTTP/1.1" 200 ${n} "-" "curl/8 {x}"`;
const data = (stream: string, ids: number[]) =>
  JSON.stringify({
    messageType: "DATA_MESSAGE",
    owner: "111111111111",
    logGroup: "cloudwatchLogsEC2",
    logStream: stream,
    subscriptionFilters: ["to-firehose"],
    logEvents: ids.map((n) => ({id: `3195310660696698337880902507980421114328961542429822${String(n).padStart(4, "0")}`, timestamp: 1684062137000 + n, message: line(n)})),
  });
const control = JSON.stringify({messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "", subscriptionFilters: [], logEvents: [{id: "", timestamp: 1684062137000, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]});

const events = (items: LogEventItem[]) => items.filter((i) => i.kind === "event");
const unreadable = (items: LogEventItem[]) => items.filter((i) => i.kind === "unreadable");

test("documents written one after another are read one by one, braces and quotes inside messages included", () => {
  const items = [...firehoseLogEvents(data("i-a", [1, 2]) + data("i-b", [3]) + control + data("i-a", [4]))];
  assert.deepEqual(
    events(items).map((e) => e.kind === "event" && [e.logStream, e.message, e.position, e.timestamp]),
    [
      ["i-a", line(1), 1, 1684062137001],
      ["i-a", line(2), 1, 1684062137002],
      ["i-b", line(3), 2, 1684062137003],
      ["i-a", line(4), 4, 1684062137004],
    ],
  );
  assert.deepEqual(items.filter((i) => i.kind === "control"), [{kind: "control", position: 3}]);
  assert.equal(unreadable(items).length, 0);
});

test("a message holding the text of another document does not split its own", () => {
  const tricky = JSON.stringify({messageType: "DATA_MESSAGE", logGroup: "g", logStream: "s", logEvents: [{id: "1", timestamp: 1, message: `x"}{"messageType":"DATA_MESSAGE"} \\" \\\\`}]});
  assert.equal(documentEnd(tricky + data("s", [5]), 0), tricky.length);
  const items = [...firehoseLogEvents(tricky + data("s", [5]))];
  assert.equal(events(items).length, 2);
});

test("a bad document is reported with its number and position; the documents around it load", () => {
  const bad = '{"messageType":"DATA_MESSAGE","logEvents":[{"id":"9","timestamp":1,"message":"ok"},]}';
  const items = [...firehoseLogEvents(data("s", [1]) + bad + data("s", [2]) + '{"messageType":"DATA_MESSAGE","logEvents":[{"id":"7","message":"no time"}]}')];
  assert.deepEqual(events(items).map((e) => e.kind === "event" && e.message), [line(1), line(2)]);
  const rejected = unreadable(items);
  assert.equal(rejected.length, 2);
  assert.match(rejected[0].kind === "unreadable" ? rejected[0].reason : "", /^document: not valid JSON/);
  assert.equal(rejected[0].position, 2);
  assert.match(rejected[1].kind === "unreadable" ? rejected[1].reason : "", /^log event: no numeric "timestamp" \(event 1 of the document\)/);
});

test("text cut short ends with one unreadable document saying so; bytes that are not a document are reported", () => {
  const whole = data("s", [1]);
  const cut = data("s", [2, 3]);
  const items = [...firehoseLogEvents(`garbage ${whole}${cut.slice(0, cut.length - 30)}`)];
  assert.deepEqual(items.map((i) => [i.kind, i.position]), [["unreadable", 1], ["event", 2], ["unreadable", 3]]);
  assert.match(items[0].kind === "unreadable" ? items[0].reason : "", /not a JSON document/);
  assert.match(items[2].kind === "unreadable" ? items[2].reason : "", /^document: cut short/);
});

test("a document that is valid JSON but not a DATA_MESSAGE is unreadable, not skipped", () => {
  const items = [...firehoseLogEvents(JSON.stringify({hello: "world"}))];
  assert.match(items[0].kind === "unreadable" ? items[0].reason : "", /not a CloudWatch Logs DATA_MESSAGE with logEvents \(no messageType\)/);
});
