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
  const file = decodeKeyFile(utf8(["Struct{logGroupName=g,logStreamName=s,timestamp=1}", "garbage 1", "", "Struct{logGroupName=g,logStreamName=s,timestamp=2}", "garbage 2", "garbage 3", "garbage 4"].join("\n") + "\n"));
  assert.equal(file.keys.length, 6);
  assert.equal(file.undecoded, 4);
  assert.deepEqual(file.examples.map((e) => e.split(":")[0]), ["line 2", "line 4", "line 5"]);
});

test("mismatches: a key file shorter or longer than its values, keys that do not decode, no key file where the values need one", () => {
  const three = decodeKeyFile(utf8("Struct{logGroupName=g,logStreamName=s,timestamp=1}\n".repeat(3)));
  assert.equal(keyMismatchOf(three, 3, 0), null);
  assert.match(keyMismatchOf(three, 5, 0)!.problem, /^3 keys for 5 records \(shorter/);
  assert.match(keyMismatchOf(three, 2, 0)!.problem, /longer/);
  assert.match(keyMismatchOf(decodeKeyFile(utf8("x\n")), 1, 1)!.problem, /1 keys do not decode/);
  assert.match(keyMismatchOf(null, 4, 4)!.problem, /no key file: 4 events have no CloudWatch time/);
  // Values that carry their own group, stream and time need no key file.
  assert.equal(keyMismatchOf(null, 4, 0), null);
});

const utf8 = (text: string) => Buffer.from(text, "utf8");

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
  assert.deepEqual(decodeKeyFile(utf8(times.join("\n") + "\n")), keyFileLineByLine(times));
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
  assert.deepEqual(decodeKeyFile(utf8(tricky.join("\n"))), keyFileLineByLine(tricky));
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
    assert.deepEqual(decodeKeyFile(utf8(lines.join("\n"))), keyFileLineByLine(lines), lines.join("\n"));
  }
});

test("a key file's bytes read as their lines' text reads: names beyond ASCII, lines that are not UTF-8, bytes mutated at random", () => {
  const plain = (time: number, stream: string) => `Struct{logGroupName=/web/café,logStreamName=${stream},timestamp=${time}}`;
  const lenient = new TextDecoder("utf-8");
  /** Each line's text as object-text.ts decodes a line that is not UTF-8: U+FFFD for its bad bytes. */
  const linesOf = (bytes: Buffer) => {
    const lines: string[] = [];
    for (let start = 0; start <= bytes.length; ) {
      const newline = bytes.indexOf(0x0a, start);
      const end = newline < 0 ? bytes.length : newline;
      lines.push(lenient.decode(bytes.subarray(start, end)));
      start = end + 1;
    }
    return lines;
  };
  const same = Buffer.from(Array.from({length: 50}, (_, i) => plain(1735689600000 + i, "i-0ü")).join("\n"));
  assert.deepEqual(decodeKeyFile(same), keyFileLineByLine(linesOf(same)));
  assert.equal(decodeKeyFile(same).keys.length, 50);
  // The stream's "ü" (c3 bc) with its second byte lost, or an "é" written in Latin-1 (e9): not
  // UTF-8, read with U+FFFD, never as the template's text.
  const broken = Buffer.from(plain(1, "i-0ü") + "\n" + plain(2, "i-0ü") + "\n");
  const cut = Buffer.concat([broken, Buffer.from(plain(3, "i-0ü")).filter((byte) => byte !== 0xbc), Buffer.from("\n"), Buffer.from(plain(4, "i-0ü"))]);
  const latin1 = Buffer.concat([broken, Buffer.from(plain(5, "i-0ü").replace("café", "caf\u00e9"), "latin1"), Buffer.from("\n" + plain(6, "i-0ü"))]);
  for (const bytes of [cut, latin1]) {
    const file = decodeKeyFile(bytes);
    assert.deepEqual(file, keyFileLineByLine(linesOf(bytes)));
    assert.ok(file.keys.some((key) => "log_stream" in key && key.log_stream !== "i-0ü"), "a line with a bad byte is not read as the others");
  }
  const next = seededRandom(Number(process.env.FUZZ_SEED ?? 20261208));
  const bytesToTry = [0x30, 0x39, 0x7d, 0x2c, 0x3d, 0x0a, 0x0d, 0x20, 0xc3, 0xbc, 0xe9, 0xff, 0x80];
  for (let round = 0; round < 200; round++) {
    const lines = Array.from({length: 20}, (_, i) => {
      const line = Buffer.from(plain(1735689600000 + i, "i-0ü"));
      if (next() < 0.6) return line;
      const at = Math.floor(next() * (line.length + 1));
      const byte = Buffer.of(bytesToTry[Math.floor(next() * bytesToTry.length)]);
      const kind = next();
      return Buffer.concat(kind < 0.33 ? [line.subarray(0, at), byte, line.subarray(at + 1)] : kind < 0.66 ? [line.subarray(0, at), line.subarray(at + 1)] : [line.subarray(0, at), byte, line.subarray(at)]);
    });
    const bytes = Buffer.concat(lines.flatMap((line, i) => (i === 0 ? [line] : [Buffer.from("\n"), line])));
    assert.deepEqual(decodeKeyFile(bytes), keyFileLineByLine(linesOf(bytes)), bytes.toString("hex"));
  }
});
