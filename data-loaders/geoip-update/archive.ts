// The .mmdb inside a MaxMind .tar.gz: `GeoLite2-City_YYYYMMDD/GeoLite2-City.mmdb` beside the
// licence and readme files.
import {promisify} from "node:util";
import {gunzip} from "node:zlib";
import type {Edition} from "./download-url.js";
import {GeoIpUpdateError} from "./errors.js";
import {tarEntries, TarFormatError} from "./tar.js";

const gunzipAsync = promisify(gunzip);

export interface ArchivedDatabase {
  /** Path inside the archive. */
  name: string;
  data: Buffer;
}

export async function databaseFromArchive(archive: Buffer, edition: Edition, what: string): Promise<ArchivedDatabase> {
  if (archive[0] !== 0x1f || archive[1] !== 0x8b) {
    throw new GeoIpUpdateError(`${what} is not a gzip file (it starts with ${describeStart(archive)}); expected a .tar.gz`);
  }
  let tar: Buffer;
  try {
    tar = await gunzipAsync(archive);
  } catch (error) {
    throw new GeoIpUpdateError(`${what} does not decompress: ${(error as Error).message}`);
  }
  const wanted = `${edition}.mmdb`;
  const seen: string[] = [];
  try {
    for (const entry of tarEntries(tar)) {
      const base = entry.name.slice(entry.name.lastIndexOf("/") + 1);
      if (entry.type === "file" && base === wanted) return {name: entry.name, data: entry.data};
      if (entry.type === "file") seen.push(entry.name);
    }
  } catch (error) {
    if (error instanceof TarFormatError) throw new GeoIpUpdateError(`${what} is not a readable tar archive: ${error.message}`);
    throw error;
  }
  const listing = seen.length === 0 ? "no files at all" : `only ${seen.slice(0, 10).join(", ")}${seen.length > 10 ? ", …" : ""}`;
  throw new GeoIpUpdateError(`${what} holds no ${wanted} (it has ${listing}); nothing was installed`);
}

function describeStart(bytes: Buffer): string {
  if (bytes.length === 0) return "nothing: it is empty";
  const text = bytes.subarray(0, 40).toString("latin1");
  return /^[\x20-\x7e\s]+$/.test(text) ? `"${text.replace(/\s+/g, " ").trim()}…"` : `bytes ${bytes.subarray(0, 4).toString("hex")}`;
}
