// Stdin as pieces of whole lines, so that pieces can be parsed apart, on any thread, and still give
// the lines node:readline gives (at \n, \r\n or a lone \r; a last line without a line break still
// counts). A piece is cut only just after a line feed (0x0A): that byte is never part of a
// multi-byte UTF-8 character and always ends a \r\n, so each piece decodes on its own to the text
// a decoder of the whole stream gives, and no line break straddles two pieces.

export interface InputPiece {
  /** Whole lines of input as bytes, in an ArrayBuffer of their own (so it can be transferred to a worker). */
  bytes: Buffer;
  /** The number of the piece's first line in the whole input, from 1. */
  firstLine: number;
}

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const LINE_BREAK = /\r\n|\n|\r/;

/** What Node reads from a file or a pipe at a time: a shorter read means the writer has no more for now. */
const FULL_READ = 64 << 10;

/**
 * Pieces of `pieceSize` bytes or a little more: each ends at the first line feed from its
 * `pieceSize`th byte on. A shorter piece comes when the input ends, or when a read comes up short
 * (the writer has no more for now: a log followed live), so that what has come is passed on at
 * once rather than held until a piece's worth arrives. Nothing is read ahead of what the caller
 * takes.
 */
export async function* inputPieces(stream: NodeJS.ReadableStream, pieceSize: number): AsyncGenerator<InputPiece> {
  let held: Buffer[] = [];
  let heldLength = 0;
  let firstLine = 1;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const before = heldLength;
    held.push(chunk);
    heldLength += chunk.length;
    const full = heldLength >= pieceSize;
    if (!full && chunk.length >= FULL_READ) continue;
    // Full: the first line feed from the piece's last byte on (a long line may take it into a
    // later chunk). Short read: all the whole lines that have come.
    const cut = full ? chunk.indexOf(LINE_FEED, Math.max(0, pieceSize - before - 1)) : chunk.lastIndexOf(LINE_FEED);
    if (cut === -1) continue;
    const restLength = chunk.length - cut - 1;
    const bytes = joined(held, heldLength - restLength);
    held = restLength > 0 ? [chunk.subarray(cut + 1)] : [];
    heldLength = restLength;
    // Counted before the piece is handed on: its bytes may be moved to another thread.
    const lines = lineBreaks(bytes);
    yield {bytes, firstLine};
    firstLine += lines;
  }
  if (heldLength > 0) yield {bytes: joined(held, heldLength), firstLine};
}

/** A piece's text as lines, split as readline splits (a last line without a line break included). */
export function pieceLines(text: string): string[] {
  // Most input has no \r at all: splitting at "\n" alone is the same, and faster.
  const lines = text.includes("\r") ? text.split(LINE_BREAK) : text.split("\n");
  // After the last line break: an empty string, or the last line when it has no break.
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The first `length` bytes of `chunks`, copied into a buffer of their own. */
function joined(chunks: Buffer[], length: number): Buffer {
  const bytes = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const chunk of chunks) {
    const part = Math.min(chunk.length, length - at);
    chunk.copy(bytes, at, 0, part);
    at += part;
  }
  return bytes;
}

/** The line breaks in a piece that ends with one: each \n, and each \r not followed by \n. */
function lineBreaks(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(LINE_FEED); at !== -1; at = bytes.indexOf(LINE_FEED, at + 1)) count++;
  for (let at = bytes.indexOf(CARRIAGE_RETURN); at !== -1; at = bytes.indexOf(CARRIAGE_RETURN, at + 1)) {
    if (bytes[at + 1] !== LINE_FEED) count++;
  }
  return count;
}
