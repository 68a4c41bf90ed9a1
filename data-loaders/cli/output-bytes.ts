// The bytes `weblog parse` writes, gathered a piece of input at a time: text is encoded as UTF-8
// straight into one buffer, and bytes made once (a cached run of JSON columns) are copied in, so a
// piece's kilobyte of JSON per line costs one copy instead of a join of strings, a join of lines
// and an encoding of the whole.

export interface OutputBytes {
  /** Text, written as UTF-8. */
  text(text: string): void;
  /** Text the caller knows holds ASCII only (code units below 0x80): its UTF-8 is a byte per unit. */
  ascii(text: string): void;
  /** Bytes made once, such as a cached run of JSON columns. */
  raw(bytes: Uint8Array): void;
  newline(): void;
  /** Everything written since the last take; the writer never writes over these bytes (but see `copiedOut`). */
  take(): Buffer;
}

export interface OutputBytesOptions {
  /**
   * The caller copies what it takes before it writes more (cli/piece-parser.ts does, into buffers
   * that are used again): taken bytes may then be written over, and the one buffer is written
   * again from its start, with no new memory.
   */
  copiedOut?: boolean;
}

/**
 * An output over buffers of `bufferSize` bytes (larger when one piece needs it). Taken bytes may
 * still wait in a stream's queue, so writing goes on after them, and a full buffer is left to
 * them and a new one begun (unless they are copied out at once: `copiedOut`).
 */
export function createOutputBytes(bufferSize = 4 << 20, options: OutputBytesOptions = {}): OutputBytes {
  const copiedOut = options.copiedOut ?? false;
  let bytes = Buffer.allocUnsafe(bufferSize);
  let start = 0;
  let pos = 0;

  function reserve(length: number): void {
    if (pos + length <= bytes.length) return;
    const pending = pos - start;
    const next = Buffer.allocUnsafe(Math.max(bufferSize, 2 * (pending + length)));
    bytes.copy(next, 0, start, pos);
    bytes = next;
    start = 0;
    pos = pending;
  }

  return {
    text(text) {
      // UTF-8 takes at most three bytes per UTF-16 unit.
      reserve(text.length * 3);
      pos += bytes.write(text, pos);
    },
    ascii(text) {
      reserve(text.length);
      // Latin-1 writes each code unit's low byte: for ASCII, its UTF-8, with no encoding step.
      pos += bytes.write(text, pos, "latin1");
    },
    raw(piece) {
      reserve(piece.length);
      bytes.set(piece, pos);
      pos += piece.length;
    },
    newline() {
      reserve(1);
      bytes[pos++] = 10;
    },
    take() {
      const written = bytes.subarray(start, pos);
      start = copiedOut ? (pos = 0) : pos;
      return written;
    },
  };
}
