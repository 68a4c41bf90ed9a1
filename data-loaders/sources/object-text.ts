// An object's bytes as text. S3 sink JSON is UTF-8; a line that is not (a record mangled on the
// way) must be rejected with its line number rather than silently altered, so bad lines are found
// one by one, and only when the fast whole-object check fails.

const strict = new TextDecoder("utf-8", {fatal: true});
const lenient = new TextDecoder("utf-8");

export function decodeObjectText(bytes: Uint8Array): {text: string; invalidUtf8Lines: Set<number>} {
  try {
    return {text: strict.decode(bytes), invalidUtf8Lines: new Set()};
  } catch {
    const invalidUtf8Lines = new Set<number>();
    const lines: string[] = [];
    let start = 0;
    for (let lineNumber = 1; start <= bytes.length; lineNumber++) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      const line = bytes.subarray(start, end);
      try {
        lines.push(strict.decode(line));
      } catch {
        invalidUtf8Lines.add(lineNumber);
        lines.push(lenient.decode(line));
      }
      start = end + 1;
    }
    return {text: lines.join("\n"), invalidUtf8Lines};
  }
}
