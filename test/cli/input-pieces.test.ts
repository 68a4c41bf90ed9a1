// `weblog parse` cuts stdin into pieces of whole lines, and splits each into lines: together, the
// lines node:readline gives, numbered as it numbers them, whatever the chunk and piece boundaries.
import assert from "node:assert/strict";
import {createInterface} from "node:readline";
import {Readable} from "node:stream";
import {test} from "node:test";
import {setTimeout as sleep} from "node:timers/promises";
import {decodedPieceLines, inputPieces, pieceLines, type PieceTiming} from "../../data-loaders/cli/input-pieces.js";

/** Chunks are written as bytes (latin1: one byte per character), so a test can split a UTF-8 sequence. */
const asBytes = (chunk: string) => Buffer.from(chunk, "latin1");

/** The lines of every piece, each checked to start at the line number it says. */
async function viaPieces(chunks: string[], pieceSize: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const {bytes, firstLine} of inputPieces(Readable.from(chunks.map(asBytes)), pieceSize)) {
    assert.equal(firstLine, lines.length + 1, "the piece's first line number");
    assert.equal(bytes.byteOffset, 0, "a piece owns its buffer");
    assert.equal(bytes.buffer.byteLength, bytes.length, "a piece owns its buffer");
    const piecesLines = pieceLines(bytes.toString("utf8"));
    // Decoded a part at a time, cut after a line feed as pieces are: the lines of the whole text.
    for (const partBytes of [1, 2, 3, 5, 1 << 20]) assert.deepEqual(decodedPieceLines(bytes, partBytes), piecesLines, `decoded in parts of ${partBytes} bytes`);
    lines.push(...piecesLines);
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

const input = Buffer.from(Array.from({length: 20_000}, (_, i) => `line ${i} ${"é".repeat(i % 7)}${i % 5 === 0 ? "\r" : ""}\n`).join("") + "no break at the end");
/** The input's longest line, line break included. */
const LONGEST = 40;

/** The input in chunks of `size` bytes, cut anywhere (mid-character too), as a stream gives them. */
const chunksOf = (size: number) => Array.from({length: Math.ceil(input.length / size)}, (_, i) => input.subarray(i * size, (i + 1) * size));

async function piecesFrom(stream: Readable, pieceSize: number, timing?: PieceTiming): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  for await (const piece of inputPieces(stream, pieceSize, timing)) pieces.push(piece.bytes);
  assert.ok(Buffer.concat(pieces).equals(input), "every byte, in order");
  for (const piece of pieces.slice(0, -1)) assert.equal(piece[piece.length - 1], 10, "a piece ends with a line feed");
  return pieces;
}

test("a piece decoded a part at a time gives the lines of its whole text, lines longer than a part included", () => {
  const expected = pieceLines(input.toString("utf8"));
  for (const partBytes of [1, 7, 39, 40, 41, 1000, 4096, input.length - 1, input.length]) {
    assert.deepEqual(decodedPieceLines(input, partBytes), expected, `parts of ${partBytes} bytes`);
  }
  // A view into a larger buffer, as a piece moved to a worker may be.
  const framed = Buffer.concat([Buffer.from("xx\n"), input, Buffer.from("yy")]);
  assert.deepEqual(decodedPieceLines(framed.subarray(3, 3 + input.length), 1000), expected, "a view into a larger buffer");
});

test("input that keeps coming is cut into pieces of the size asked for, however small its reads (a pipe may hold 4 KB)", async () => {
  for (const chunkSize of [64 << 10, 4096, 1000, 300_000]) {
    const pieces = await piecesFrom(Readable.from(chunksOf(chunkSize)), 100_000);
    assert.ok(pieces.length >= 3, `reads of ${chunkSize}: ${pieces.length} pieces`);
    for (const piece of pieces.slice(0, -1)) assert.ok(piece.length >= 100_000 && piece.length < 100_000 + LONGEST, `reads of ${chunkSize}: a piece of ${piece.length} bytes`);
  }
});

test("input that pauses (a log followed live): the whole lines that have come go on at each pause", async () => {
  const chunks = chunksOf(1000);
  const bursts = 10;
  const perBurst = Math.ceil(chunks.length / bursts);
  async function* bursting() {
    for (let burst = 0; burst < bursts; burst++) {
      yield* chunks.slice(burst * perBurst, (burst + 1) * perBurst);
      await sleep(60);
    }
  }
  // Pieces far larger than the input: only the pauses cut it.
  const pieces = await piecesFrom(Readable.from(bursting()), 10 << 20, {pauseMs: 5, holdMs: 10_000});
  assert.ok(pieces.length >= bursts, `${pieces.length} pieces from ${bursts} bursts`);
  // No piece waits for the next burst: each ends within the burst whose lines it carries.
  let end = 0;
  for (const piece of pieces) {
    const burstOfLastByte = Math.floor((end + piece.length - 1) / (perBurst * 1000));
    const burstOfFirstByte = Math.floor(end / (perBurst * 1000));
    assert.ok(burstOfLastByte - burstOfFirstByte <= 1, `a piece from byte ${end} to ${end + piece.length} spans bursts ${burstOfFirstByte} to ${burstOfLastByte}`);
    end += piece.length;
  }
});

test("input that trickles without a pause: no line waits much longer than the hold time", async () => {
  async function* trickling() {
    for (const chunk of chunksOf(1000)) {
      yield chunk;
      await sleep(1);
    }
  }
  // Pauses that never come, pieces larger than the input: only holding too long cuts it.
  const pieces = await piecesFrom(Readable.from(trickling()), 10 << 20, {pauseMs: 10_000, holdMs: 50});
  assert.ok(pieces.length > 3, `${pieces.length} pieces`);
});
