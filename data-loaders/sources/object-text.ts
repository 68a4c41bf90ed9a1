// An object's bytes as text. S3 sink JSON is UTF-8; a line that is not (a record mangled on the
// way) must be rejected with its line number rather than silently altered, so bad lines are found
// one by one, and only when the fast check of the whole object fails.
//
// The text comes in pieces of whole lines, each under 64 KiB (but a longer line, and an object
// with a line that is not UTF-8, which is rare, in one piece). A sink object of 1,000 records is
// 200–400 KB, and V8 puts a string over 128 KiB in its large-object space: memory mapped for
// that one string and freed only by a full collection: making one cost 4.4–5.5 ns a byte against
// 0.17–0.22 for a piece (Node 20), and an object's text with its records parsed took 0.9–1.5 ms
// whole against 0.2–0.5 in pieces on Node 20, 22 and 24, on the thread that parses (design notes,
// "An object's text in pieces").

const strict = new TextDecoder("utf-8", {fatal: true});
const lenient = new TextDecoder("utf-8");

/** Bytes of a piece at most, unless one line is longer: a piece always ends at a line's end. */
const PIECE_BYTES = 64 * 1024;

/** An object's text as pieces of whole lines, in order: joined, they are the text. */
export type TextPieces = readonly string[];

export interface ObjectText {
  pieces: TextPieces;
  /** 1-based numbers of lines whose bytes are not UTF-8 (decoded with U+FFFD in place of the bad bytes). */
  invalidUtf8Lines: Set<number>;
}

export function decodeObjectText(bytes: Uint8Array): ObjectText {
  try {
    return {pieces: lineEndingPieces(bytes).map((piece) => strict.decode(piece)), invalidUtf8Lines: new Set()};
  } catch {
    return decodeLineByLine(bytes);
  }
}

/** The object's text whole, for readers that take a document rather than lines. */
export function objectTextWhole(text: ObjectText): string {
  return text.pieces.join("");
}

/** Cuts after a newline byte (0x0a is never part of another character in UTF-8). */
function lineEndingPieces(bytes: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.length;
    if (start + PIECE_BYTES < bytes.length) {
      const lastNewline = bytes.lastIndexOf(0x0a, start + PIECE_BYTES - 1);
      const nextNewline = lastNewline >= start ? lastNewline : bytes.indexOf(0x0a, start + PIECE_BYTES);
      if (nextNewline >= 0) end = nextNewline + 1;
    }
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  return pieces;
}

function decodeLineByLine(bytes: Uint8Array): ObjectText {
  const invalidUtf8Lines = new Set<number>();
  const lines: string[] = [];
  let start = 0;
  for (let lineNumber = 1; start <= bytes.length; lineNumber++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const {text, utf8} = decodeLine(bytes.subarray(start, end));
    if (!utf8) invalidUtf8Lines.add(lineNumber);
    lines.push(text);
    start = end + 1;
  }
  return {pieces: [lines.join("\n")], invalidUtf8Lines};
}

/** One line's bytes as text, and whether they were UTF-8 (if not, U+FFFD stands for each bad byte). */
export function decodeLine(bytes: Uint8Array): {text: string; utf8: boolean} {
  try {
    return {text: strict.decode(bytes), utf8: true};
  } catch {
    return {text: lenient.decode(bytes), utf8: false};
  }
}
