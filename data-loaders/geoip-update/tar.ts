// A reader for the tar archives MaxMind publishes: 512-byte ustar headers, plus the GNU long-name
// and pax extended headers other tools write, so an archive repacked elsewhere still reads.
export interface TarEntry {
  /** Full path inside the archive, with the ustar prefix or a long name applied. */
  name: string;
  type: "file" | "directory" | "link" | "other";
  /** The entry's bytes, a view into the archive. */
  data: Buffer;
}

export class TarFormatError extends Error {
  override name = "TarFormatError";
}

const BLOCK = 512;

/** The entries of an uncompressed tar archive, in order; throws TarFormatError on a damaged one. */
export function* tarEntries(archive: Buffer): Generator<TarEntry> {
  let offset = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  let paxSize: number | null = null;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    // Two zero blocks end the archive; one is enough to stop, and some writers omit the second.
    if (isZeroBlock(header)) return;
    checkHeaderChecksum(header, offset);
    const typeflag = String.fromCharCode(header[156]);
    const size = paxSize ?? parseNumber(header.subarray(124, 136), "size", offset);
    const start = offset + BLOCK;
    const end = start + size;
    if (end > archive.length) throw new TarFormatError(`entry at byte ${offset} claims ${size} bytes but the archive ends at byte ${archive.length}`);
    const data = archive.subarray(start, end);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === "L") {
      longName = cString(data);
      continue;
    }
    if (typeflag === "x") {
      const records = parsePaxRecords(data);
      paxPath = records.get("path") ?? paxPath;
      const paxSizeText = records.get("size");
      paxSize = paxSizeText === undefined ? null : Number(paxSizeText);
      continue;
    }
    if (typeflag === "g") continue; // global pax header: nothing we use

    const name = paxPath ?? longName ?? headerName(header);
    longName = paxPath = paxSize = null;
    yield {name, type: entryType(typeflag), data};
  }
  if (offset < archive.length) throw new TarFormatError(`the archive ends inside a header at byte ${offset}`);
}

function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = header.subarray(257, 262).toString("latin1") === "ustar";
  const prefix = isUstar ? cString(header.subarray(345, 500)) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}

function entryType(typeflag: string): TarEntry["type"] {
  switch (typeflag) {
    case "0":
    case "\0":
    case "7": // contiguous file: a regular file to every reader but one
      return "file";
    case "5":
      return "directory";
    case "1":
    case "2":
      return "link";
    default:
      return "other";
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** The header checksum treats its own 8 bytes as spaces; old writers summed signed bytes. */
function checkHeaderChecksum(header: Buffer, offset: number): void {
  const recorded = parseNumber(header.subarray(148, 156), "checksum", offset);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (recorded !== unsigned && recorded !== signed) {
    throw new TarFormatError(`the header at byte ${offset} is damaged (checksum ${recorded}, computed ${unsigned}): not a tar archive, or a corrupt one`);
  }
}

/** Octal, NUL- or space-terminated; or GNU base-256 (high bit set) for sizes beyond 8 GiB. */
function parseNumber(field: Buffer, what: string, offset: number): number {
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = field.toString("latin1").replace(/[\0 ]+$/, "").trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`the header at byte ${offset} has a ${what} field that is not octal ("${text}")`);
  return parseInt(text, 8);
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString("utf8");
}

/** Pax records: "<length> <key>=<value>\n", the length counting the whole record. */
function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space === -1) break;
    const length = Number(data.subarray(position, space).toString("latin1"));
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, position + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }
  return records;
}
