// Every record shape the S3 sink writes (docs/design-notes.md, What the connectors write), and the topic fallback.
import assert from "node:assert/strict";
import {test} from "node:test";
import {decodeSinkRecord} from "../../data-loaders/records/cloudwatch.js";
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
