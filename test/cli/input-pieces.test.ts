// `weblog parse` cuts stdin into pieces of whole lines, and splits each into lines: together, the
// lines node:readline gives, numbered as it numbers them, whatever the chunk and piece boundaries.
import assert from "node:assert/strict";
import {createInterface} from "node:readline";
import {Readable} from "node:stream";
import {test} from "node:test";
import {inputPieces, pieceLines} from "../../data-loaders/cli/input-pieces.js";

/** Chunks are written as bytes (latin1: one byte per character), so a test can split a UTF-8 sequence. */
const asBytes = (chunk: string) => Buffer.from(chunk, "latin1");

/** The lines of every piece, each checked to start at the line number it says. */
async function viaPieces(chunks: string[], pieceSize: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const {bytes, firstLine} of inputPieces(Readable.from(chunks.map(asBytes)), pieceSize)) {
    assert.equal(firstLine, lines.length + 1, "the piece's first line number");
    assert.equal(bytes.byteOffset, 0, "a piece owns its buffer");
    assert.equal(bytes.buffer.byteLength, bytes.length, "a piece owns its buffer");
    lines.push(...pieceLines(bytes.toString("utf8")));
  }
  return lines;
}

async function viaReadline(chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({input: Readable.from(chunks.map(asBytes)), crlfDelay: Infinity})) lines.push(line);
  return lines;
}

const cases: Record<string, string[]> = {
  "plain lines": ["a\nb\n"],
  "no final line break": ["a\nb"],
  "empty lines kept": ["a\n\n\nb\n"],
  "CRLF": ["a\r\nb\r\n"],
  "CRLF split across chunks": ["a\r", "\nb\r", "\n"],
  "lone CR": ["a\rb\rc"],
  "CR at the very end": ["a\r"],
  "CR ending a chunk, then text": ["a\r", "b\n"],
  "line across chunks": ["ab", "cd\ne", "f"],
  // "café": é is the two bytes C3 A9 in UTF-8.
  "multi-byte character split across chunks": ["caf\xc3", "\xa9\n"],
  "multi-byte characters on both sides of a cut": ["caf\xc3\xa9\n\xc3", "\xa9t\xc3\xa9\n\xe2\x82\xac\n"],
  "invalid UTF-8 before a line break": ["a\xe2\x82\nb\xff\n\xc3", "\n"],
  "lone CRs and CRLFs across cuts": ["a\r\rb\r", "\n\r\nc\rd\r\n", "\r", "e\r\n\n"],
  "only line breaks": ["\n\n"],
  "nothing": [],
};

for (const [name, chunks] of Object.entries(cases)) {
  test(`lines as readline gives them: ${name}`, async () => {
    const expected = await viaReadline(chunks);
    // 1 byte: a cut after every line feed; 1 MB: the whole input in one piece.
    for (const pieceSize of [1, 2, 3, 5, 1 << 20]) assert.deepEqual(await viaPieces(chunks, pieceSize), expected, `pieces of ${pieceSize} bytes`);
  });
}

test("pieces are at least the size asked for, cut only after a line feed, and hold every byte in order", async () => {
  const input = Buffer.from(Array.from({length: 3000}, (_, i) => `line ${i} ${"é".repeat(i % 7)}${i % 5 === 0 ? "\r" : ""}\n`).join("") + "no break at the end");
  // Chunks of 1,000 bytes, as a stream gives them, cut anywhere (mid-character too).
  const chunks = Array.from({length: Math.ceil(input.length / 1000)}, (_, i) => input.subarray(i * 1000, (i + 1) * 1000));
  const pieces = [];
  for await (const piece of inputPieces(Readable.from(chunks), 4096)) pieces.push(piece.bytes);
  assert.ok(pieces.length > 5, `${pieces.length} pieces`);
  for (const piece of pieces.slice(0, -1)) {
    assert.ok(piece.length >= 4096, `a piece of ${piece.length} bytes`);
    assert.equal(piece[piece.length - 1], 10, "a piece ends with a line feed");
  }
  assert.ok(Buffer.concat(pieces).equals(input));
});
