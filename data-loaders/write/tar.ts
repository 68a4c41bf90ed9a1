// A POSIX tar archive of small in-memory files, for a data loader that makes many files in one
// run (Framework extracts each from the archive when a page asks for it: data/first-view.tar).
const BLOCK = 512;

export function tarArchive(files: ReadonlyMap<string, Uint8Array | string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of files) {
    const data = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
    if (Buffer.byteLength(name) > 100) throw new Error(`a tar entry name is at most 100 bytes, found ${name}`);
    blocks.push(header(name, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  // Two empty blocks end the archive.
  blocks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(blocks);
}

/** A ustar header: a plain file, owned by nobody in particular, dated the epoch (the output depends on the content alone). */
function header(name: string, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, value: string) => block.write(value, offset, length, "utf8");
  const octal = (offset: number, length: number, value: number) => field(offset, length, value.toString(8).padStart(length - 1, "0"));
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 0);
  field(156, 1, "0");
  field(257, 6, "ustar");
  field(263, 2, "00");
  // The checksum counts its own field as eight spaces.
  field(148, 8, "        ");
  const sum = block.reduce((a, b) => a + b, 0);
  field(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}
