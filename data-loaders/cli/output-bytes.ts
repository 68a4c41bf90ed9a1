// The bytes `weblog parse` writes, gathered a piece of input at a time: text is encoded as UTF-8
// straight into one buffer, and bytes made once (a cached run of JSON columns) are copied in, so a
// piece's kilobyte of JSON per line costs one copy instead of a join of strings, a join of lines
// and an encoding of the whole. The line's own values (nearly all plain ASCII) are copied in a
// character at a time by `ascii` and `jsonString`: no string is built to hold them, so the line
// leaves no garbage and makes no call into native code (Buffer#write of one string per stretch
// was a tenth of the command's time, and flattening its concatenation garbage for the collector).

export interface OutputBytes {
  /** Text, written as UTF-8. */
  text(text: string): void;
  /** Text the caller knows to be ASCII (labels, digits, times): one byte per character. */
  ascii(text: string): void;
  /** The JSON of a string, byte for byte what JSON.stringify gives, in UTF-8. */
  jsonString(text: string): void;
  /** Bytes made once, such as a cached run of JSON columns. */
  raw(bytes: Uint8Array): void;
  newline(): void;
  /** Everything written since the last take; the writer never writes over these bytes. */
  take(): Buffer;
}

/**
 * An output over buffers of `bufferSize` bytes (larger when one piece needs it). Taken bytes may
 * still wait in a stream's queue, so writing goes on after them, and a full buffer is left to
 * them and a new one begun.
 */
export function createOutputBytes(bufferSize = 4 << 20): OutputBytes {
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

  function text(text: string): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    reserve(text.length * 3);
    pos += bytes.write(text, pos);
  }

  return {
    text,
    ascii(text) {
      const length = text.length;
      reserve(length);
      // Locals, so that the loop keeps them in registers.
      const to = bytes;
      const at = pos;
      for (let i = 0; i < length; i++) to[at + i] = text.charCodeAt(i);
      pos = at + length;
    },
    jsonString(value) {
      const length = value.length;
      reserve(length + 2);
      const to = bytes;
      const at = pos + 1;
      for (let i = 0; i < length; i++) {
        const code = value.charCodeAt(i);
        // Printable ASCII but the quote and the backslash is all JSON.stringify only puts in quotes;
        // anything else (escapes, Unicode, lone surrogates) is its to write.
        if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) return text(JSON.stringify(value));
        to[at + i] = code;
      }
      to[at - 1] = QUOTE;
      to[at + length] = QUOTE;
      pos = at + length + 1;
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
      start = pos;
      return written;
    },
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
