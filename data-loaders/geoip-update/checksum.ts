// MaxMind's `.sha256` files, `<64 hex digits>  GeoLite2-City_20260203.tar.gz`, and the check against them.
import {createHash} from "node:crypto";
import {GeoIpUpdateError} from "./errors.js";

export interface ArchiveChecksum {
  /** Lower-case hex. */
  sha256: string;
  /** The archive name MaxMind gives, which carries the release date; null when the line has none. */
  fileName: string | null;
}

const CHECKSUM_LINE = /^([0-9a-f]{64})(?:[ \t]+\*?(\S+))?$/i;

export function parseChecksumFile(text: string, what: string): ArchiveChecksum {
  const line = text.trim().split(/\r?\n/)[0] ?? "";
  const match = CHECKSUM_LINE.exec(line.trim());
  if (match === null) {
    const excerpt = line.length > 80 ? `${line.slice(0, 80)}…` : line;
    throw new GeoIpUpdateError(`the checksum file for ${what} does not hold a SHA-256 line ("<64 hex digits>  <file name>"); found "${excerpt}"`);
  }
  return {sha256: match[1].toLowerCase(), fileName: match[2] ?? null};
}

export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The release date in an archive name such as GeoLite2-City_20260203.tar.gz, as YYYY-MM-DD. */
export function releaseDateOf(fileName: string | null): string | null {
  const match = fileName === null ? null : /_(\d{4})(\d{2})(\d{2})\b/.exec(fileName);
  return match === null ? null : `${match[1]}-${match[2]}-${match[3]}`;
}
