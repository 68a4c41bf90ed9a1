// `weblog parse` splits stdin into lines as node:readline does, whatever the chunk boundaries.
import assert from "node:assert/strict";
import {createInterface} from "node:readline";
import {Readable} from "node:stream";
import {test} from "node:test";
import {inputLines} from "../../data-loaders/cli/input-lines.js";

/** Chunks are written as bytes (latin1: one byte per character), so a test can split a UTF-8 sequence. */
const asBytes = (chunk: string) => Buffer.from(chunk, "latin1");

async function viaInputLines(chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of inputLines(Readable.from(chunks.map(asBytes)))) lines.push(...batch);
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
  "only line breaks": ["\n\n"],
  "nothing": [],
};

for (const [name, chunks] of Object.entries(cases)) {
  test(`lines as readline gives them: ${name}`, async () => {
    assert.deepEqual(await viaInputLines(chunks), await viaReadline(chunks));
  });
}
