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

export interface PieceTiming {
  /** How long the input may pause before the whole lines that have come are passed on. */
  pauseMs: number;
  /** The longest a whole line waits to be passed on while input keeps coming in a trickle. */
  holdMs: number;
}

/**
 * A log followed live has pauses of a second or more; a file, `zcat` or a busy pipe fills the
 * pipe again within microseconds. How much a single read returns says nothing either way (a pipe
 * may hold 4 KB or 1 MB), so time is what tells them apart.
 */
const TIMING: PieceTiming = {pauseMs: 5, holdMs: 100};

/**
 * Pieces of `pieceSize` bytes or a little more: each ends at the first line feed from its
 * `pieceSize`th byte on. A shorter piece comes when the input ends, or when it pauses (a log
 * followed live): what has come is passed on then rather than held until a piece's worth arrives.
 * At most one read is taken from the stream ahead of what the caller takes.
 */
export async function* inputPieces(stream: NodeJS.ReadableStream, pieceSize: number, timing: PieceTiming = TIMING): AsyncGenerator<InputPiece> {
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let held: Buffer[] = [];
  let heldLength = 0;
  /** Whether a line feed is held: there is a whole line to pass on at a pause. */
  let wholeLineHeld = false;
  /** When the oldest held whole line came. */
  let wholeLineSince = 0;
  let firstLine = 1;
  let next: Promise<IteratorResult<Buffer>> | null = null;

  /** The first `length` held bytes as a piece; the rest stays held. */
  function take(length: number): InputPiece {
    const bytes = joined(held, length);
    held = rest(held, length);
    heldLength -= length;
    wholeLineHeld = held.some((chunk) => chunk.includes(LINE_FEED));
    wholeLineSince = Date.now();
    // Counted before the piece is handed on: its bytes may be moved to another thread.
    const piece = {bytes, firstLine};
    firstLine += lineBreaks(bytes);
    return piece;
  }

  try {
    for (;;) {
      next ??= chunks.next();
      const waitMs = wholeLineHeld ? Math.min(timing.pauseMs, wholeLineSince + timing.holdMs - Date.now()) : Infinity;
      const result = waitMs === Infinity ? await next : waitMs > 0 ? await within(next, waitMs) : null;
      if (result === null) {
        // A pause, or lines held long enough: every whole line that has come goes on.
        yield take(endOfLastLine(held));
        continue;
      }
      next = null;
      if (result.done) break;
      const chunk = result.value;
      held.push(chunk);
      heldLength += chunk.length;
      if (!wholeLineHeld && chunk.includes(LINE_FEED)) {
        wholeLineHeld = true;
        wholeLineSince = Date.now();
      }
      // Full: the first line feed from the piece's last byte on (a long line may take it into a
      // later chunk: the chunks before the last hold no line feed from there on). A chunk larger
      // than a piece may give several.
      while (heldLength >= pieceSize) {
        const last = held[held.length - 1];
        const lastStart = heldLength - last.length;
        const cut = last.indexOf(LINE_FEED, Math.max(0, pieceSize - 1 - lastStart));
        if (cut === -1) break;
        yield take(lastStart + cut + 1);
      }
    }
    if (heldLength > 0) yield take(heldLength);
  } finally {
    // The caller stopped early (an error downstream): the stream is let go, as for-await would.
    if (next !== null) await chunks.return?.();
  }
}

/** The chunk to come, or null if it has not come within `ms`. */
async function within(next: Promise<IteratorResult<Buffer>>, ms: number): Promise<IteratorResult<Buffer> | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(resolve, ms, null)));
  try {
    return await Promise.race([next, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The most bytes of a piece decoded into one string. V8 puts a string over 128 KB in its large
 * object space, fresh memory from the OS for each: decoding 512 KB pieces whole cost 0.55–0.8 s
 * of CPU on 500,000 lines (118 MB), in page faults, where parts under 128 KB cost 0.03–0.06 s.
 */
export const DECODED_PART_BYTES = 64 << 10;

/**
 * A piece's lines, as pieceLines gives them from the piece's whole text. The piece is decoded a
 * part at a time, each ending just after a line feed (as a piece does, so each decodes on its own
 * to the text of the whole: no character and no \r\n straddles two parts); a line longer than a
 * part is decoded whole.
 */
export function decodedPieceLines(piece: Uint8Array, partBytes = DECODED_PART_BYTES): string[] {
  const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  if (bytes.length <= partBytes) return pieceLines(bytes.toString("utf8"));
  const lines: string[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.length;
    if (start + partBytes < bytes.length) {
      const lastBreak = bytes.lastIndexOf(LINE_FEED, start + partBytes - 1);
      const nextBreak = lastBreak >= start ? lastBreak : bytes.indexOf(LINE_FEED, start + partBytes);
      if (nextBreak !== -1) end = nextBreak + 1;
    }
    for (const line of pieceLines(bytes.toString("utf8", start, end))) lines.push(line);
    start = end;
  }
  return lines;
}

/** A piece's text as lines, split as readline splits (a last line without a line break included). */
export function pieceLines(text: string): string[] {
  // Most input has no \r at all: splitting at "\n" alone is the same, and faster.
  const lines = text.includes("\r") ? text.split(LINE_BREAK) : text.split("\n");
  // After the last line break: an empty string, or the last line when it has no break.
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The length of `chunks` up to and including their last line feed. */
function endOfLastLine(chunks: Buffer[]): number {
  let length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  for (let i = chunks.length - 1; i >= 0; i--) {
    const at = chunks[i].lastIndexOf(LINE_FEED);
    if (at !== -1) return length - (chunks[i].length - at - 1);
    length -= chunks[i].length;
  }
  return 0;
}

/** `chunks` without their first `length` bytes. */
function rest(chunks: Buffer[], length: number): Buffer[] {
  const left: Buffer[] = [];
  for (const chunk of chunks) {
    if (length >= chunk.length) length -= chunk.length;
    else {
      left.push(length > 0 ? chunk.subarray(length) : chunk);
      length = 0;
    }
  }
  return left;
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
