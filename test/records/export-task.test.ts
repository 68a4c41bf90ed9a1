// Export-task objects: one event per line, an ISO-8601 UTC timestamp, a space, the message.
import assert from "node:assert/strict";
import {test} from "node:test";
import {exportTaskLogEvents} from "../../data-loaders/records/export-task.js";

const message = '203.0.113.9 - - [14/May/2023:15:35:03 +0530] "GET / HTTP/1.1" 200 10 "-" "curl/8"';

test("each line gives its timestamp and message; the group and stream come from the caller", () => {
  const text = `2023-05-14T10:05:03.412Z ${message}\n2023-05-14T10:05:04Z ${message} 2\n`;
  const items = [...exportTaskLogEvents(text, {logGroup: "cloudwatchLogsEC2", logStream: "i-0a"})];
  assert.deepEqual(items, [
    {kind: "event", id: null, timestamp: Date.parse("2023-05-14T10:05:03.412Z"), message, logGroup: "cloudwatchLogsEC2", logStream: "i-0a", position: 1},
    {kind: "event", id: null, timestamp: Date.parse("2023-05-14T10:05:04Z"), message: `${message} 2`, logGroup: "cloudwatchLogsEC2", logStream: "i-0a", position: 2},
  ]);
});

test("a line without the timestamp, or with bytes that were not UTF-8, is unreadable with its line number; blank lines are nothing", () => {
  const text = `2023-05-14T10:05:03.412Z ${message}\n\ncontinued part of a message\n2023-05-14 10:05:03 ${message}\r\n2023-05-14T10:05:05.000Z bad \uFFFD\n`;
  const items = [...exportTaskLogEvents(text, {logGroup: null, logStream: "s"}, new Set([5]))];
  assert.deepEqual(items.map((i) => [i.kind, i.position, i.kind === "unreadable" ? i.reason : ""]), [
    ["event", 1, ""],
    ["unreadable", 3, "line: no ISO-8601 UTC timestamp before the message"],
    ["unreadable", 4, "line: no ISO-8601 UTC timestamp before the message"],
    ["unreadable", 5, "line: not valid UTF-8"],
  ]);
});
