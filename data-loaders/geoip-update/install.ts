// Puts a checked database in place atomically (temporary file beside it, fsync, rename), so a
// reader never sees half a file and a failed update leaves the previous database as it was; and
// keeps a note of what was installed, so the next update can tell it is already current.
import {mkdir, readFile} from "node:fs/promises";
import {join} from "node:path";
import {writeFileDurably} from "../store/durable-file.js";
import {sha256Hex} from "./checksum.js";
import type {Edition} from "./download-url.js";

/** What `weblog geoip update` installed, kept beside the database as `<edition>.mmdb.download.json`. */
export interface InstallRecord {
  edition: Edition;
  /** SHA-256 of the archive, as MaxMind's checksum file gave it. */
  archiveSha256: string;
  archiveName: string | null;
  lastModified: string | null;
  /** SHA-256 of the installed .mmdb: a file replaced by hand no longer matches. */
  databaseSha256: string;
  databaseType: string;
  buildTime: string;
  installedAt: string;
}

export function databasePath(directory: string, edition: Edition): string {
  return join(directory, `${edition}.mmdb`);
}

function recordPath(directory: string, edition: Edition): string {
  return `${databasePath(directory, edition)}.download.json`;
}

export async function installDatabase(directory: string, edition: Edition, data: Uint8Array): Promise<string> {
  await mkdir(directory, {recursive: true});
  const path = databasePath(directory, edition);
  await writeFileDurably(path, data);
  return path;
}

export async function writeInstallRecord(directory: string, record: InstallRecord): Promise<void> {
  await writeFileDurably(recordPath(directory, record.edition), JSON.stringify(record, null, 2) + "\n");
}

/** The record of the last install, if the database it describes is still there unchanged; else null. */
export async function currentInstall(directory: string, edition: Edition): Promise<InstallRecord | null> {
  let record: InstallRecord;
  let database: Buffer;
  try {
    record = JSON.parse(await readFile(recordPath(directory, edition), "utf8")) as InstallRecord;
    database = await readFile(databasePath(directory, edition));
  } catch {
    return null; // never installed, removed, or an unreadable record: download again
  }
  return record.edition === edition && record.databaseSha256 === sha256Hex(database) ? record : null;
}
