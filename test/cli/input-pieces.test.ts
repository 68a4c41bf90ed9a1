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

test("pieces: a full piece from full reads, what has come from a short read; cut only after a line feed; every byte in order", async () => {
  const input = Buffer.from(Array.from({length: 20_000}, (_, i) => `line ${i} ${"é".repeat(i % 7)}${i % 5 === 0 ? "\r" : ""}\n`).join("") + "no break at the end");
  const longest = 40;
  const piecesOf = async (chunkSize: number, pieceSize: number) => {
    // Chunks as a stream gives them, cut anywhere (mid-character too).
    const chunks = Array.from({length: Math.ceil(input.length / chunkSize)}, (_, i) => input.subarray(i * chunkSize, (i + 1) * chunkSize));
    const pieces: Buffer[] = [];
    for await (const piece of inputPieces(Readable.from(chunks), pieceSize)) pieces.push(piece.bytes);
    assert.ok(Buffer.concat(pieces).equals(input));
    for (const piece of pieces.slice(0, -1)) assert.equal(piece[piece.length - 1], 10, "a piece ends with a line feed");
    return pieces.slice(0, -1);
  };
  // Reads of 64 KB, as from a file or a busy pipe: pieces of the size asked for, to the end of a line.
  const full = await piecesOf(64 << 10, 100_000);
  assert.ok(full.length >= 2, `${full.length} pieces`);
  // The input's last read is short: it passes on what is left of its whole lines.
  for (const piece of full.slice(0, -1)) assert.ok(piece.length >= 100_000 && piece.length < 100_000 + longest, `a piece of ${piece.length} bytes`);
  // Short reads (a writer slower than the reader): each read's whole lines go on at once.
  const short = await piecesOf(1000, 100_000);
  assert.ok(short.length > 200, `${short.length} pieces`);
  for (const piece of short) assert.ok(piece.length <= 1000 + longest, `a piece of ${piece.length} bytes`);
});
