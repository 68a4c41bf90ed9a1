// The CloudWatch Logs source's record keys as the S3 sink writes them: Struct text (keys format
// BYTES) or JSON (a JSON key converter), one a line; and what is reported when they do not match.
import assert from "node:assert/strict";
import {test} from "node:test";
import {connectKeyText, decodeConnectKey, decodeKeyFile, keyMismatchOf, type KeyFile} from "../../data-loaders/records/connect-key.js";
import {seededRandom} from "../../src/components/seeded-random.js";

test("a Struct key gives log group, stream and CloudWatch time", () => {
  assert.deepEqual(decodeConnectKey("Struct{logGroupName=cloudwatchLogsEC2,logStreamName=i-02e3ca004943e0f26,timestamp=1675092839000}"), {
    log_group: "cloudwatchLogsEC2",
    log_stream: "i-02e3ca004943e0f26",
    ingest_ts: 1675092839000,
  });
});

test("Struct values may hold what log group and stream names hold: / . # - _ and even = or ,", () => {
  assert.deepEqual(decodeConnectKey("Struct{logGroupName=/aws/ec2/web#1,logStreamName=2023/05/14/[$LATEST]ab=c,d,timestamp=1}"), {
    log_group: "/aws/ec2/web#1",
    log_stream: "2023/05/14/[$LATEST]ab=c,d",
    ingest_ts: 1,
  });
});

test("a JSON key, with the timestamp as a number or a string", () => {
  const expected = {log_group: "cloudwatchLogsEC2", log_stream: "i-0a", ingest_ts: 1675092839000};
  assert.deepEqual(decodeConnectKey('{"logGroupName":"cloudwatchLogsEC2","logStreamName":"i-0a","timestamp":1675092839000}'), expected);
  assert.deepEqual(decodeConnectKey('{"logGroupName":"cloudwatchLogsEC2","logStreamName":"i-0a","timestamp":"1675092839000"}'), expected);
});

test("keys that cannot be read say why", () => {
  assert.match((decodeConnectKey("i-02e3ca004943e0f26") as {error: string}).error, /neither Struct/);
  assert.match((decodeConnectKey("Struct{logGroupName=g,logStreamName=s,timestamp=16750") as {error: string}).error, /closing brace/);
  assert.match((decodeConnectKey("Struct{logGroupName=g,logStreamName=s,timestamp=yesterday}") as {error: string}).error, /epoch milliseconds/);
  assert.match((decodeConnectKey('{"logGroupName": ') as {error: string}).error, /not valid JSON/);
  assert.match((decodeConnectKey("{}") as {error: string}).error, /no logGroupName/);
  assert.match((decodeConnectKey("null") as {error: string}).error, /neither/);
});

test("a key written as the S3 sink writes it reads back as it was", () => {
  assert.deepEqual(decodeConnectKey(connectKeyText("cloudwatchLogsEC2", "i-02e3ca004943e0f26", 1675092839000)), {log_group: "cloudwatchLogsEC2", log_stream: "i-02e3ca004943e0f26", ingest_ts: 1675092839000});
});

test("a key file: one key per non-blank line, undecoded lines counted with the first examples", () => {
  const file = decodeKeyFile(["Struct{logGroupName=g,logStreamName=s,timestamp=1}", "garbage 1", "", "Struct{logGroupName=g,logStreamName=s,timestamp=2}", "garbage 2", "garbage 3", "garbage 4"].join("\n") + "\n");
  assert.equal(file.keys.length, 6);
  assert.equal(file.undecoded, 4);
  assert.deepEqual(file.examples.map((e) => e.split(":")[0]), ["line 2", "line 4", "line 5"]);
});

test("mismatches: a key file shorter or longer than its values, keys that do not decode, no key file where the values need one", () => {
  const three = decodeKeyFile("Struct{logGroupName=g,logStreamName=s,timestamp=1}\n".repeat(3));
  assert.equal(keyMismatchOf(three, 3, 0), null);
  assert.match(keyMismatchOf(three, 5, 0)!.problem, /^3 keys for 5 records \(shorter/);
  assert.match(keyMismatchOf(three, 2, 0)!.problem, /longer/);
  assert.match(keyMismatchOf(decodeKeyFile("x\n"), 1, 1)!.problem, /1 keys do not decode/);
  assert.match(keyMismatchOf(null, 4, 4)!.problem, /no key file: 4 events have no CloudWatch time/);
  // Values that carry their own group, stream and time need no key file.
  assert.equal(keyMismatchOf(null, 4, 0), null);
});

/** A key file as decoding each line by itself gives it: what decodeKeyFile must give, however it reads the lines. */
function keyFileLineByLine(lines: readonly string[]): KeyFile {
  const file: KeyFile = {keys: [], undecoded: 0, examples: []};
  for (const line of lines) {
    if (line.trim() === "") continue;
    const key = decodeConnectKey(line);
    file.keys.push(key);
    if ("error" in key) {
      file.undecoded++;
      if (file.examples.length < 3) file.examples.push(`line ${file.keys.length}: ${key.error}: ${line.slice(0, 200)}`);
    }
  }
  return file;
}

test("a key file's lines alike but for their time read as each line by itself reads", () => {
  const plain = (time: string, stream = "i-0bench00000000001") => `Struct{logGroupName=cloudwatchLogsEC2,logStreamName=${stream},timestamp=${time}}`;
  // What the connector writes: the same group and stream, the time moving on.
  const times = Array.from({length: 1000}, (_, i) => plain(String(1735689600000 + i * 7)));
  assert.deepEqual(decodeKeyFile(times.join("\n") + "\n"), keyFileLineByLine(times));
  // Lines that look alike and are not: another stream, times that are not plain digits, a line
  // with spaces or a carriage return, a field after the time, a time field inside a stream's name.
  const tricky = [
    plain("1"),
    plain("2", "i-other"),
    plain("0003"),
    plain("12a"),
    plain(""),
    plain("99999999999999999999"),
    plain("4") + " ",
    " " + plain("5"),
    plain("6") + "\r",
    plain("7").replace("}", ",extra=1}"),
    "Struct{logGroupName=g,logStreamName=a,timestamp=5,x,timestamp=8}",
    "Struct{logGroupName=g,logStreamName=a,timestamp=5,x,timestamp=9}",
    '{"logGroupName":"g","logStreamName":"s","timestamp":10}',
    plain("11"),
    "",
    "Struct{logGroupName=cloudwatchLogsEC2,logStreamName=i-0bench00000000001,timestamp=12",
  ];
  assert.deepEqual(decodeKeyFile(tricky.join("\n")), keyFileLineByLine(tricky));
  // And mutated at random from the plain line: a character changed, dropped or added anywhere.
  const next = seededRandom(Number(process.env.FUZZ_SEED ?? 20261207));
  const alphabet = "0123456789,={}Sa \r";
  for (let round = 0; round < 200; round++) {
    const lines = Array.from({length: 20}, (_, i) => {
      const line = plain(String(1735689600000 + i));
      if (next() < 0.6) return line;
      const at = Math.floor(next() * (line.length + 1));
      const char = alphabet[Math.floor(next() * alphabet.length)];
      const kind = next();
      return kind < 0.33 ? line.slice(0, at) + char + line.slice(at + 1) : kind < 0.66 ? line.slice(0, at) + line.slice(at + 1) : line.slice(0, at) + char + line.slice(at);
    });
    assert.deepEqual(decodeKeyFile(lines.join("\n")), keyFileLineByLine(lines), lines.join("\n"));
  }
});
