// An object's text comes in pieces of whole lines (data-loaders/sources/object-text.ts): joined,
// they must be the object's text exactly, and a sync must read the same records, line numbers and
// rejections from them as from the text whole.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {test} from "node:test";
import {gunzipSync} from "node:zlib";
import {ingestSinkObject} from "../../data-loaders/ingest-object.js";
import {everyInstance} from "../../data-loaders/parse/instance-formats.js";
import {lineParserFor} from "../../data-loaders/parse/formats.js";
import {decodeObjectText, objectTextWhole} from "../../data-loaders/sources/object-text.js";
import {EventBatch} from "../../data-loaders/write/event-batch.js";

const realLines = gunzipSync(readFileSync(join(import.meta.dirname, "../fixtures/real-logs/elastic-examples-apache_logs.gz")))
  .toString("utf8")
  .split("\n")
  .filter((line) => line !== "");

/** An S3 sink object of bare-string records (the CloudWatch source's values), with some CRLF endings and non-ASCII text. */
function sinkObject(records: number): string {
  return Array.from({length: records}, (_, i) => {
    const line = i % 7 === 3 ? realLines[i % realLines.length].replace("Mozilla", "Mözilla ✓ 𝄞") : realLines[i % realLines.length];
    return JSON.stringify(line) + (i % 11 === 5 ? "\r\n" : "\n");
  }).join("");
}

const utf8 = (text: string) => Buffer.from(text, "utf8");

test("an object's pieces end at line ends, stay near 64 KiB, and join into its text", () => {
  const text = sinkObject(3000);
  assert.ok(utf8(text).length > 500_000, "several pieces' worth");
  const {pieces, invalidUtf8Lines} = decodeObjectText(utf8(text));
  assert.equal(objectTextWhole({pieces, invalidUtf8Lines}), text);
  assert.ok(pieces.length >= 8, `${pieces.length} pieces`);
  assert.equal(invalidUtf8Lines.size, 0);
  for (const piece of pieces) {
    assert.ok(piece.endsWith("\n"), "a piece ends after a newline");
    assert.ok(utf8(piece).length <= 64 * 1024, `a piece of ${utf8(piece).length} bytes`);
  }
});

test("a line longer than a piece stays whole, and text without a last newline ends the last piece", () => {
  const long = JSON.stringify("x".repeat(200_000));
  const text = `"a"\n${long}\n"b"\n${long}`;
  // Each short line is cut off before the long one after it, as no newline is within 64 KiB of it.
  assert.deepEqual(decodeObjectText(utf8(text)).pieces, ['"a"\n', `${long}\n`, '"b"\n', long]);
  assert.deepEqual(decodeObjectText(new Uint8Array(0)).pieces, []);
});

test("a line that is not UTF-8, far into a large object, is found by its number", () => {
  const lines = sinkObject(2000).split("\n");
  const bad = 1500; // 1-based
  // Two bytes that are never UTF-8 put into that line, after its first 20 characters.
  const before = utf8(lines.slice(0, bad - 1).join("\n") + "\n" + lines[bad - 1].slice(0, 20));
  const after = utf8(lines[bad - 1].slice(20) + "\n" + lines.slice(bad).join("\n"));
  const {pieces, invalidUtf8Lines} = decodeObjectText(Buffer.concat([before, Buffer.from([0xff, 0xfe]), after]));
  assert.deepEqual([...invalidUtf8Lines], [bad]);
  assert.equal(pieces.join("").split("\n").length, lines.length);
});

test("records, line numbers and rejections read from the pieces are those of the text whole", () => {
  // Every 97th record is not JSON, so rejections fall in every piece.
  const text = sinkObject(4000)
    .split("\n")
    .map((line, i) => (i % 97 === 50 ? `{not json ${i}` : line))
    .join("\n");
  const object = {key: "topics/g.i-1/year=2026/g.i-1+0+0.json", topic: "g.i-1", partition: 0, startOffset: 0};
  const parsers = everyInstance(lineParserFor("combined"));
  const whole = new EventBatch();
  const inPieces = new EventBatch();
  const wholeCounts = ingestSinkObject(text, object, parsers, whole);
  const piecesCounts = ingestSinkObject(decodeObjectText(utf8(text)).pieces, object, parsers, inPieces);
  assert.ok(decodeObjectText(utf8(text)).pieces.length > 1);
  assert.deepEqual(piecesCounts, wholeCounts);
  assert.ok(wholeCounts.rejected >= 40 && wholeCounts.events > 3000, `${wholeCounts.events} events, ${wholeCounts.rejected} rejected`);
  assert.deepEqual(inPieces.rejected, whole.rejected);
  assert.equal(inPieces.size, whole.size);
});
