// Lines of a text stream, a chunk's worth at a time, split as node:readline splits them (at \n,
// \r\n or a lone \r; a last line without a line break still counts), so a caller handles each
// chunk's lines in one synchronous loop instead of awaiting every line.

const LINE_BREAK = /\r\n|\n|\r/;

export async function* inputLines(stream: NodeJS.ReadableStream): AsyncGenerator<string[]> {
  stream.setEncoding("utf8");
  let rest = "";
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = rest + chunk;
    // A \r ending the chunk may be half of a \r\n: held back until the next chunk tells.
    const heldReturn = text.endsWith("\r");
    if (heldReturn) text = text.slice(0, -1);
    // Most input has no \r at all: splitting at "\n" alone is the same, and faster.
    const lines = text.includes("\r") ? text.split(LINE_BREAK) : text.split("\n");
    rest = lines.pop()! + (heldReturn ? "\r" : "");
    if (lines.length > 0) yield lines;
  }
  const last = rest.split(LINE_BREAK);
  if (last[last.length - 1] === "") last.pop();
  if (last.length > 0) yield last;
}
